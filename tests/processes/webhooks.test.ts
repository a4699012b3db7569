import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import { sql } from 'kysely';
import t, { type Test } from 'tap';
import { createApiKey } from '../../server/features/access/api-key-service.ts';
import { insertDesk } from '../../server/features/organisation/desk-repository.ts';
import { verifySignature } from '../../server/features/webhooks/webhook-signature.ts';
import type { Db } from '../../server/platform/db/connect.ts';
import { createCentre, unitCode } from '../helpers/fixtures.ts';
import { testDatabase } from '../helpers/harness.ts';
import { childEnv, exited, freePort, ROOT, startServer } from '../helpers/process.ts';
import { startSmtp } from '../helpers/smtp.ts';

// Webhooks and mail with real processes: the server delivering in its own
// process to a receiver and a real SMTP server on loopback, a receiver that
// goes down and comes back, and `npm run worker` killed with SIGKILL in the
// middle of a delivery. The receiver deduplicates by delivery
// id, as README "Webhooks" tells receivers to: every delivery arrives (at
// least once), none is lost.

const SECRET = 'process-test-secret-0123456789';
// Short attempts so that a dead worker's lease (attempt timeout + 5 s) ends soon.
const ENV = { WEBHOOK_TIMEOUT_MS: '3000', SEED_DEMO: 'never', LOG_LEVEL: 'warn' };

interface Arrival {
  id: string;
  event: string;
  signed: boolean;
}

/** A receiver on a fixed loopback port that can be stopped, started again, or made to hold requests. */
async function receiver(t: Test) {
  const port = await freePort();
  const arrivals: Arrival[] = [];
  const held: ServerResponse[] = [];
  let mode: 'answer' | 'hold' = 'answer';
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const parsed = JSON.parse(body);
      const signed = verifySignature(SECRET, String(req.headers['x-hai-long-signature']), body);
      arrivals.push({ id: parsed.id, event: parsed.event, signed });
      if (mode === 'hold') held.push(res);
      else res.writeHead(204).end();
    });
  });
  const up = () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  const down = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  await up();
  t.teardown(() => {
    for (const r of held) r.destroy();
    return server.listening ? down() : undefined;
  });
  return {
    url: `http://127.0.0.1:${port}/hook`,
    arrivals,
    /** Delivery ids seen, each once. */
    unique: () => [...new Set(arrivals.map((a) => a.id))],
    up,
    down,
    hold: (on: boolean) => {
      mode = on ? 'hold' : 'answer';
    },
  };
}

async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `npm run worker` (tsx server/worker.ts), once it says it is ready. */
function startWorker(env: Record<string, string>): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/worker.ts'], {
      cwd: ROOT,
      env: childEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const onData = (d: Buffer) => {
      out += d;
      if (out.includes('Worker ready')) resolve(child);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`worker exited with ${code}:\n${out}`)));
  });
}

const deliveryOf = async (db: Db, eventId: string) =>
  (
    await sql<{ id: string; status: string; attempts: number }>`
      select id, status, attempts from webhook_delivery where event_id = ${eventId}`.execute(db)
  ).rows[0];

const newestEvent = async (db: Db) =>
  (
    await sql<{ id: string }>`
      select id from outbox_event where event = 'feedback.created' order by created_at desc limit 1`.execute(db)
  ).rows[0]?.id;

