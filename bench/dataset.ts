import { sql } from 'kysely';
import { latestVersion } from '../server/features/surveys/survey-version-repository.ts';
import type { Db } from '../server/platform/db/connect.ts';
import { questionsOf } from '../surveys/schema.ts';
import { loadResponses, restoreIndexes } from './dataset-load.ts';
import { PROVINCES, YEAR } from './dataset-profile.ts';
import { prepareSampling } from './dataset-sampling.ts';
import { buildTree, removeTree } from './dataset-tree.ts';

// The bench dataset: a national unit tree (34 provinces, ~3,300 communes,
// their desks and service areas) and a year (2025) of responses with answers,
// spread the way a real deployment's would be. Bench-only: it truncates the
// response and aggregate tables and, when the tree differs (another seed or
// commune count), deletes the old tree.
//
// How it is made fast. The small things (tree, weights, sampling tables) are
// decided here with a seeded PRNG; the bulk rows are made inside PostgreSQL
// by INSERT … SELECT over generate_series, one statement per chunk of days
// inserting the responses and (in a data-modifying CTE) their answers. COPY
// would mean building ~70 M answer lines (at 10 M responses) in Node, sending
// them and having the server parse them again: strictly more work for the
// one busy core than generating the same rows server-side, and it needs a
// client library we do not ship. Randomness is hash-based (hashint8extended
// of the row number and a stream number), so the same seed gives the same
// rows whatever the chunk size. Each response's commune, desk and service
// area are drawn with Walker's alias method (two hash draws, two small
// joins); its day comes from exact per-day counts, so rows are inserted in
// time order, like a live system's, and a commune's responses are spread over
// the whole table rather than clustered (which would flatter the raw-rows
// baseline). During the load user triggers are off (session_replication_role
// = replica: no per-statement aggregate upserts, no foreign-key checks) and
// the secondary indexes of response and answer are dropped and rebuilt at the
// end with a sort, much cheaper than maintaining them row by row once they
// outgrow the buffer cache (1 M responses: 45 s load + 12 s index builds,
// against 97 s loading with the indexes in place; keepIndexes measures it).
// The aggregates are then rebuilt from the raw rows.
//
// The parts: dataset-profile.ts (what the data looks like), dataset-random.ts
// (the PRNG and the SQL hash draws), dataset-tree.ts (units, desks, cells),
// dataset-sampling.ts (the sampling tables) and dataset-load.ts (the rows).

export interface DatasetOptions {
  responses: number;
  seed?: number;
  /** Communes in the tree; 3,300 by default, fewer for tests. */
  communes?: number;
  /** Provinces; 34 by default (about one per 97 communes when communes is small). */
  provinces?: number;
  /** Responses per INSERT statement, about (whole days are kept together). */
  chunk?: number;
  /** Keep the secondary indexes during the load (only to measure the difference). */
  keepIndexes?: boolean;
  /**
   * work_mem of the load and the aggregate rebuild (256MB by default). The
   * national bench gives more, so that the rebuild's join of 20 M responses
   * is hashed in memory rather than in batches on disk.
   */
  workMem?: string;
  log?: (line: string) => void;
}

export interface DatasetSample {
  communeId: number;
  communePath: string;
  provinceId: number;
  provincePath: string;
  rootId: number;
  rootPath: string;
}

export interface DatasetInfo {
  responses: number;
  answers: number;
  units: number;
  desks: number;
  seconds: number;
  reused: boolean;
  sample: DatasetSample;
}

interface Marker {
  responses: string;
  seed: number;
  communes: number;
  info: DatasetInfo;
}

