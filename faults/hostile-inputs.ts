import net from 'node:net';
import { sql } from 'kysely';
import { createApiKey } from '../server/features/access/api-key-service.ts';
import { ANSWER_ROWS } from './context.ts';
import { type HostileCase, hostileCases } from './hostile-cases.ts';
import { json, type Outcome, pool, request } from './http.ts';
import { type Scenario, stopServer } from './scenario.ts';

// At least 500 generated malformed and hostile requests against every public
// and API route (hostile-cases.ts): all answered, none with a 5xx, no stack
// trace in any body, invalid ones refused with a 4xx, and nothing stored.

const SEED = 20_261_122;
const STACK = /\n\s+at |node_modules|\/work\//;

function rawRequest(base: string, raw: string): Promise<Outcome> {
  const url = new URL(base);
  return new Promise((resolve) => {
    let data = '';
    // Written, not ended: a half-closed socket may be dropped before a slow answer.
    const socket = net.connect(Number(url.port), url.hostname, () => socket.write(raw, 'latin1'));
    const finish = () => {
      socket.destroy();
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(data);
      resolve(
        m
          ? { reply: { status: Number(m[1]), headers: {}, body: data, ms: 0 } }
          : { error: `no answer: ${JSON.stringify(data.slice(0, 80))}` },
      );
    };
    const timer = setTimeout(finish, 5_000);
    socket.on('data', (d) => {
      data += d.toString('latin1');
      if (/\r\n\r\n/.test(data)) {
        clearTimeout(timer);
        setTimeout(finish, 50);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      finish();
    });
  });
}

async function totals(ctx: Parameters<Scenario['run']>[0]) {
  const r = await sql<{ responses: number; answers: number; codes: number; used: number }>`
    select (select count(*)::int from response) as responses, (select count(*)::int from answer) as answers,
      (select count(*)::int from transaction_code) as codes,
      (select count(*)::int from transaction_code where used) as used`.execute(ctx.db);
  return r.rows[0]!;
}

export const hostileInputs: Scenario = {
  name: 'hostile inputs',
  async run(ctx, say) {
    const desk = await ctx.desk();
    const manager = await createApiKey(ctx.db, { unitCode: desk.centreCode, role: 'manager', label: 'fault suite' });
    const official = await createApiKey(ctx.db, { unitCode: desk.centreCode, role: 'official', label: 'fault suite' });
    const submit = await createApiKey(ctx.db, {
      unitCode: desk.centreCode,
      role: 'submit',
      channels: ['api', 'kiosk', 'paper', 'link'],
      label: 'fault suite',
    });
    if (!manager || !official || !submit) throw new Error('could not create API keys');
    const server = await ctx.startServer();
    try {
      const codes: string[] = [];
      for (let i = 0; i < 3; i++) {
        const issued = await request(server.url, {
          method: 'POST',
          path: '/api/v1/transaction-codes',
          ...json({ desk: desk.code, serviceArea: 'dat-dai', dossierRef: `HS-HOSTILE-CODE-${i}` }),
          headers: { 'content-type': 'application/json', authorization: `Bearer ${manager.key}` },
        });
        codes.push(new URL((JSON.parse(issued.reply?.body ?? '{}') as { url: string }).url).pathname.split('/')[2]!);
      }
      const cases = hostileCases(
        { desk: desk.code, codes, managerKey: manager.key, officialKey: official.key, submitKey: submit.key },
        SEED,
      );
      const before = await totals(ctx);
      const results: { c: HostileCase; o: Outcome }[] = [];
      await pool(cases, 20, async (c) => {
        const o = c.raw
          ? await rawRequest(server.url, c.raw)
          : await request(server.url, { ...c.spec!, timeoutMs: 15_000 });
        results.push({ c, o });
      });
      const after = await totals(ctx);
      const failures: string[] = [];
      const byRoute = new Map<string, { n: number; refused: number; accepted: number; bad: number }>();
      let fiveXX = 0;
      let stackTraces = 0;
      let unanswered = 0;
      let invalidAccepted = 0;
      let refused = 0;
      let acceptedAny = 0;
      for (const { c, o } of results) {
        const row = byRoute.get(c.route) ?? { n: 0, refused: 0, accepted: 0, bad: 0 };
        byRoute.set(c.route, row);
        row.n++;
        const status = o.reply?.status;
        const what = `${c.route} ${c.spec ? `${c.spec.path.slice(0, 60)} ${String(c.spec.body ?? '').slice(0, 80)}` : JSON.stringify(c.raw?.slice(0, 60))}`;
        let bad = false;
        if (!status) {
          unanswered++;
          bad = true;
          failures.push(`unanswered (${o.error}): ${what}`);
        } else if (status >= 500) {
          fiveXX++;
          bad = true;
          failures.push(`${status}: ${what}`);
        } else if (status < 400) {
          if (c.expect === 'invalid') {
            invalidAccepted++;
            bad = true;
            failures.push(
              `${status} for an invalid input: ${c.route} ${c.spec?.path} ${JSON.stringify(String(c.spec?.body ?? '').slice(0, 400))}`,
            );
          } else {
            acceptedAny++;
            row.accepted++;
          }
        } else {
          refused++;
          row.refused++;
        }
        if (o.reply && STACK.test(o.reply.body)) {
          stackTraces++;
          bad = true;
          failures.push(`stack trace in the body: ${what}`);
        }
        if (bad) row.bad++;
      }
      for (const [route, r] of byRoute)
        say(`  ${route.padEnd(32)} ${r.n} sent, ${r.refused} 4xx, ${r.accepted} valid 2xx/3xx, ${r.bad} wrong`);
      // Only the valid inputs that were answered 2xx on a storing route may have stored anything.
      const storing = /^POST \/(api\/v1\/responses|q\/|t\/)/;
      const validStored = results.filter(
        ({ c, o }) => c.expect === 'any' && storing.test(c.route) && (o.reply?.status ?? 0) < 300 && o.reply,
      ).length;
      const stored =
        after.responses -
        before.responses -
        validStored +
        (after.answers - before.answers - validStored * ANSWER_ROWS) +
        (after.codes - before.codes) +
        (after.used - before.used);
      return {
        name: this.name,
        target:
          '≥ 500 inputs on every public and API route: 4xx (2xx/3xx only where valid), 0 5xx, 0 stack traces, nothing stored',
        figures: {
          seed: SEED,
          inputs: results.length,
          routes: byRoute.size,
          refused4xx: refused,
          validAnswered2xx3xx: acceptedAny,
          invalidAccepted,
          '5xx': fiveXX,
          unanswered,
          stackTraces,
          storedByValidInputs: validStored,
          rowsStoredByInvalidInputs: stored,
        },
        pass:
          results.length >= 500 &&
          fiveXX === 0 &&
          unanswered === 0 &&
          stackTraces === 0 &&
          invalidAccepted === 0 &&
          stored === 0,
        notes: failures.slice(0, 10),
      };
    } finally {
      await stopServer(server.child);
    }
  },
};
