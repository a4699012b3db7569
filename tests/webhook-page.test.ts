import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import t, { type Test } from 'tap';
import { deliver } from '../server/features/webhooks/webhook-delivery.ts';
import { markFailed } from '../server/features/webhooks/webhook-delivery-repository.ts';
import { mailWebhookPaused } from '../server/features/webhooks/webhook-paused-mail.ts';
import { verifySignature } from '../server/features/webhooks/webhook-signature.ts';
import type { Db } from '../server/platform/db/connect.ts';
import { recordEvent } from '../server/platform/events/outbox.ts';
import { createMailer } from '../server/platform/mail/mailer.ts';
import { createCentre, unitCode } from './helpers/fixtures.ts';
import { testApp } from './helpers/harness.ts';
import { startSmtp } from './helpers/smtp.ts';
import { type StaffClient, staffClient } from './helpers/staff.ts';

// The staff page for webhooks (issue 18): a manager registers an endpoint
// (the secret shown once), follows its deliveries, sends one again with the
// same id, resumes it when paused; its owner is mailed when it pauses.
// Other units get a 404, counter staff a 403.

/** A receiver on loopback answering `status()`; the bodies it received. */
async function receiver(t: Test, status: () => number) {
  const received: { body: string; signature: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ body, signature: String(req.headers['x-hai-long-signature']) });
      res.writeHead(status()).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook/token-in-path`, received };
}

const secretOf = (html: string) => /<code class="secret">([^<]+)<\/code>/.exec(html)?.[1];
const auditCount = async (db: Db, action: string) =>
  (await sql<{ n: number }>`select count(*)::int as n from audit_event where action = ${action}`.execute(db)).rows[0]!
    .n;
const jobsOf = async (db: Db, task: string) =>
  (
    await sql<{ payload: Record<string, unknown>; key: string | null }>`
      select j.payload, j.key from graphile_worker._private_jobs j
        join graphile_worker._private_tasks k on k.id = j.task_id
       where k.identifier = ${task}`.execute(db)
  ).rows;

async function setup(t: Test) {
  const { app, db, config } = await testApp(t);
  const a = await createCentre(db, 'Xã An Bình');
  const communeCode = await unitCode(db, a.communeId);
  const manager = await staffClient(app, db, { role: 'manager', unitCode: communeCode });
  /** Registers an endpoint on the page; its id and the secret the page showed. */
  const register = async (client: StaffClient, url: string, events: string[]) => {
    const res = await client.post('/staff/webhooks', { unit: communeCode, url, events });
    const row = await db
      .selectFrom('webhook_endpoint')
      .select(['id', 'secret', 'owner_user_id'])
      .orderBy('id', 'desc')
      .executeTakeFirst();
    return { res, id: Number(row?.id), row };
  };
  return { app, db, config, a, communeCode, manager, register };
}

t.test('a manager registers a webhook, follows its deliveries, sends one again and resumes it', async (t) => {
  const { db, config, a, manager, register } = await setup(t);
  t.match((await manager.get('/staff/webhooks')).body, /Chưa có địa chỉ webhook nào/);

  let answer = 200;
  const hook = await receiver(t, () => answer);
  const made = await register(manager, hook.url, ['response.low_score', 'feedback.created']);
  t.equal(made.res.statusCode, 201, 'registered');
  const secret = secretOf(made.res.body);
  t.match(secret, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url');
  t.equal(made.row?.secret, secret, 'the secret the page showed is the one kept');
  t.match(made.res.body, /sẽ không hiển thị lại/, 'with the note that it is shown once');
  t.match(made.res.body, /hx-history="false"/, 'and kept out of htmx’s history cache');
  const managerId = (
    await db.selectFrom('app_user').select('id').where('email', '=', manager.email).executeTakeFirstOrThrow()
  ).id;
  t.equal(made.row?.owner_user_id, managerId, 'its owner is the manager');
  t.equal(await auditCount(db, 'webhook.create'), 1, 'audited as the API audits it');

  const list = await manager.get('/staff/webhooks');
  t.notOk(list.body.includes(secret!), 'not shown again on reload');
  t.match(list.body, /Đang hoạt động/);
  t.match(list.body, /Đánh giá thấp \(1–2 điểm\)/, 'events by their Vietnamese names');

  // An event, delivered to the receiver.
  await db
    .transaction()
    .execute((trx) => recordEvent(trx, { event: 'response.low_score', unitId: a.centreId, data: { score: 1 } }));
  const first = await db.selectFrom('webhook_delivery').select('id').executeTakeFirstOrThrow();
  t.equal(await deliver(db, first.id, config.webhooks), 'delivered');
  t.ok(verifySignature(secret!, hook.received[0]!.signature, hook.received[0]!.body), 'signed with the page’s secret');

  const page = await manager.get(`/staff/webhooks/${made.id}`);
  t.equal(page.statusCode, 200);
  t.match(page.body, first.id, 'the delivery in the log');
  t.match(page.body, /Đã nhận/);
  t.match(page.body, /Gửi lại/);
  t.match((await manager.get('/staff/webhooks')).body, /Đã nhận: 1/, 'counted on the list');

  // Sent again: the same delivery id reaches the receiver a second time.
  const resent = await manager.post(`/staff/webhooks/${made.id}/deliveries/${first.id}/resend`);
  t.equal(resent.statusCode, 303);
  t.same(
    (await jobsOf(db, 'webhook_deliver')).map((j) => j.key),
    [`webhook_delivery:${first.id}`],
    'queued under the delivery’s job key',
  );
  t.equal(await deliver(db, first.id, config.webhooks), 'delivered');
  t.equal(hook.received.length, 2);
  t.same(
    hook.received.map((r) => JSON.parse(r.body).id),
    [first.id, first.id],
    'the same delivery id both times',
  );
  t.equal(await auditCount(db, 'webhook.resend'), 1);
  t.equal(
    (await manager.post(`/staff/webhooks/${made.id}/deliveries/00000000-0000-4000-8000-000000000000/resend`))
      .statusCode,
    404,
    'a delivery of no one: 404',
  );

  // The receiver fails for more than 24 hours: paused, audited once, its owner's mail queued.
  answer = 503;
  for (const score of [1, 2]) {
    await recordEvent(db, { event: 'response.low_score', unitId: a.centreId, data: { score } });
  }
  const [failing, skipped] = (
    await sql<{ id: string }>`select id from webhook_delivery where id <> ${first.id} order by created_at, id`.execute(
      db,
    )
  ).rows;
  await sql`update webhook_endpoint set failing_since = now() - interval '25 hours'`.execute(db);
  t.equal(await deliver(db, failing!.id, config.webhooks), 'retry');
  t.equal(await deliver(db, skipped!.id, config.webhooks), 'skipped', 'not sent while paused');
  // A second failure reported while paused (a retry already running) pauses nothing again.
  await markFailed(db, {
    id: failing!.id,
    endpointId: made.id,
    status: 503,
    error: 'HTTP 503',
    durationMs: 1,
    retryInMs: 60_000,
    pauseAfterMs: 1,
  });
  t.equal(await auditCount(db, 'webhook.paused'), 1, 'the pause audited once');
  t.same(
    (await jobsOf(db, 'mail_webhook_paused')).map((j) => j.payload),
    [{ endpointId: made.id }],
    'one mail queued',
  );

  const paused = await manager.get(`/staff/webhooks/${made.id}`);
  t.match(paused.body, /Tạm dừng từ \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/);
  t.match(paused.body, /Tiếp tục gửi/);
  t.equal(
    (await manager.post(`/staff/webhooks/${made.id}/deliveries/${skipped!.id}/resend`)).statusCode,
    409,
    'nothing is sent again to a paused endpoint',
  );

  // Resumed, then what failed is sent again.
  answer = 200;
  t.equal((await manager.post(`/staff/webhooks/${made.id}/resume`)).statusCode, 303);
  const resumed = await db
    .selectFrom('webhook_endpoint')
    .select(['paused_at', 'failing_since'])
    .executeTakeFirstOrThrow();
  t.same(resumed, { paused_at: null, failing_since: null }, 'pause and failure cleared');
  t.equal(await auditCount(db, 'webhook.resume'), 1);
  const after = await manager.get(`/staff/webhooks/${made.id}?done=resumed`);
  t.match(after.body, /Đã tiếp tục gửi/);
  t.match(after.body, /Gửi lại các lần thất bại/, 'offers to send again what failed');
  const again = await manager.post(`/staff/webhooks/${made.id}/resend-failed`);
  t.equal(again.statusCode, 303);
  t.match(String(again.headers.location), /done=resent_failed&n=1$/);
  t.equal(await deliver(db, skipped!.id, config.webhooks), 'delivered');
  t.equal(JSON.parse(hook.received.at(-1)!.body).id, skipped!.id, 'the skipped delivery arrives with its id');

  // Deleted after confirmation.
  t.equal((await manager.post(`/staff/webhooks/${made.id}/delete`)).statusCode, 422, 'not without the confirmation');
  const deleted = await manager.post(`/staff/webhooks/${made.id}/delete`, { confirm: '1' });
  t.equal(deleted.statusCode, 303);
  t.equal((await manager.get(`/staff/webhooks/${made.id}`)).statusCode, 404);
  t.equal(await auditCount(db, 'webhook.delete'), 1);
});

t.test('the form checks what is typed; the URL rules and the limit are the API’s', async (t) => {
  const { manager, register } = await setup(t);
  const empty = await manager.post('/staff/webhooks', {});
  t.equal(empty.statusCode, 422);
  t.match(empty.body, /Vui lòng chọn ít nhất một sự kiện/);
  const bad = await manager.post('/staff/webhooks', { url: 'ftp://hooks.example.vn/x' });
  t.equal(bad.statusCode, 422);
  t.match(bad.body, /id="url-error"/, 'the URL refused with the other mistakes');
  const plain = await register(manager, 'http://hooks.example.vn/x', ['feedback.created']);
  t.equal(plain.res.statusCode, 422, 'http to a public name is refused');
  t.notOk(secretOf(plain.res.body), 'and no secret is shown');
  for (let i = 0; i < 10; i++)
    t.equal((await register(manager, `https://hooks.example.vn/${i}`, ['feedback.created'])).res.statusCode, 201);
  t.equal(
    (await register(manager, 'https://hooks.example.vn/11', ['feedback.created'])).res.statusCode,
    409,
    'at most 10 per unit',
  );
});

