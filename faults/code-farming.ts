import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createUser } from '../server/features/access/auth-service.ts';
import { loadConfig } from '../server/platform/config.ts';
import { ATTACK_ANSWERS, figures, httpSender } from '../tests/helpers/stuffing-attack.ts';
import { form, type Outcome, request, sleep } from './http.ts';
import { type Scenario, stopServer } from './scenario.ts';

// Staff code farming (issue 11): a counter-staff account, signed in to a real
// server, mints one-time codes for its desk as fast as it can, in parallel
// batches of 50 and then exactly what the refusals say is left. Target: it
// gets the daily cap and not one code more, every code it got is audited
// (the audited counts add up to the codes stored with it as issuer), and
// then 30 identical top-score posts through those codes from one address
// (each page loaded first, posted a few seconds later, as a careful script
// does) are flagged: a code proves a receipt, not an honest answer.

const PASSWORD = 'mat-khau-thu-loi-ma-mot-lan';
const WORKERS = 8;
const BATCH = 50;
const POSTS = 30;
const SECONDS_ON_PAGE = 6;

/** A staff session over plain HTTP: the sign-in form, its cookies and the CSRF token. */
async function signIn(base: string, email: string) {
  const cookies = new Map<string, string>();
  const keep = (o: Outcome) => {
    for (const c of [o.reply?.headers['set-cookie'] ?? []].flat()) {
      const [pair = ''] = c.split(';');
      const at = pair.indexOf('=');
      cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return o;
  };
  const cookie = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const get = async (path: string) => keep(await request(base, { method: 'GET', path, headers: { cookie: cookie() } }));
  const post = async (path: string, fields: Record<string, string>) => {
    const f = form(fields);
    return keep(
      await request(base, { method: 'POST', path, body: f.body, headers: { ...f.headers, cookie: cookie() } }),
    );
  };
  const page = await get('/staff/sign-in');
  const pre = /name="_pre" value="([^"]+)"/.exec(page.reply?.body ?? '')?.[1] ?? '';
  const signedIn = await post('/staff/sign-in', { _pre: pre, email, password: PASSWORD, next: '/staff' });
  if (signedIn.reply?.status !== 303) throw new Error(`sign-in: ${signedIn.reply?.status} ${signedIn.error ?? ''}`);
  return { get, post };
}

const slips = (html: string) => [...html.matchAll(/<p class="url">([^<]+)<\/p>/g)].map((m) => m[1]!);

