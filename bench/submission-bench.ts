import { gzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { createApiKey } from '../server/features/access/api-key-service.ts';
import { insertDesk } from '../server/features/organisation/desk-repository.ts';
import { insertUnit } from '../server/features/organisation/unit-repository.ts';
import { unitPostersPdf } from '../server/features/posters-codes/poster-service.ts';
import type { Actor } from '../server/platform/auth/scope.ts';
import { connect } from '../server/platform/db/connect.ts';
import { createDatabaseIfMissing } from '../server/platform/db/database.ts';
import { prepareDatabase } from '../server/setup.ts';
import { type BenchSettings, log, medianMs, peakRssMb, start, stop, withDatabase } from './harness.ts';
import { load, submissionBody } from './load.ts';
import type { Figure } from './results.ts';

// The write side of the bench (run.ts), on a fresh database of many desks:
// submissions against a plain INSERT route, the citizen page against a
// static route, the server's peak memory, and the posters of one centre.

// Many desks, as in a national roll-out: 64 citizens at once are rarely at one desk.
const COMMUNES = 250;
const DESKS_PER_COMMUNE = 4;
const POSTER_DESKS = 20;

/** A fresh database for the write benchmarks: one province, 250 communes, about 1,000 desks. */
async function writeDatabase(adminUrl: string) {
  const name = 'hl_bench_write';
  const admin = connect({ url: adminUrl, poolMax: 1 });
  await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin);
  await admin.destroy();
  await createDatabaseIfMissing(adminUrl, name);
  const url = withDatabase(adminUrl, name);
  const db = connect({ url, poolMax: 4 });
  await prepareDatabase(db, { seedDemo: false });
  const province = await insertUnit(db, {
    code: 'bench-tinh',
    name: 'Tỉnh Đo Kiểm',
    kind: 'province',
    parent_id: null,
  });
  const desks: string[] = [];
  let posterUnit = 0;
  for (let c = 0; c < COMMUNES; c++) {
    const unit = await insertUnit(db, {
      code: `bench-xa-${c + 1}`,
      name: `Xã Đo Kiểm ${c + 1}`,
      kind: 'commune',
      parent_id: province,
    });
    if (c === 0) posterUnit = unit;
    const count = c === 0 ? POSTER_DESKS : DESKS_PER_COMMUNE;
    for (let d = 0; d < count; d++) {
      const code = `bench-${c + 1}-q${d + 1}`;
      await insertDesk(db, { unitId: unit, code, name: `Quầy ${d + 1}`, serviceAreas: ['ho-tich', 'dat-dai'] });
      desks.push(code);
    }
  }
  // Kiosk apps and one-stop software post with a submit key of their province.
  const key = await createApiKey(db, { unitCode: 'bench-tinh', role: 'submit', channels: ['kiosk'], label: 'bench' });
  if (!key) throw new Error('no submit key');
  return { url, db, desks, posterUnit, submitHeaders: { authorization: `Bearer ${key.key}` } };
}