t.test(
  'deliveries and the alert mail arrive; deliveries survive a receiver outage and a worker killed mid-delivery',
  async (t) => {
    const { db, url: databaseUrl } = await testDatabase(t);
    const centre = await createCentre(db, 'Xã Móc Nối');
    // The centre's manager, who gets the low-score alert (issue 18, part 3).
    await db
      .insertInto('app_user')
      .values({
        email: 'truongbophan@mocnoi.example.gov.vn',
        name: 'Trưởng bộ phận',
        password_hash: 'not-used',
        role: 'manager',
        unit_id: centre.centreId,
      })
      .execute();
    const smtp = await startSmtp();
    t.teardown(() => smtp.close());
    const deskCode = `q-${centre.centreId}`;
    await insertDesk(db, { unitId: centre.centreId, code: deskCode, name: 'Quầy 1', serviceAreas: ['dat-dai'] });
    const communeCode = await unitCode(db, centre.communeId);
    const manager = (await createApiKey(db, { unitCode: communeCode, role: 'manager', label: 'quản lý' }))!.key;
    const submit = (await createApiKey(db, { unitCode: communeCode, role: 'submit', label: 'gửi phiếu' }))!.key;
    const hook = await receiver(t);

    // 1. The server, delivering in its own process (WORKER unset: inline).
    const server = await startServer({
      ...ENV,
      DATABASE_URL: databaseUrl,
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Hài Lòng <khaosat@example.gov.vn>',
    });
    t.teardown(() => void server.child.kill('SIGKILL'));
    const made = await fetch(`${server.url}/api/v1/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${manager}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: hook.url, events: ['feedback.created'], secret: SECRET }),
    });
    t.equal(made.status, 201, 'the webhook is registered');
    const respond = async () => {
      const res = await fetch(`${server.url}/api/v1/responses`, {
        method: 'POST',
        headers: { authorization: `Bearer ${submit}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          desk: deskCode,
          serviceArea: 'dat-dai',
          submissionId: randomUUID(),
          answers: {
            access: 1,
            procedure: 1,
            staff: 1,
            result: 1,
            feedback: 1,
            overall: 1,
            trips: '1',
            comment: 'Rất chậm.',
          },
        }),
      });
      t.equal(res.status, 201, 'a response with a score of 1 and a comment');
      return until('its event', () => newestEvent(db));
    };
    const submittedAt = Date.now();
    const first = await respond();
    const firstDelivery = await until('the delivery row', () => deliveryOf(db, first));
    const arrived = await until('the first delivery', () => hook.arrivals.find((a) => a.id === firstDelivery.id));
    t.match(arrived, { event: 'feedback.created', signed: true }, 'a signed feedback.created delivery arrives');
    const alert = await smtp.waitFor((m) => m.to.includes('truongbophan@mocnoi.example.gov.vn'), 30_000);
    t.ok(Date.now() - submittedAt < 30_000, 'the delivery and the alert mail within 30 seconds of the response');
    t.match(alert.subject, 'Xã Móc Nối', 'the alert names the centre');
    t.notMatch(alert.text, 'Rất chậm', 'the mail carries no comment text');

    // 2. The receiver is down: the attempt fails, the retry arrives once it is back.
    await hook.down();
    const second = await respond();
    const failed = await until('a failed attempt', async () => {
      const d = await deliveryOf(db, second);
      return d && d.status === 'pending' && d.attempts >= 1 ? d : undefined;
    });
    t.pass(`attempt ${failed.attempts} failed while the receiver was down`);
    await hook.up();
    await until('the retried delivery', () => hook.arrivals.find((a) => a.id === failed.id), 20_000);
    // The receiver has it; the worker records it a moment later.
    await until(
      'the retried delivery recorded',
      async () => (await deliveryOf(db, second))?.status === 'delivered' || undefined,
    );
    t.pass('delivered after the retry');

    // 3. `npm run worker` alone, killed with SIGKILL while the receiver holds its request.
    server.child.kill('SIGTERM');
    t.equal(await exited(server.child), 0, 'the server (and its worker) stop cleanly on SIGTERM');
    const workerEnv = { ...ENV, DATABASE_URL: databaseUrl };
    const worker = await startWorker(workerEnv);
    t.teardown(() => void worker.kill('SIGKILL'));
    hook.hold(true);
    const before = hook.arrivals.length;
    // Stored as the server would, straight in the database: the server is stopped.
    await sql`
    with r as (
      insert into response (submission_id, payload_hash, survey_version_id, unit_id, desk_id, service_area_code, channel)
      select ${randomUUID()}, 'x', (select id from survey_version order by id limit 1), ${centre.centreId},
             (select id from desk where code = ${deskCode}), 'dat-dai', 'api'
      returning id, submitted_at)
    insert into answer (response_id, submitted_at, indicator_key, value_num, value_text)
    select id, submitted_at, 'overall', 1, null from r union all select id, submitted_at, 'comment', null, 'Chờ lâu.' from r`.execute(
      db,
    );
    await until('the held request', () => hook.arrivals.length > before || undefined);
    worker.kill('SIGKILL');
    await exited(worker);
    const held = hook.arrivals.at(-1)!;
    t.equal(
      (await sql<{ status: string }>`select status from webhook_delivery where id = ${held.id}`.execute(db)).rows[0]
        ?.status,
      'sending',
      'the killed worker left the delivery mid-attempt',
    );
    hook.hold(false);
    const again = await startWorker(workerEnv);
    t.teardown(() => void again.kill('SIGKILL'));
    await until(
      'the delivery after the restart',
      () => hook.arrivals.filter((a) => a.id === held.id).length >= 2 || undefined,
    );
    await until('its row delivered', async () => {
      const { rows } = await sql<{ status: string }>`select status from webhook_delivery where id = ${held.id}`.execute(
        db,
      );
      return rows[0]?.status === 'delivered' || undefined;
    });
    t.pass('the delivery arrived again after the restart, and is recorded as delivered');
    t.ok(
      hook.arrivals.every((a) => a.signed),
      'every arrival is signed',
    );
    t.same(
      hook.unique().sort(),
      [firstDelivery.id, failed.id, held.id].sort(),
      'each delivery id, once after deduplicating',
    );
    again.kill('SIGTERM');
    t.equal(await exited(again), 0, 'the worker stops cleanly on SIGTERM');
  },
);
