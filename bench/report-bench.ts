import { createApiKey } from '../server/features/access/api-key-service.ts';
import { connect, type Db } from '../server/platform/db/connect.ts';
import { createDatabaseIfMissing } from '../server/platform/db/database.ts';
import { prepareDatabase } from '../server/setup.ts';
import { ensureDataset } from './dataset.ts';
import { type BenchSettings, log, medianMs, start, stop, withDatabase } from './harness.ts';
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
  const { smoke, reportRuns } = settings;
  const name = `hl_bench_r${size}`;
  await createDatabaseIfMissing(adminUrl, name);
  const url = withDatabase(adminUrl, name);
  const db = connect({ url, poolMax: 4 });
  await prepareDatabase(db, { seedDemo: false });
  // The smoke run keeps the tree small too: its point is that everything runs.
  const communes = smoke ? 200 : undefined;
  const data = await ensureDataset(db, { responses: size, communes, log: (l) => log(`  ${l}`) });
  log(
    `reports at ${size.toLocaleString('en-US')} responses: ${data.reused ? 'dataset reused' : `dataset generated in ${Math.round(data.seconds)} s`}`,
  );
  const tenMillion = size >= 10_000_000;
  const scopes: ReportScope[] = [
    {
      id: 'commune_year',
      label: 'one commune, one year',
      unitId: data.sample.communeId,
      path: data.sample.communePath,
      from: '2025-01-01',
      to: '2025-12-31',
      goalMs: tenMillion ? 50 : undefined,
    },
    {
      id: 'province_quarter',
      label: 'one province, one quarter',
      unitId: data.sample.provinceId,
      path: data.sample.provincePath,
      from: '2025-04-01',
      to: '2025-06-30',
      goalMs: tenMillion ? 200 : undefined,
    },
    {
      id: 'country_year',
      label: 'whole country, one year',
      unitId: data.sample.rootId,
      path: data.sample.rootPath,
      from: '2025-01-01',
      to: '2025-12-31',
      goalMs: tenMillion ? 1000 : undefined,
    },
  ];
  const rootCode = await codeOf(db, data.sample.rootId);
  const key = await createApiKey(db, { unitCode: rootCode, role: 'official', label: 'bench' });
  if (!key) throw new Error('no API key');
  const server = await start({ DATABASE_URL: url });
  const headers = { authorization: `Bearer ${key.key}` };
  const sizeLabel = size >= 1_000_000 ? `${size / 1_000_000}M` : `${size / 1000}k`;

  for (const s of scopes) {
    const code = await codeOf(db, s.unitId);
    const query = `${server.url}/api/v1/reports/satisfaction?unit=${code}&from=${s.from}&to=${s.to}`;
    const ours = await medianMs(reportRuns, async () => {
      const res = await fetch(query, { headers });
      if (res.status !== 200) throw new Error(`report ${res.status}: ${await res.text()}`);
      return (await res.json()) as { channels: Record<string, number>; flaggedExcluded: number };
    });
    const raw = await medianMs(3, () => rawReportCounts(db, { scopePath: s.path, from: s.from, to: s.to }));
    const rawResponses = raw.value.responses.reduce((a, r) => a + r.n, 0);
    const reported = Object.values(ours.value.channels).reduce((a, n) => a + n, 0) + ours.value.flaggedExcluded;
    const ratio = raw.ms / ours.ms;
    const goals = [s.goalMs ? `≤ ${s.goalMs} ms` : '', s.id === 'country_year' && tenMillion ? '≥ 20× faster' : '']
      .filter(Boolean)
      .join(', ');
    figures.push({
      id: `reports.${sizeLabel}.${s.id}`,
      label: `report at ${sizeLabel}: ${s.label}`,
      value: ours.ms,
      unit: 'ms',
      baseline: { label: 'same counts from raw rows', value: raw.ms },
      ratio,
      goal: goals || undefined,
      met: goals
        ? (!s.goalMs || ours.ms <= s.goalMs) && (s.id !== 'country_year' || !tenMillion || ratio >= 20)
        : undefined,
      note: `${rawResponses.toLocaleString('en-US')} responses in scope; report ${reported === rawResponses ? 'agrees with' : `DISAGREES (${reported}) with`} the raw count`,
    });
    if (reported !== rawResponses)
      throw new Error(`report for ${s.label} counts ${reported}, raw rows ${rawResponses}`);
  }
  await stop(server.child);
  await db.destroy();
  return data;
}

async function codeOf(db: Db, unitId: number): Promise<string> {
  return (await db.selectFrom('unit').select('code').where('id', '=', unitId).executeTakeFirstOrThrow()).code;
}