t.test('another unit’s manager gets a 404, a counter clerk a 403', async (t) => {
  const { app, db, a, manager, register } = await setup(t);
  const made = await register(manager, 'https://hooks.example.vn/an-binh', ['feedback.created']);
  await recordEvent(db, { event: 'feedback.created', unitId: a.centreId, data: {} });
  const delivery = await db.selectFrom('webhook_delivery').select('id').executeTakeFirstOrThrow();

  const b = await createCentre(db, 'Xã Bình Minh');
  const other = await staffClient(app, db, { role: 'manager', unitCode: await unitCode(db, b.communeId) });
  t.notMatch((await other.get('/staff/webhooks')).body, /hooks\.example\.vn\/an-binh/, 'not listed');
  t.equal((await other.get(`/staff/webhooks/${made.id}`)).statusCode, 404);
  for (const action of ['resume', 'resend-failed', `deliveries/${delivery.id}/resend`]) {
    t.equal((await other.post(`/staff/webhooks/${made.id}/${action}`)).statusCode, 404, action);
  }
  t.equal((await other.post(`/staff/webhooks/${made.id}/delete`, { confirm: '1' })).statusCode, 404);
  const registered = await other.post('/staff/webhooks', {
    unit: await unitCode(db, a.communeId),
    url: 'https://hooks.example.vn/chen',
    events: 'feedback.created',
  });
  t.equal(registered.statusCode, 422, 'nor may it register one for commune A');
  t.equal((await db.selectFrom('webhook_endpoint').select('id').execute()).length, 1, 'still one endpoint');

  const official = await staffClient(app, db, { role: 'official', unitCode: await unitCode(db, a.provinceId) });
  t.equal((await official.get(`/staff/webhooks/${made.id}`)).statusCode, 200, 'an official above sees it');

  const clerk = await staffClient(app, db, { role: 'staff', unitCode: await unitCode(db, a.centreId) });
  t.equal((await clerk.get('/staff/webhooks')).statusCode, 403);
  t.equal((await clerk.get(`/staff/webhooks/${made.id}`)).statusCode, 403);
  t.equal((await clerk.post(`/staff/webhooks/${made.id}/resume`)).statusCode, 403);
});

