import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { ROOT } from './helpers/process.ts';

// The layout rules of docs/architecture.md, checked on the source so that a
// shortcut shows up as a failing test rather than in a later review.

const SOURCE_DIRS = ['server', 'surveys', 'analysis', 'migrations', 'tests', 'faults', 'cluster', 'bench', 'scripts'];
const MAX_LINES = 350;

function sourceFiles(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.includes('node_modules'))
    .map((f) => path.join(dir, f).split(path.sep).join('/'));
}

const files = SOURCE_DIRS.flatMap(sourceFiles);
const source = new Map(files.map((f) => [f, readFileSync(path.join(ROOT, f), 'utf8')]));

/** The modules a file imports: relative ones resolved to repository paths, packages by name. */
function importsOf(file: string): string[] {
  const text = source.get(file) ?? '';
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);
  specs.push(...[...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!));
  return specs.map((s) => (s.startsWith('.') ? path.posix.normalize(path.posix.join(path.posix.dirname(file), s)) : s));
}

t.test('the layered folders are gone and the features have a home', async (t) => {
  for (const gone of ['server/services', 'server/repositories', 'server/routes', 'server/plugins', 'server/db'])
    t.notOk(existsSync(path.join(ROOT, gone)), `${gone} no longer exists`);
  t.ok(existsSync(path.join(ROOT, 'server/features')), 'server/features exists');
  t.ok(existsSync(path.join(ROOT, 'server/platform')), 'server/platform exists');
});

t.test('surveys/ and analysis/ are pure: nothing from server/, Fastify, pg or Kysely', async (t) => {
  const offending = files
    .filter((f) => f.startsWith('surveys/') || f.startsWith('analysis/'))
    .flatMap((f) =>
      importsOf(f)
        .filter((m) => m.startsWith('server/') || /^(fastify|@fastify\/|pg$|kysely)/.test(m))
        .map((m) => `${f} imports ${m}`),
    );
  t.strictSame(offending, []);
});

t.test('only repositories, migrations and the db platform use Kysely or sql', async (t) => {
  const allowed = (f: string) =>
    f.endsWith('-repository.ts') || f.startsWith('migrations/') || f.startsWith('server/platform/db/');
  // A query is a sql`…` template, a query builder call, or a value imported from kysely.
  const queries = (text: string) =>
    /\bsql(<[^>]*>)?`/.test(text) ||
    /\.(selectFrom|insertInto|updateTable|deleteFrom)\(/.test(text) ||
    /^import \{[^}]*\} from 'kysely'/m.test(text);
  const offending = files.filter((f) => f.startsWith('server/') && !allowed(f) && queries(source.get(f)!));
  t.strictSame(offending, [], 'queries live in repositories');
});

t.test('no repository imports a service, a route or a plugin', async (t) => {
  const offending = files
    .filter((f) => f.startsWith('server/') && f.endsWith('-repository.ts'))
    .flatMap((f) =>
      importsOf(f)
        .filter((m) => /-(service|routes|api|plugin)\.ts$/.test(m) || m.includes('submission-batcher'))
        .map((m) => `${f} imports ${m}`),
    );
  t.strictSame(offending, []);
});

t.test('the platform imports no feature', async (t) => {
  const offending = files
    .filter((f) => f.startsWith('server/platform/'))
    .flatMap((f) =>
      importsOf(f)
        .filter((m) => m.startsWith('server/features/'))
        .map((m) => `${f} imports ${m}`),
    );
  t.strictSame(offending, []);
});

t.test(`no source file is over ${MAX_LINES} lines`, async (t) => {
  const long = files
    .map((f) => ({ f, lines: source.get(f)!.split('\n').length - 1 }))
    .filter((x) => x.lines > MAX_LINES)
    .map((x) => `${x.f}: ${x.lines} lines`);
  t.strictSame(long, []);
});
