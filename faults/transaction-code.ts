import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createApiKey } from '../server/features/access/api-key-service.ts';
import { form, json, request } from './http.ts';
import { type Scenario, stopServer } from './scenario.ts';

// A one-time code from a receipt slip, used 100 times at once (the slip
// photographed and shared): exactly one response is accepted and marked
// verified; the others are told the code was used.

const USES = 100;

const FORM_ANSWERS = { access: '4', procedure: '5', staff: '5', result: '4', feedback: 'na', overall: '5' };

export const transactionCode: Scenario = {
  name: 'one transaction code ×100',
  async run(ctx) {
    const desk = await ctx.desk();
    const key = await createApiKey(ctx.db, { unitCode: desk.centreCode, role: 'manager', label: 'fault suite' });
    if (!key) throw new Error('could not create an API key');
    const server = await ctx.startServer();
    const issued = await request(server.url, {
      method: 'POST',
      path: '/api/v1/transaction-codes',
      ...json({ desk: desk.code, serviceArea: 'dat-dai', dossierRef: 'HS-FAULTS-0001' }),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key.key}` },
    });
    if (issued.reply?.status !== 201) throw new Error(`issuing a code: ${issued.reply?.status} ${issued.error ?? ''}`);
    const path = new URL((JSON.parse(issued.reply.body) as { url: string }).url).pathname;
    const outcomes = await Promise.all(
      Array.from({ length: USES }, () =>
        request(server.url, { method: 'POST', path, ...form({ ...FORM_ANSWERS, submissionId: randomUUID() }) }),
      ),
    );
    await stopServer(server.child);
    const statuses = outcomes.map((o) => o.reply?.status ?? 0);
    const accepted = statuses.filter((s) => s === 200).length;
    const refused = statuses.filter((s) => s === 410).length;
    const rows = await sql<{ n: number; verified: number }>`
      select count(*)::int as n, count(*) filter (where verified)::int as verified
      from response where desk_id = ${desk.id}`.execute(ctx.db);
    const { n, verified } = rows.rows[0]!;
    return {
      name: this.name,
      target: '1 accepted',
      figures: { uses: USES, accepted, refused410: refused, other: USES - accepted - refused, rows: n, verified },
      pass: accepted === 1 && refused === USES - 1 && n === 1 && verified === 1,
    };
  },
};