export async function submissions(figures: Figure[], adminUrl: string, settings: BenchSettings) {
  const { connections, seconds } = settings;
  const { url, db, desks, posterUnit, submitHeaders } = await writeDatabase(adminUrl);
  const baseline = await start({ DATABASE_URL: url }, 'bench/baseline-server.ts');
  const server = await start({ DATABASE_URL: url });
  const spec = { connections, seconds, method: 'POST' as const };

  log(`submissions: ${connections} connections, ${seconds} s each`);
  const plain = await load({ ...spec, url: `${baseline.url}/plain`, body: submissionBody(desks) });
  const ours = await load({
    ...spec,
    url: `${server.url}/api/v1/responses`,
    headers: submitHeaders,
    body: submissionBody(desks),
  });
  // A route that refuses everything is broken, not slow: fail even the smoke run.
  if (ours.okWithWarmUp === 0) throw new Error(`no submission acknowledged (${ours.errors} errors)`);
  const rss = peakRssMb(server.child.pid ?? 0);
  const stored = Number((await sql<{ n: string }>`select count(*) as n from response`.execute(db)).rows[0]?.n ?? 0);
  // Every acknowledged submission must be in the database. A few more may be:
  // those in flight when each run stopped (its connections cut), at most one per connection.
  if (stored < ours.okWithWarmUp || stored > ours.okWithWarmUp + 2 * connections) {
    throw new Error(`${ours.okWithWarmUp} submissions acknowledged, ${stored} stored`);
  }
  figures.push(
    {
      id: 'submissions.rps',
      label: 'submissions (POST /api/v1/responses)',
      value: ours.rps,
      unit: 'req/s',
      baseline: { label: 'plain INSERT route', value: plain.rps },
      ratio: ours.rps / plain.rps,
      goal: '≥ 1.0×',
      met: ours.rps / plain.rps >= 1,
      note: `${ours.errors} errors; ${ours.okWithWarmUp} acknowledged (warm-up included), all stored (${stored} with those cut at the end of each run)`,
    },
    {
      id: 'submissions.p50',
      label: 'submission latency p50',
      value: ours.p50,
      unit: 'ms',
      baseline: { label: 'plain INSERT route', value: plain.p50 },
    },
    {
      id: 'submissions.p99',
      label: 'submission latency p99',
      value: ours.p99,
      unit: 'ms',
      baseline: { label: 'plain INSERT route', value: plain.p99 },
      goal: '≤ 50 ms',
      met: ours.p99 <= 50,
    },
    {
      id: 'submissions.errors',
      label: 'submission errors (non-2xx, timeouts)',
      value: ours.errors,
      unit: '',
      goal: '0',
      met: ours.errors === 0,
    },
    {
      id: 'memory.peak_rss',
      label: 'server peak RSS (through the submission run)',
      value: rss,
      unit: 'MB',
      goal: '≤ 250 MB',
      met: rss <= 250,
    },
  );

  log('citizen page');
  const desk = desks[0] ?? '';
  // As a phone asks for it (the static route's reply is too small to compress either way).
  const phone = { 'accept-encoding': 'gzip, deflate, br' };
  const page = await load({
    connections,
    seconds,
    url: `${server.url}/q/${desk}`,
    headers: phone,
  });
  const statik = await load({
    connections,
    seconds,
    url: `${baseline.url}/static`,
    headers: phone,
  });
  const bytes = await pageBytes(`${server.url}/q/${desk}`);
  figures.push(
    {
      id: 'page.rps',
      label: 'citizen page (GET /q/{desk})',
      value: page.rps,
      unit: 'req/s',
      baseline: { label: 'static JSON route', value: statik.rps },
      ratio: page.rps / statik.rps,
      goal: '≥ 0.35×',
      met: page.rps / statik.rps >= 0.35,
      note: `p99 ${page.p99} ms, ${page.errors} errors`,
    },
    {
      id: 'page.bytes',
      label: 'citizen page with its assets, gzipped',
      value: bytes / 1024,
      unit: 'KB',
      goal: '≤ 30 KB',
      met: bytes <= 30 * 1024,
    },
  );

  log('posters');
  const admin: Actor = { userId: null, keyId: null, role: 'admin', unitId: null, unitPath: '/', label: 'bench' };
  const poster = await medianMs(3, async () => {
    const pdf = await unitPostersPdf(db, admin, posterUnit, 'a4', 'https://hailong.example.gov.vn');
    if (pdf.status !== 'ok') throw new Error(`posters: ${pdf.status}`);
    return pdf.pdf.length;
  });
  figures.push({
    id: 'posters.seconds',
    label: `posters of one centre (${POSTER_DESKS} desks, one A4 PDF)`,
    value: poster.ms / 1000,
    unit: 's',
    note: `${Math.round(poster.value / 1024)} KB`,
  });

  await stop(server.child);
  await stop(baseline.child);
  await db.destroy();
}

/** The page and every script, style sheet and image it links to, each gzipped as sent. */
async function pageBytes(url: string): Promise<number> {
  const html = await (await fetch(url)).text();
  const assets = [...html.matchAll(/(?:src|href)="(\/[^"]+)"/g)]
    .map((m) => m[1] ?? '')
    .filter((a) => /\.(js|css|png|svg|ico|woff2?)(\?|$)/.test(a));
  let total = gzipSync(html).length;
  for (const asset of new Set(assets)) {
    const body = Buffer.from(await (await fetch(new URL(asset, url))).arrayBuffer());
    total += gzipSync(body).length;
  }
  return total;
}
