import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { ROOT } from './helpers/process.ts';
import { describeFile, planGroups, writeGroupEntries } from './helpers/test-groups.ts';

// npm test packs test files into shared processes: no file may be left out
// or run twice, and a file that sets options on tap's root test (they would
// apply to every file beside it) runs on its own.

const files = (n: number, alone: number[] = []) =>
  Array.from({ length: n }, (_, i) => ({
    file: `tests/f${i}.test.ts`,
    weight: 1000 + i * 37,
    alone: alone.includes(i),
  }));

t.test('every file runs exactly once, the root-option files alone, the heaviest process first', async (t) => {
  const input = files(23, [4, 17]);
  const groups = planGroups(input);
  t.same(groups.flat().sort(), input.map((f) => f.file).sort(), 'each file once');
  t.same(
    groups.filter((g) => g.some((f) => f === 'tests/f4.test.ts' || f === 'tests/f17.test.ts')),
    [['tests/f17.test.ts'], ['tests/f4.test.ts']].sort((a, b) => groups.indexOf(a) - groups.indexOf(b)),
  );
  t.ok(groups.length <= 2 + Math.ceil(21 / 5), `${groups.length} processes for 23 files`);
  const weight = (g: string[]) => g.reduce((s, f) => s + input.find((x) => x.file === f)!.weight, 0);
  const weights = groups.map(weight);
  t.same(
    weights,
    [...weights].sort((a, b) => b - a),
    'heaviest first',
  );
});

t.test(
  'the real suite: the browser files keep their own process, and each entry imports what it was given',
  async (t) => {
    const browser = describeFile(path.join(ROOT, 'tests/e2e/citizen.test.ts'));
    t.ok(browser.alone, 'it sets its time limit on the root test');
    t.notOk(
      describeFile(path.join(ROOT, 'tests/stuffing-traffic.test.ts')).alone,
      'its side-by-side option is on its own test',
    );
    const server = describeFile(path.join(ROOT, 'tests/processes/server-process.test.ts'));
    t.ok(server.weight > readFileSync(server.file, 'utf8').length, 'starting servers weighs more than the source');

    const dir = mkdtempSync(path.join(os.tmpdir(), 'hl-groups-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const entries = writeGroupEntries([[path.join(ROOT, 'tests/a.test.ts'), path.join(ROOT, 'tests/b.test.ts')]], dir);
    t.match(path.basename(entries[0]!), /^01-a-and-1-more\.test\.ts$/);
    const text = readFileSync(entries[0]!, 'utf8');
    const imported = [...text.matchAll(/^import "(.+)";$/gm)].map((m) => path.resolve(dir, m[1]!));
    t.same(imported, [path.join(ROOT, 'tests/a.test.ts'), path.join(ROOT, 'tests/b.test.ts')]);
  },
);