export async function ensureDataset(db: Db, opts: DatasetOptions): Promise<DatasetInfo> {
  const seed = opts.seed ?? 1;
  const communes = opts.communes ?? 3300;
  const provinces = opts.provinces ?? Math.max(2, Math.min(PROVINCES.length, Math.round(communes / 97)));
  const log = opts.log ?? (() => {});
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;

  // One connection throughout: the session settings and temporary tables below belong to it.
  return db.connection().execute(async (conn) => {
    await sql`set statement_timeout = 0`.execute(conn);
    try {
      await sql`create table if not exists bench_dataset (
        responses bigint not null, seed integer not null, communes integer not null,
        generated_at timestamptz not null default now(), seconds numeric not null, info jsonb not null)`.execute(conn);
      await sql`create table if not exists bench_index_def (name text primary key, def text not null)`.execute(conn);
      const repaired = await restoreIndexes(conn);
      if (repaired.length) log(`dataset: indexes built on every partition (${repaired.join(', ')})`);

      const marker = (
        await sql<Marker>`select responses, seed, communes, info from bench_dataset limit 1`.execute(conn)
      ).rows[0];
      const sameTree = marker && marker.seed === seed && marker.communes === communes;
      if (sameTree && Number(marker.responses) === opts.responses) {
        // Responses stored after the generated ones (a national bench's
        // submissions still in flight when it cleaned up) are taken out again;
        // the triggers take them out of the aggregates.
        await sql`delete from response where id > ${opts.responses}`.execute(conn);
        const top = await sql<{ n: string | null }>`select max(id) as n from response`.execute(conn);
        if (Number(top.rows[0]?.n ?? 0) === opts.responses) return { ...marker.info, reused: true };
      }

      await sql`delete from bench_dataset`.execute(conn);
      await sql`truncate submission, response, answer, answer_daily, response_daily restart identity cascade`.execute(
        conn,
      );
      // The year's monthly partitions (migration 2026-12-05T2340), so its rows do not land in the default one.
      await sql`select ensure_response_partitions(${`${YEAR}-01-01`}::date, ${`${YEAR}-12-01`}::date)`.execute(conn);
      if (!sameTree) await removeTree(conn);
      const tree = await buildTree(conn, { seed, communes, provinces, rebuild: !sameTree });
      log(
        `dataset: ${tree.communes.length} communes, ${tree.desks} desks, ${tree.cells.length} desk × area cells (${elapsed().toFixed(1)} s)`,
      );

      const version = await latestVersion(conn, 'sipas-quick');
      if (!version) throw new Error('the sipas-quick survey is not published: run prepareDatabase first');
      await prepareSampling(conn, tree, questionsOf(version.definition), opts.responses);

      const answers = await loadResponses(conn, {
        responses: opts.responses,
        chunk: opts.chunk ?? 500_000,
        keepIndexes: opts.keepIndexes ?? false,
        workMem: opts.workMem ?? '256MB',
        seed,
        surveyVersionId: version.id,
        cells: tree.cells.length,
        log: (done) =>
          log(`dataset: ${millions(done)} / ${millions(opts.responses)} responses (${Math.round(elapsed())} s)`),
        phase: (what) => log(`dataset: ${what} (${Math.round(elapsed())} s)`),
      });

      await sql`select * from aggregates_rebuild()`.execute(conn);
      log(`dataset: aggregates rebuilt (${Math.round(elapsed())} s)`);
      await sql`analyze`.execute(conn);

      const info: DatasetInfo = {
        responses: opts.responses,
        answers,
        units: 1 + tree.provinces.length + tree.communes.length,
        desks: tree.desks,
        seconds: Math.round(elapsed() * 10) / 10,
        reused: false,
        sample: {
          ...median(tree.communes, 'commune'),
          ...median(tree.provinces, 'province'),
          rootId: tree.rootId,
          rootPath: tree.rootPath,
        },
      };
      await sql`insert into bench_dataset (responses, seed, communes, seconds, info)
        values (${opts.responses}, ${seed}, ${communes}, ${info.seconds}, ${JSON.stringify(info)})`.execute(conn);
      log(`dataset: ready, ${millions(opts.responses)} responses, ${millions(answers)} answers (${info.seconds} s)`);
      return info;
    } finally {
      await sql`reset session_replication_role`.execute(conn);
      await sql`reset statement_timeout`.execute(conn);
      await sql`reset maintenance_work_mem`.execute(conn);
      await sql`reset work_mem`.execute(conn);
      await sql`reset synchronous_commit`.execute(conn);
      await sql`discard temp`.execute(conn);
    }
  });
}

function millions(n: number): string {
  return n >= 100_000 ? `${Math.round(n / 100_000) / 10}M` : n.toLocaleString('en-US');
}

function median<K extends 'commune' | 'province'>(
  units: { id: number; path: string; weight: number }[],
  kind: K,
): Record<`${K}Id`, number> & Record<`${K}Path`, string> {
  const sorted = [...units].sort((a, b) => a.weight - b.weight || a.id - b.id);
  const m = sorted[Math.floor((sorted.length - 1) / 2)];
  if (!m) throw new Error(`no ${kind} in the bench tree`);
  return { [`${kind}Id`]: m.id, [`${kind}Path`]: m.path } as Record<`${K}Id`, number> & Record<`${K}Path`, string>;
}