export const codeFarming: Scenario = {
  name: 'staff code farming',
  async run(ctx, say) {
    const cap = loadConfig({}).codeDailyCap;
    const desk = await ctx.desk();
    const email = `quay-${randomBytes(4).toString('hex')}@example.gov.vn`;
    const user = await createUser(ctx.db, {
      email,
      name: 'Cán bộ thử lỗi',
      password: PASSWORD,
      role: 'staff',
      unitCode: desk.centreCode,
    });
    if (user.status !== 'ok') throw new Error(`creating the staff account: ${user.status}`);
    const server = await ctx.startServer();
    try {
      const staff = await signIn(server.url, email);
      const formPage = await staff.get(`/staff/desks/${desk.id}/codes`);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(formPage.reply?.body ?? '')?.[1] ?? '';

      // Minting: parallel workers, each asking for as many as may still be left, until all are refused.
      const urls: string[] = [];
      let requests = 0;
      let refusedRequests = 0;
      let refusedCodes = 0;
      let left = BATCH;
      let n = 0;
      const t0 = performance.now();
      const worker = async () => {
        while (left > 0 || refusedRequests < WORKERS) {
          const size = Math.max(1, Math.min(BATCH, left));
          const dossierRefs = Array.from({ length: size }, () => `HS-FARM-${++n}`).join('\n');
          const res = await staff.post(`/staff/desks/${desk.id}/codes`, {
            _csrf: csrf,
            serviceArea: 'dat-dai',
            dossierRefs,
            days: '7',
          });
          requests++;
          const status = res.reply?.status;
          if (status === 200) urls.push(...slips(res.reply!.body));
          else if (status === 429) {
            refusedRequests++;
            refusedCodes += size;
            left = Number(/còn được cấp (\d+) mã/.exec(res.reply!.body)?.[1] ?? 0);
          } else throw new Error(`minting: ${status} ${res.error ?? ''}`);
        }
      };
      await Promise.all(Array.from({ length: WORKERS }, worker));
      const mintSeconds = (performance.now() - t0) / 1000;
      const stored = await sql<{ n: number }>`
        select count(*)::int as n from transaction_code
        where desk_id = ${desk.id} and issued_by_user_id = ${user.id}`.execute(ctx.db);
      const audit = await sql<{ rows: number; codes: number; leaked: number }>`
        select count(*)::int as rows, coalesce(sum((detail->>'count')::int), 0)::int as codes,
          count(*) filter (where detail::text ~ '/t/|HS-FARM')::int as leaked
        from audit_event where action = 'transaction_code.issue' and actor_user_id = ${user.id}`.execute(ctx.db);
      const issuedStored = stored.rows[0]!.n;
      const { rows: auditRows, codes: auditedCodes, leaked } = audit.rows[0]!;
      say(
        `  minting: ${urls.length} issued (cap ${cap}) in ${requests} requests, ${mintSeconds.toFixed(1)} s; ` +
          `${refusedRequests} requests (${refusedCodes} codes) refused; audited ${auditedCodes} in ${auditRows} rows`,
      );

      // Rating one's own desk with the farmed codes: identical top scores from one address.
      const send = httpSender(server.url);
      const chosen = urls.slice(0, POSTS).map((u) => new URL(u).pathname);
      // One page after another: pages rendered in the same millisecond would share a render
      // token, and the figure would then measure token reuse rather than the burst check.
      const pages: { body: string }[] = [];
      for (const path of chosen) pages.push(await send({ method: 'GET', url: path }));
      await sleep(SECONDS_ON_PAGE * 1000);
      const ids: string[] = [];
      let thanked = 0;
      for (const [i, path] of chosen.entries()) {
        const field = (name: string) =>
          new RegExp(`name="${name}" value="([^"]*)"`).exec(pages[i]?.body ?? '')?.[1] ?? '';
        const submissionId = field('submissionId') || randomUUID();
        ids.push(submissionId);
        const res = await send({
          method: 'POST',
          url: path,
          form: { ...ATTACK_ANSWERS, submissionId, renderToken: field('renderToken') },
        });
        if (res.statusCode === 200 && /Cảm ơn Ông\/Bà/.test(res.body)) thanked++;
      }
      const posted = await figures(ctx.db, ids, thanked);
      say(`  farmed posts: ${posted.flagged}/${posted.stored} flagged, ${JSON.stringify(posted.reasons)}`);
      const pct = (x: number) => Math.round(x * 1000) / 10;
      return {
        name: this.name,
        target: `issued = daily cap (${cap}), every issue audited; farmed posts ≥ 95% flagged`,
        figures: {
          dailyCap: cap,
          mintRequests: requests,
          issued: urls.length,
          issuedStored,
          refusedRequests,
          refusedCodes,
          auditRows,
          auditedCodes,
          farmedPosts: POSTS,
          farmedStored: posted.stored,
          farmedThanked: thanked,
          farmedFlaggedPct: pct(posted.share),
        },
        pass:
          urls.length === cap &&
          issuedStored === cap &&
          refusedRequests > 0 &&
          auditedCodes === issuedStored &&
          leaked === 0 &&
          posted.stored === POSTS &&
          thanked === POSTS &&
          posted.share >= 0.95,
        notes: [`farmed post reasons ${JSON.stringify(posted.reasons)}`],
      };
    } finally {
      await stopServer(server.child);
    }
  },
};
