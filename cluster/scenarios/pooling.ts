import { sql } from 'kysely';
import pg from 'pg';
import { json, type Outcome, request } from '../../faults/http.ts';
import { ADMIN_PASSWORD, type ClusterScenario, DATABASE } from '../context.ts';
import { signIn } from '../staff-session.ts';

// PgBouncer in transaction pooling mode under work that takes transaction-
// scoped advisory locks (one-time codes issued per unit, sign-in throttles),
// all at once through the load balancer: no error. Then where the nodes'
// connections really come from: every backend of the app's pool
// (application_name 'hai-long') must be one of PgBouncer's server
// connections, and no advisory lock may be left held once all is done (a
// session lock taken through PgBouncer and unlocked on another server
// connection would stay).

const CODES = 40;
const SIGN_INS = 8;
const PAGES = 24;

async function consoleRows(url: string, query: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(query)).rows;
  } finally {
    await client.end();
  }
}

export const pooling: ClusterScenario = {
  name: 'PgBouncer transaction pooling',
  async run(ctx) {
    const { balancer, bouncer } = ctx.parts;
    const lb = balancer.url;
    const desk = await ctx.desk();
    const session = await signIn(lb, ctx.adminEmail, ADMIN_PASSWORD);
    const auth = { authorization: `Bearer ${ctx.managerKey}` };
    const work: Promise<Outcome>[] = [];
    for (let i = 0; i < CODES; i++) {
      const body = json({ desk: desk.code, serviceArea: 'dat-dai', dossierRef: `HS-CUM-${i}` });
      work.push(
        request(lb, {
          method: 'POST',
          path: '/api/v1/transaction-codes',
          ...body,
          headers: { ...body.headers, ...auth },
        }),
      );
    }
    // From several staff PCs: more than 5 at once from one would be throttled, rightly.
    const signIns = Array.from({ length: SIGN_INS }, (_, i) =>
      signIn(lb, ctx.adminEmail, ADMIN_PASSWORD, `10.19.0.${i + 1}`).then(
        () => '',
        (err: Error) => err.message,
      ),
    );
    for (let i = 0; i < PAGES; i++) {
      work.push(
        request(lb, { method: 'GET', path: i % 2 ? '/staff' : '/staff/units', headers: { cookie: session.cookie } }),
      );
    }
    const outcomes = await Promise.all(work);
    const signInErrors = (await Promise.all(signIns)).filter(Boolean);
    const signedIn = SIGN_INS - signInErrors.length;
    const codes = outcomes.slice(0, CODES);
    const pages = outcomes.slice(CODES);
    const issued = codes.filter((o) => o.reply?.status === 201);
    const distinct = new Set(issued.map((o) => (JSON.parse(o.reply!.body) as { url: string }).url)).size;
    const pagesOk = pages.filter((o) => o.reply?.status === 200).length;
    const failures = outcomes
      .filter((o) => !o.reply || o.reply.status >= 300)
      .slice(0, 3)
      .map((o) => `${o.reply?.status ?? o.error} ${o.reply?.body.slice(0, 200) ?? ''}`);

    const servers = await consoleRows(bouncer.url('pgbouncer'), 'SHOW SERVERS');
    const clients = await consoleRows(bouncer.url('pgbouncer'), 'SHOW CLIENTS');
    const serverPorts = new Set(servers.map((s) => Number(s.local_port)));
    const backends = await sql<{ app: string; port: number }>`
      select application_name as app, client_port as port from pg_stat_activity
      where datname = ${DATABASE} and backend_type = 'client backend' and pid <> pg_backend_pid()`.execute(ctx.db);
    const viaBouncer = backends.rows.filter((b) => serverPorts.has(b.port));
    const direct = backends.rows.filter((b) => !serverPorts.has(b.port));
    const directByApp: Record<string, number> = {};
    for (const b of direct) directByApp[b.app || '(none)'] = (directByApp[b.app || '(none)'] ?? 0) + 1;
    const appPoolDirect = direct.filter((b) => b.app === 'hai-long').length;
    const locks = await sql<{ n: number }>`select count(*)::int as n from pg_locks where locktype = 'advisory'`.execute(
      ctx.db,
    );
    const [timeout] = await consoleRows(bouncer.url(DATABASE), 'show statement_timeout');
    return {
      name: this.name,
      target: 'no errors; app pool only through PgBouncer; no advisory lock left',
      figures: {
        codesIssued: `${issued.length}/${CODES}`,
        codesDistinct: distinct,
        signIns: `${signedIn}/${SIGN_INS}`,
        staffPages: `${pagesOk}/${PAGES}`,
        bouncerClients: clients.length,
        backendsViaBouncer: viaBouncer.length,
        appPoolDirect,
        direct: Object.entries(directByApp)
          .map(([k, n]) => `${k}×${n}`)
          .join(' '),
        advisoryLocksLeft: locks.rows[0]?.n ?? -1,
        statementTimeout: String(timeout?.statement_timeout ?? '?'),
      },
      pass:
        issued.length === CODES &&
        distinct === CODES &&
        signedIn === SIGN_INS &&
        pagesOk === PAGES &&
        viaBouncer.length > 0 &&
        appPoolDirect === 0 &&
        locks.rows[0]?.n === 0,
      notes: [...failures, ...new Set(signInErrors)],
    };
  },
};
