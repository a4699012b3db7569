import { createApiKey } from '../server/features/access/api-key-service.ts';
import { connect, type Db } from '../server/platform/db/connect.ts';
import { createDatabaseIfMissing } from '../server/platform/db/database.ts';
import { prepareDatabase } from '../server/setup.ts';
import { type DatasetInfo, ensureDataset } from './dataset.ts';
import { type BenchSettings, log, medianMs, start, stop, timed, withDatabase } from './harness.ts';
import { rawReportCounts } from './raw-report.ts';
import type { Figure } from './results.ts';

// The read side of the bench (run.ts): the satisfaction report through HTTP
// at each dataset size (dataset.ts), for a commune, a province and the whole
// country, against the same counts computed from the raw rows (raw-report.ts).

interface ReportScope {
  id: string;
  label: string;
  unitId: number;
  path: string;
  from: string;
  to: string;
  goalMs?: number;
}

export async function reports(figures: Figure[], adminUrl: string, size: number, settings: BenchSettings) {
  const name = `hl_bench_r${size}`;
  await createDatabaseIfMissing(adminUrl, name);
  const url = withDatabase(adminUrl, name);
  const db = connect({ url, poolMax: 4 });
  await prepareDatabase(db, { seedDemo: false });
  // The smoke run keeps the tree small too: its point is that everything runs.
  const communes = settings.smoke ? 200 : undefined;
  const data = await ensureDataset(db, { responses: size, communes, log: (l) => log(`  ${l}`) });
  log(
    `reports at ${size.toLocaleString('en-US')} responses: ${data.reused ? 'dataset reused' : `dataset generated in ${Math.round(data.seconds)} s`}`,
  );
  const server = await start({ DATABASE_URL: url });
  const sizeLabel = size >= 1_000_000 ? `${size / 1_000_000}M` : `${size / 1000}k`;
  await measureReports(figures, {
    db,
    rawDb: db,
    serverUrl: server.url,
    data,
    idPrefix: `reports.${sizeLabel}`,
    labelPrefix: `report at ${sizeLabel}`,
    withGoals: size >= 10_000_000,
    runs: settings.reportRuns,
    rawRuns: 3,
  });
  await stop(server.child);
  await db.destroy();
  return data;
}

export interface ReportMeasure {
  /** The primary, where the API key is made. */
  db: Db;
  /** Where the raw-rows baseline reads (the replica in the national bench). */
  rawDb: Db;
  serverUrl: string;
  data: DatasetInfo;
  idPrefix: string;
  labelPrefix: string;
  /** The goals (≤ 50 / 200 / 1,000 ms, ≥ 20× the raw rows) hold from 10 M responses. */
  withGoals: boolean;
  runs: number;
  /** Raw-rows timings: 1 is a single call (20 M rows make each country-year call minutes long). */
  rawRuns: number;
}

/** The three report scopes through HTTP, each against the same counts from the raw rows. */
export async function measureReports(figures: Figure[], m: ReportMeasure): Promise<void> {
  const { data, withGoals } = m;
  const scopes: ReportScope[] = [
    {
      id: 'commune_year',
      label: 'one commune, one year',
      unitId: data.sample.communeId,
      path: data.sample.communePath,
      from: '2025-01-01',
      to: '2025-12-31',
      goalMs: withGoals ? 50 : undefined,
    },
    {
      id: 'province_quarter',
      label: 'one province, one quarter',
      unitId: data.sample.provinceId,
      path: data.sample.provincePath,
      from: '2025-04-01',
      to: '2025-06-30',
      goalMs: withGoals ? 200 : undefined,
    },
    {
      id: 'country_year',
      label: 'whole country, one year',
      unitId: data.sample.rootId,
      path: data.sample.rootPath,
      from: '2025-01-01',
      to: '2025-12-31',
      goalMs: withGoals ? 1000 : undefined,
    },
  ];
  const rootCode = await codeOf(m.db, data.sample.rootId);
  const key = await createApiKey(m.db, { unitCode: rootCode, role: 'official', label: 'bench' });
  if (!key) throw new Error('no API key');
  const headers = { authorization: `Bearer ${key.key}` };

  for (const s of scopes) {
    const code = await codeOf(m.db, s.unitId);
    const query = `${m.serverUrl}/api/v1/reports/satisfaction?unit=${code}&from=${s.from}&to=${s.to}`;
    const ours = await medianMs(m.runs, async () => {
      const res = await fetch(query, { headers });
      if (res.status !== 200) throw new Error(`report ${res.status}: ${await res.text()}`);
      return (await res.json()) as { channels: Record<string, number>; flaggedExcluded: number };
    });
    const rawCall = () => rawReportCounts(m.rawDb, { scopePath: s.path, from: s.from, to: s.to });
    const raw = m.rawRuns > 1 ? await medianMs(m.rawRuns, rawCall) : await timed(rawCall);
    const rawResponses = raw.value.responses.reduce((a, r) => a + r.n, 0);
    const reported = Object.values(ours.value.channels).reduce((a, n) => a + n, 0) + ours.value.flaggedExcluded;
    const ratio = raw.ms / ours.ms;
    const countryGoal = s.id === 'country_year' && withGoals;
    const goals = [s.goalMs ? `≤ ${s.goalMs} ms` : '', countryGoal ? '≥ 20× faster' : ''].filter(Boolean).join(', ');
    figures.push({
      id: `${m.idPrefix}.${s.id}`,
      label: `${m.labelPrefix}: ${s.label}`,
      value: ours.ms,
      unit: 'ms',
      baseline: { label: 'same counts from raw rows', value: raw.ms },
      ratio,
      goal: goals || undefined,
      met: goals ? (!s.goalMs || ours.ms <= s.goalMs) && (!countryGoal || ratio >= 20) : undefined,
      note: `${rawResponses.toLocaleString('en-US')} responses in scope; report ${reported === rawResponses ? 'agrees with' : `DISAGREES (${reported}) with`} the raw count`,
    });
    if (reported !== rawResponses)
      throw new Error(`report for ${s.label} counts ${reported}, raw rows ${rawResponses}`);
  }
}

async function codeOf(db: Db, unitId: number): Promise<string> {
  return (await db.selectFrom('unit').select('code').where('id', '=', unitId).executeTakeFirstOrThrow()).code;
}
