import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// How tests/run.ts packs test files into processes. Starting a tap test
// process (tap, tsx, the app's modules) costs about three seconds of CPU
// here, as much as many whole files spend on their tests; on two cores that
// start-up was a fifth of the run. So files share processes, a few each,
// their tests one after another. A file that sets options on tap's root test
// (t.jobs, t.setTimeout) keeps a process of its own, as those options would
// apply to the whole group; so do the browser files, which set their time
// limit there and are the longest anyway.

export interface TestFile {
  file: string;
  /** A rough guess at how long the file runs, used only to balance the processes and start the long ones first. */
  weight: number;
  /** Needs a process of its own: it sets options on tap's root test, or drives a browser (the browser files set their time limit there). */
  alone: boolean;
}

const STARTS_BROWSER = /from '\.\/browser\.ts'/;
// A server or CLI process costs seconds of CPU to start, whatever the file's size.
const STARTS_PROCESS = /\b(runScript|startServer|startApp)\(/g;
const SETS_ROOT = /^t\.(jobs|setTimeout|plan)\b/m;
// A file whose run time its size badly predicts (a loop over every route, a
// flood of requests) says so: "// Run time (for tests/run.ts): about 18 s."
const STATED = /^\/\/ Run time \(for tests\/run\.ts\): about (\d+) s\.$/m;

/**
 * Source size (a kilobyte of test runs for about a second here), plus three
 * for each server or CLI process started, four times that in a browser; or
 * the run time a file states, where its size misleads.
 */
export function describeFile(file: string): TestFile {
  const source = readFileSync(file, 'utf8');
  const stated = STATED.exec(source)?.[1];
  const weight = stated ? Number(stated) * 1000 : source.length + 3000 * (source.match(STARTS_PROCESS)?.length ?? 0);
  const browser = STARTS_BROWSER.test(source);
  return { file, weight: browser ? 4 * weight : weight, alone: browser || SETS_ROOT.test(source) };
}

/**
 * The processes to run, each a list of files, heaviest first: tap starts
 * them in this order, so a long one does not start last and hold up the end
 * of the run. Files that share go one by one (heaviest first) to the lightest
 * process so far, `perGroup` files to a process on average.
 */
export function planGroups(files: TestFile[], perGroup = 5): string[][] {
  const alone = files.filter((f) => f.alone).map((f) => ({ files: [f.file], weight: f.weight }));
  const shared = files.filter((f) => !f.alone).sort((a, b) => b.weight - a.weight || a.file.localeCompare(b.file));
  const groups = Array.from({ length: Math.ceil(shared.length / perGroup) }, () => ({
    files: [] as string[],
    weight: 0,
  }));
  for (const f of shared) {
    const lightest = groups.reduce((a, b) => (b.weight < a.weight ? b : a));
    lightest.files.push(f.file);
    lightest.weight += f.weight;
  }
  return [...alone, ...groups].sort((a, b) => b.weight - a.weight).map((g) => g.files.sort());
}

/**
 * Writes an entry file for each process (it imports the process's files,
 * whose tests then run one after another on tap's root test) and returns
 * them for tap. tap starts files in the order of their names: the names
 * begin with the planned position, and name the first file for the reader
 * of a failure.
 */
export function writeGroupEntries(groups: string[][], dir: string): string[] {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return groups.map((files, i) => {
    const first = path.basename(files[0]!, '.test.ts');
    const more = files.length > 1 ? `-and-${files.length - 1}-more` : '';
    const entry = path.join(dir, `${String(i + 1).padStart(2, '0')}-${first}${more}.test.ts`);
    const imports = files.map((f) => `import ${JSON.stringify(relativeImport(dir, f))};`);
    writeFileSync(entry, ['// Written by tests/run.ts: the test files this process runs.', ...imports, ''].join('\n'));
    return entry;
  });
}

function relativeImport(fromDir: string, file: string): string {
  const rel = path.relative(fromDir, path.resolve(file)).split(path.sep).join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
}