t.test('the owner of a paused endpoint is mailed, with the unit and no secret', async (t) => {
  const { app, db, config, a, communeCode, manager, register } = await setup(t);
  const smtp = await startSmtp();
  t.teardown(() => smtp.close());
  const mailer = createMailer({ url: smtp.url, from: 'x@example.gov.vn' })!;
  t.teardown(() => mailer.close());

  const made = await register(manager, 'https://hooks.example.vn/hook/token-in-path', ['feedback.created']);
  const secret = secretOf(made.res.body)!;
  t.same(await mailWebhookPaused({ db, config, mailer }, made.id), { status: 'not_paused' }, 'nothing while it runs');
  await sql`update webhook_endpoint set paused_at = now(), failing_since = now() - interval '25 hours'`.execute(db);
  t.same(await mailWebhookPaused({ db, config, mailer: undefined }, made.id), { status: 'no_mailer' });

  const sent = await mailWebhookPaused({ db, config, mailer }, made.id);
  t.same(sent, { status: 'sent', to: [manager.email] }, 'to its owner alone');
  const mail = await smtp.waitFor((m) => m.to.includes(manager.email));
  t.match(mail.subject, /Webhook của Xã An Bình đã bị tạm dừng/);
  t.match(mail.text, /Xã An Bình/, 'the unit');
  t.match(mail.text, /https:\/\/hooks\.example\.vn /, 'the origin of the URL');
  t.notOk(mail.text.includes('token-in-path'), 'not its path');
  t.notOk(mail.text.includes(secret), 'never the secret');
  t.ok(mail.text.includes(`${config.publicUrl}/staff/webhooks/${made.id}`), 'the page to resume it');
  t.match(mail.text, /Tiếp tục gửi/);

  // Registered with an API key (no owner): the unit's managers and officials, not its clerks, not who opted out.
  await sql`update webhook_endpoint set owner_user_id = null`.execute(db);
  const official = await staffClient(app, db, { role: 'official', unitCode: communeCode });
  await staffClient(app, db, { role: 'staff', unitCode: communeCode });
  const elsewhere = await staffClient(app, db, { role: 'manager', unitCode: await unitCode(db, a.centreId) });
  const optedOut = await staffClient(app, db, { role: 'manager', unitCode: communeCode });
  const optedOutId = (
    await db.selectFrom('app_user').select('id').where('email', '=', optedOut.email).executeTakeFirstOrThrow()
  ).id;
  await db
    .insertInto('user_mail_preference')
    .values({ user_id: optedOutId, topic: 'webhook_paused', enabled: false })
    .execute();
  const unowned = await mailWebhookPaused({ db, config, mailer }, made.id);
  t.same(unowned.status === 'sent' ? [...unowned.to].sort() : unowned, [manager.email, official.email].sort());
  t.notOk(unowned.status === 'sent' && unowned.to.includes(elsewhere.email), 'not the centre below');
});
