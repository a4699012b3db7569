import { randomUUID } from 'node:crypto';
import t from 'tap';
import { KIOSK_COOKIE } from '../server/features/kiosk/kiosk-device-auth.ts';
import { MAX_BATCH } from '../server/features/kiosk/kiosk-routes.ts';
import type { Db } from '../server/platform/db/connect.ts';
import { newSecret, secretHash } from '../server/platform/secrets.ts';
import { createDesk } from './helpers/fixtures.ts';
import { testApp } from './helpers/harness.ts';

// The counter tablet's app as the server serves it (issue 15): the pairing
// page, the shell, the manifest and the service worker; the survey it
// renders, its answers (each stored once, replays harmless, a bad one
// refused alone), the queue length it reports, and the 401 of a revoked one.

/** A tablet paired with a new desk, as pairing leaves it: a device row holding the hash of its token. */
async function pairedTablet(db: Db, areas = ['dat-dai', 'ho-tich']) {
  const desk = await createDesk(db, areas);
  const token = newSecret(32);
  const row = await db
    .insertInto('kiosk_device')
    .values({ desk_id: desk.deskId, token_hash: secretHash(token) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { desk, deviceId: row.id, cookies: { [KIOSK_COOKIE]: token } };
}

const answer = (over: Record<string, unknown> = {}) => ({
  submissionId: randomUUID(),
  serviceArea: 'dat-dai',
  answers: { overall: 2, disappointed: 'staff', comment: 'Chờ lâu quá.' },
  answeredAt: new Date().toISOString(),
  locale: 'vi',
  ...over,
});

t.test('pages: pairing without a credential, the shell with one', async (t) => {
  const { app, db } = await testApp(t);
  const { cookies } = await pairedTablet(db);

  const pair = await app.inject({ url: '/kiosk?code=ABCD-EFGH' });
  t.equal(pair.statusCode, 200);
  t.equal(pair.headers['x-kiosk-page'], 'pair');
  t.match(pair.headers['content-type'], /text\/html/);
  t.match(pair.body, /<label for="k-code">Mã ghép<\/label>/);
  t.match(pair.body, /value="ABCD-EFGH"/, 'the code from the QR is filled in');
  t.match(pair.body, /<script src="\/kiosk\/kiosk.js" defer><\/script>/);
  t.notMatch(pair.body, /<script>|<script [^>]*nonce|style="/, 'no inline script or style');
  t.notMatch(pair.body, /staff\//, 'no staff menu');

  const odd = await app.inject({ url: '/kiosk?code=%3Cscript%3E' });
  t.match(odd.body, /value=""/, 'what cannot be a code is not echoed');

  const bad = await app.inject({ url: '/kiosk', cookies: { [KIOSK_COOKIE]: 'not-a-token' } });
  t.equal(bad.headers['x-kiosk-page'], 'pair', 'an unknown credential gets the pairing page');

  const shell = await app.inject({ url: '/kiosk', cookies });
  t.equal(shell.statusCode, 200);
  t.equal(shell.headers['x-kiosk-page'], 'shell');
  t.match(shell.body, /<link rel="manifest" href="\/kiosk\/manifest.webmanifest">/);
  t.match(shell.body, /id="s-idle"/);
  t.match(shell.body, /id="k-pending"[^>]*role="status"/);
  t.notMatch(shell.body, /<script>|style="/);
  t.notMatch(String(shell.headers['content-security-policy']), /unsafe-inline/);

  const slash = await app.inject({ url: '/kiosk/', cookies });
  t.equal(slash.headers['x-kiosk-page'], 'shell', '/kiosk/ is the same page');
});

t.test('manifest, service worker and the files it keeps', async (t) => {
  const { app } = await testApp(t);
  const manifest = await app.inject({ url: '/kiosk/manifest.webmanifest' });
  t.equal(manifest.statusCode, 200);
  t.match(manifest.headers['content-type'], /^application\/manifest\+json/);
  t.match(manifest.json(), {
    name: 'Hài Lòng – Máy tính bảng tại quầy',
    start_url: '/kiosk',
    scope: '/kiosk',
    display: 'fullscreen',
    icons: [{ src: '/kiosk/icon.svg', type: 'image/svg+xml' }],
  });

  const sw = await app.inject({ url: '/kiosk/sw.js' });
  t.equal(sw.statusCode, 200);
  t.match(sw.headers['content-type'], /^text\/javascript/);
  t.equal(sw.headers['service-worker-allowed'], '/kiosk', 'the worker may control /kiosk itself');
  t.equal(sw.headers['cache-control'], 'no-cache', 'a new worker is found at the next visit');
  t.notMatch(sw.body, /__KIOSK_VERSION__/);
  t.match(sw.body, /const VERSION = '[0-9a-f]{12}'/);

  for (const [url, type] of [
    ['/kiosk/kiosk.js', /^text\/javascript/],
    ['/kiosk/kiosk.css', /^text\/css/],
    ['/kiosk/icon.svg', /^image\/svg\+xml/],
  ] as const) {
    const res = await app.inject({ url });
    t.equal(res.statusCode, 200, url);
    t.match(res.headers['content-type'], type, url);
    t.ok(sw.body.includes(`'${url}'`), `the worker keeps ${url}`);
  }
});

t.test('config: the desk, its areas and the counter survey', async (t) => {
  const { app, db } = await testApp(t);
  const { desk, deviceId, cookies } = await pairedTablet(db);
  await db.updateTable('desk').set({ kiosk_idle_seconds: 7 }).where('id', '=', desk.deskId).execute();

  const none = await app.inject({ url: '/kiosk/api/config' });
  t.equal(none.statusCode, 401);
  t.equal(none.json().code, 'kiosk.not_paired');

  const res = await app.inject({ url: '/kiosk/api/config?queued=5', cookies });
  t.equal(res.statusCode, 200);
  t.equal(res.headers['cache-control'], 'no-store');
  const body = res.json();
  t.equal(body.desk.code, desk.code);
  t.equal(body.idleSeconds, 7);
  t.same(
    body.serviceAreas.map((a: { code: string }) => a.code),
    ['dat-dai', 'ho-tich'],
  );
  const [first] = body.survey.questions;
  t.match(first, { key: 'overall', type: 'scale', labels: { 1: { vi: 'Rất không hài lòng' } } }, 'overall item first');
  t.ok(
    body.survey.questions.some((q: { type: string }) => q.type === 'choice'),
    'the factor that disappointed',
  );
  const device = await db.selectFrom('kiosk_device').selectAll().where('id', '=', deviceId).executeTakeFirstOrThrow();
  t.equal(device.queued, 5, 'the queue length it reported');
  t.ok(device.last_seen_at, 'its last contact');
});

t.test('answers: stored once, replays and refusals per item, the queue it reports', async (t) => {
  const { app, db } = await testApp(t);
  const { deviceId, cookies } = await pairedTablet(db);
  const send = (items: unknown[], queued?: number) =>
    app.inject({
      method: 'POST',
      url: `/kiosk/api/answers${queued === undefined ? '' : `?queued=${queued}`}`,
      cookies,
      payload: { items },
    });

  const low = answer();
  const high = answer({ answers: { overall: 5 }, serviceArea: 'ho-tich', locale: 'en' });
  const first = await send([low, high], 3);
  t.equal(first.statusCode, 200);
  t.same(
    first.json().results.map((r: { submissionId: string; status: string }) => [r.submissionId, r.status]),
    [
      [low.submissionId, 'created'],
      [high.submissionId, 'created'],
    ],
  );
  const device = () => db.selectFrom('kiosk_device').selectAll().where('id', '=', deviceId).executeTakeFirstOrThrow();
  t.equal((await device()).queued, 1, 'three held, two answered: one left');

  const again = await send([low], 1);
  t.equal(again.json().results[0].status, 'replayed', 'a resend after a lost answer changes nothing');
  t.equal((await device()).queued, 0);
  const other = await send([{ ...low, answers: { overall: 4 } }]);
  t.equal(other.json().results[0].status, 'conflict', 'the same id with other answers');

  const rows = await db
    .selectFrom('response')
    .select(['submission_id', 'channel', 'kiosk_device_id'])
    .where('submission_id', 'in', [low.submissionId, high.submissionId])
    .execute();
  t.equal(rows.length, 2, 'each stored once');
  t.ok(
    rows.every((r) => r.channel === 'kiosk' && r.kiosk_device_id === deviceId),
    'as kiosk answers of this device',
  );

  const wrong = answer({ answers: { overall: 9 } });
  const shapeless = { submissionId: randomUUID(), answers: 'five' };
  const good = answer({ answers: { overall: 4 } });
  const mixed = (await send([wrong, shapeless, good])).json().results;
  t.match(mixed, [
    { submissionId: wrong.submissionId, status: 'invalid', errors: [{ path: 'answers.overall' }] },
    { submissionId: shapeless.submissionId, status: 'invalid' },
    { submissionId: good.submissionId, status: 'created' },
  ]);

  const tooMany = await send(Array.from({ length: MAX_BATCH + 1 }, () => answer()));
  t.equal(tooMany.statusCode, 422);
  t.equal(tooMany.json().code, 'validation.failed');
  const empty = await send([]);
  t.equal(empty.statusCode, 422);

  const unpaired = await app.inject({ method: 'POST', url: '/kiosk/api/answers', payload: { items: [answer()] } });
  t.equal(unpaired.statusCode, 401);
  t.equal(unpaired.json().code, 'kiosk.not_paired');
});

t.test('a revoked tablet: 401 kiosk.revoked, and the page says so', async (t) => {
  const { app, db } = await testApp(t);
  const { deviceId, cookies } = await pairedTablet(db);
  await db.updateTable('kiosk_device').set({ revoked_at: new Date() }).where('id', '=', deviceId).execute();

  for (const [method, url] of [
    ['GET', '/kiosk/api/config'],
    ['POST', '/kiosk/api/answers'],
  ] as const) {
    const res = await app.inject({
      method,
      url,
      cookies,
      ...(method === 'POST' ? { payload: { items: [answer()] } } : {}),
    });
    t.equal(res.statusCode, 401, `${method} ${url}`);
    t.match(res.json(), { code: 'kiosk.revoked', message: { vi: 'Thiết bị đã bị thu hồi' } });
  }
  const count = await db.selectFrom('response').select('id').where('kiosk_device_id', '=', deviceId).execute();
  t.equal(count.length, 0, 'nothing stored');

  const page = await app.inject({ url: '/kiosk', cookies });
  t.equal(page.headers['x-kiosk-page'], 'revoked');
  t.match(page.body, /<body data-kiosk="revoked">/);
  t.match(page.body, /Thiết bị đã bị thu hồi/);
  t.match(page.body, /Ghép máy lại/, 'a new code pairs it again');
});
