import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import t, { type Test } from 'tap';
import { buildApp } from '../server/app.ts';
import { signOfferToken } from '../server/features/callbacks/callback-rules.ts';
import { setPublicationByCode } from '../server/features/public/public-switch-service.ts';
import { stuffingSettings } from '../server/features/submission/stuffing-evidence.ts';
import { loadConfig } from '../server/platform/config.ts';
import { oneOfEverything } from './helpers/everything.ts';
import { createDesk, unitCode, VALID_FORM_ANSWERS } from './helpers/fixtures.ts';
import { testApp, testConfig, testDatabase } from './helpers/harness.ts';
import { ROOT } from './helpers/process.ts';
import { staffClient } from './helpers/staff.ts';

// Run time (for tests/run.ts): about 27 s.

// Web security (issue 5, guarantee 5): headers on every kind of response, a
// CSP with per-request nonces and no unsafe-inline/unsafe-eval that every
// rendered page keeps to, trustProxy limited to the configured proxies, and
// a body limit on every POST route.

const form = (fields: Record<string, string>) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  payload: new URLSearchParams(fields).toString(),
});

function csp(res: LightMyRequestResponse): string {
  return String(res.headers['content-security-policy'] ?? '');
}

function nonces(res: LightMyRequestResponse) {
  const policy = csp(res);
  return {
    script: /(?:^|;)\s*script-src [^;]*'nonce-([^']+)'/.exec(policy)?.[1],
    style: /(?:^|;)\s*style-src [^;]*'nonce-([^']+)'/.exec(policy)?.[1],
  };
}

/**
 * What a strict CSP would block or what defeats it: style="" and on…=""
 * attributes, javascript: URLs, inline <style>/<script> without this
 * response's nonce. Empty when the page is clean.
 */
function inlineProblems(res: LightMyRequestResponse): string[] {
  const n = nonces(res);
  const problems: string[] = [];
  // The contents of style and script elements are not markup (the CSS has SVG in data: URIs).
  const html = res.body.replace(/(<(style|script)\b[^>]*>)[\s\S]*?<\/\2>/gi, '$1');
  for (const tag of html.match(/<[a-zA-Z][^>]*>/g) ?? []) {
    const attr = /\s(style|on[a-z]+)\s*=/i.exec(tag);
    if (attr) problems.push(`${attr[1]}="" in ${tag.slice(0, 100)}`);
    if (/\s(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:/i.test(tag)) problems.push(`javascript: in ${tag}`);
    const nonce = /\snonce="([^"]*)"/.exec(tag)?.[1];
    if (/^<style\b/i.test(tag) && nonce !== n.style) problems.push(`style without the nonce: ${tag}`);
    if (/^<script\b/i.test(tag) && !/\ssrc=/i.test(tag) && nonce !== n.script) {
      problems.push(`inline script without the nonce: ${tag}`);
    }
  }
  return problems;
}

function checkHeaders(t: Test, res: LightMyRequestResponse, what: string) {
  const policy = csp(res);
  t.match(policy, /default-src 'self'/, `${what}: CSP default-src 'self'`);
  t.match(policy, /script-src 'self' 'nonce-[0-9a-f]{32}'/, `${what}: scripts from the site or with the nonce`);
  t.match(policy, /style-src 'self' 'nonce-[0-9a-f]{32}'/, `${what}: styles from the site or with the nonce`);
  t.match(policy, /script-src-attr 'none'/, `${what}: no inline event handlers`);
  t.match(policy, /style-src-attr 'none'/, `${what}: no style attributes`);
  t.match(policy, /img-src 'self' data:/, `${what}: data: images for the smiley faces`);
  t.match(policy, /frame-ancestors 'none'/, `${what}: never framed`);
  t.match(policy, /object-src 'none'/);
  t.match(policy, /base-uri 'none'/);
  t.notMatch(policy, /unsafe-inline|unsafe-eval|unsafe-hashes|\*/, `${what}: nothing unsafe, no wildcard`);
  t.equal(res.headers['x-content-type-options'], 'nosniff', `${what}: nosniff`);
  t.equal(res.headers['referrer-policy'], 'no-referrer', `${what}: no referrer leaves the site`);
  t.equal(res.headers['x-frame-options'], 'DENY', `${what}: X-Frame-Options for old browsers`);
}

t.test('security headers on citizen, staff, API, static and error responses', async (t) => {
  const { app, db } = await testApp(t);
  const desk = await createDesk(db, ['ho-tich']);
  const staff = await staffClient(app, db, { role: 'admin' });
  const responses: [string, LightMyRequestResponse][] = [
    ['front page', await app.inject('/')],
    ['survey page', await app.inject(`/q/${desk.code}`)],
    ['form post', await app.inject({ method: 'POST', url: `/q/${desk.code}`, ...form({}) })],
    ['unknown desk', await app.inject('/q/khong-co-quay-nay')],
    ['sign-in page', await app.inject('/staff/sign-in')],
    ['staff page', await staff.get('/staff/units')],
    ['API survey', await app.inject('/api/v1/surveys/sipas-quick')],
    ['API refusal', await app.inject({ method: 'POST', url: '/api/v1/responses', payload: {} })],
    ['static file', await app.inject('/static/survey-retry.js')],
    ['health', await app.inject('/healthz')],
  ];
  for (const [what, res] of responses) {
    checkHeaders(t, res, what);
    t.match(res.headers['strict-transport-security'], /max-age=\d{7,}; includeSubDomains/, `${what}: HSTS on https`);
    t.match(csp(res), /upgrade-insecure-requests/);
  }
  t.equal(responses[1]?.[1].headers['cross-origin-resource-policy'], 'same-origin');
  const qr = await app.inject(`/q/${desk.code}/qr.svg`);
  t.equal(qr.headers['cross-origin-resource-policy'], 'cross-origin', 'a unit may show the QR on its own website');
  checkHeaders(t, qr, 'QR image');
});

t.test('a plain-http run (no https PUBLIC_URL) gets no HSTS and no upgrade to https', async (t) => {
  const { app, db } = await testApp(t, { publicUrl: 'http://localhost:3000' });
  const desk = await createDesk(db, ['ho-tich']);
  const res = await app.inject(`/q/${desk.code}`);
  checkHeaders(t, res, 'http survey page');
  t.equal(res.headers['strict-transport-security'], undefined);
  t.notMatch(csp(res), /upgrade-insecure-requests/);
});

t.test("inline style and script carry the response's nonce, new on every request", async (t) => {
  const { app, db } = await testApp(t);
  const desk = await createDesk(db, ['ho-tich']);
  const a = await app.inject(`/q/${desk.code}`);
  const b = await app.inject(`/q/${desk.code}`);
  const na = nonces(a);
  const nb = nonces(b);
  t.ok(na.style && na.script, 'the CSP names a style and a script nonce');
  t.match(a.body, new RegExp(`<style nonce="${na.style}">`), 'the citizen style has the nonce of the header');
  t.match(a.body, new RegExp(`<script src="/static/survey-retry.js" defer nonce="${na.script}">`));
  t.not(na.style, nb.style, 'a new style nonce per request');
  t.not(na.script, nb.script, 'a new script nonce per request');
  t.not(na.style, na.script);

  const staff = await staffClient(app, db, { role: 'admin' });
  const page = await staff.get('/staff');
  t.match(page.body, new RegExp(`<script nonce="${nonces(page).script}">`), "the staff page's inline script too");
  t.same(inlineProblems(page), []);
});

t.test('htmx is configured to inject no style and to evaluate nothing', async (t) => {
  const { app } = await testApp(t);
  const page = await app.inject('/staff/sign-in');
  const raw = /<meta name="htmx-config" content='([^']+)'>/.exec(page.body)?.[1];
  t.ok(raw, 'the staff layout configures htmx');
  const config = JSON.parse(raw ?? '{}');
  t.equal(config.includeIndicatorStyles, false, 'no injected <style> (it would lack the nonce)');
  t.equal(config.allowEval, false, 'no eval (the CSP has no unsafe-eval)');
  t.equal(config.allowScriptTags, false, 'no scripts from swapped content');
  t.ok(Array.isArray(config.responseHandling), 'the 4xx handling is kept');
});

t.test('templates have no style or event-handler attributes, even in branches the scan does not reach', async (t) => {
  const dir = path.join(ROOT, 'views');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.eta'));
  t.ok(files.length > 20, `${files.length} templates`);
  for (const file of files) {
    const source = readFileSync(path.join(dir, file), 'utf8')
      .replace(/<%[\s\S]*?%>/g, '')
      .replace(/(<style\b[^>]*>)[\s\S]*?<\/style>/gi, '$1');
    t.notMatch(source, /\s(style|on[a-z]+)\s*=\s*["'<]/i, `${file}: no style="" or on…=""`);
    t.notMatch(source, /<style(?![^>]*nonce=)/i, `${file}: any inline <style> has the nonce`);
  }
});

t.test('every citizen page and every staff page an administrator reaches keeps to the CSP', async (t) => {
  const { app, db } = await testApp(t);
  const single = await createDesk(db, ['ho-tich']);
  // Responses, one with a comment, for charts and a feedback item to exist; a code, a target, a key.
  const centre = await oneOfEverything(app, db, 'Quét Trang');
  const { deskCode, key } = centre;

  const scanned: string[] = [];
  const scan = (what: string, res: LightMyRequestResponse) => {
    if (!String(res.headers['content-type']).startsWith('text/html')) return;
    scanned.push(res.body);
    t.same(inlineProblems(res), [], `${what} (${res.statusCode}) keeps to the CSP`);
  };

  // Citizens: the front page, both kinds of survey, English, each answer the form post gets.
  scan('front page', await app.inject('/'));
  scan('survey, one area', await app.inject(`/q/${single.code}`));
  scan('survey, two areas, English', await app.inject(`/q/${deskCode}?lang=en`));
  scan('form errors', await app.inject({ method: 'POST', url: `/q/${single.code}`, ...form({ access: '9' }) }));
  const submissionId = randomUUID();
  const thanks = await app.inject({
    method: 'POST',
    url: `/q/${single.code}`,
    ...form({ ...VALID_FORM_ANSWERS, submissionId }),
  });
  t.match(thanks.body, /Cảm ơn/);
  scan('thank-you page', thanks);
  const conflict = await app.inject({
    method: 'POST',
    url: `/q/${single.code}`,
    ...form({ ...VALID_FORM_ANSWERS, overall: '1', submissionId }),
  });
  t.equal(conflict.statusCode, 409);
  scan('already sent', conflict);
  scan('unknown desk', await app.inject('/q/khong-co-quay-nay'));
  const issued = await app.inject({
    method: 'POST',
    url: '/api/v1/transaction-codes',
    headers: { authorization: `Bearer ${key.key}` },
    payload: { desk: deskCode, serviceArea: 'ho-tich', dossierRef: 'HS-QUET-1' },
  });
  const codePath = new URL(issued.json().url).pathname;
  const codePage = await app.inject(codePath);
  checkHeaders(t, codePage, 'one-time code page');
  scan('one-time code survey', codePage);
  scan(
    'one-time code thanks',
    await app.inject({ method: 'POST', url: codePath, ...form({ ...VALID_FORM_ANSWERS, submissionId: randomUUID() }) }),
  );
  scan('used code', await app.inject(codePath));
  // The callback form shown again with messages (issue 18), and the follow-up page of a code.
  const offer = signOfferToken(stuffingSettings(app.config).secret, '1', Date.now());
  scan(
    'callback form errors',
    await app.inject({ method: 'POST', url: '/lien-he-lai', ...form({ offer, contact: '012', consent: '1' }) }),
  );
  scan('follow-up page', await app.inject(`/theo-doi/${codePath.slice('/t/'.length)}`));
  scan('no such page', await app.inject('/khong-co-trang-nay'));
  // The public results pages (issue 17), once the unit publishes.
  await setPublicationByCode(db, await unitCode(db, centre.centreId), true);
  scan('public index', await app.inject('/cong-khai'));
  scan('public unit page', await app.inject(`/cong-khai/${await unitCode(db, centre.centreId)}`));
  t.equal(scanned.length, 15, 'every citizen page was scanned');

  // Staff: every GET route of the route table, as a page and as an htmx request.
  const admin = await staffClient(app, db, { role: 'admin' });
  const urlOf = (route: string) =>
    route.replace(/:([A-Za-z]+)/g, (_, name: string) => {
      const value = centre.fill[name];
      if (!value) throw new Error(`no value for :${name} in ${route}: add it to fill`);
      return value;
    });
  const staffGets = app.routeTable.filter((r) => r.method === 'GET' && r.url.startsWith('/staff'));
  t.ok(staffGets.length > 20, `${staffGets.length} staff pages`);
  for (const route of staffGets) {
    const url = urlOf(route.url);
    const page = await admin.get(url);
    t.ok(page.statusCode < 400, `GET ${url}: ${page.statusCode}`);
    scan(`GET ${url}`, page);
    scan(`GET ${url} (htmx)`, await admin.get(url, { 'hx-request': 'true' }));
  }
  // And what each staff form post answers (a form again with messages, a slip of codes…);
  // the posts that disable or remove things go last, sign-out not at all.
  const body: Record<string, string> = {
    name: 'Tên mới',
    code: `moi-${centre.centreId}`,
    kind: 'centre',
    serviceAreas: 'ho-tich',
    serviceArea: 'ho-tich',
    dossierRefs: 'HS-QUET-2\nHS-QUET-3',
    days: '7',
    role: 'manager',
    label: 'khóa mới',
    status: 'in_progress',
    publicAnswer: 'Đã tiếp thu',
    internalNote: 'Ghi chú',
  };
  const last = (url: string) => /(active|revoke|delete|unassign)$/.test(url);
  const staffPosts = app.routeTable
    .filter((r) => r.method === 'POST' && r.url.startsWith('/staff') && r.url !== '/staff/sign-out')
    .sort((a, b) => Number(last(a.url)) - Number(last(b.url)));
  for (const route of staffPosts) {
    const url = urlOf(route.url);
    scan(`POST ${url}`, await admin.post(url, body));
  }
  const all = scanned.join('\n');
  t.match(all, /class="chart-svg"/, 'the scan covered a chart');
  t.match(all, /<button type="button" data-print>/, 'the scan covered a print page');
  t.match(all, /class="slip"/, 'the scan covered the receipt slips');
  t.match(all, /<blockquote class="comment">/, "the scan covered a citizen's comment");
});

t.test('trustProxy believes X-Forwarded-For only from the configured proxies', async (t) => {
  t.same(loadConfig({}).trustProxy, [], 'off by default');
  t.same(loadConfig({ TRUST_PROXY: '10.0.0.1, 192.168.0.0/16,::1' }).trustProxy, ['10.0.0.1', '192.168.0.0/16', '::1']);
  for (const bad of ['true', '*', '10.0.0.0/33', 'proxy.example', '10.0.0.1/8/1']) {
    t.throws(
      () => loadConfig({ TRUST_PROXY: bad }),
      /TRUST_PROXY: a comma-separated list/,
      `TRUST_PROXY=${bad} is refused`,
    );
  }

  const { db } = await testDatabase(t);
  const ipOf = async (trustProxy: string[], remoteAddress: string) => {
    const app: FastifyInstance = await buildApp({ config: testConfig({ trustProxy }), db });
    t.teardown(() => app.close());
    // Nothing in the app echoes the client's address (it is never stored): a probe route does.
    app.get('/probe/ip', async (req) => ({ ip: req.ip }));
    const res = await app.inject({ url: '/probe/ip', remoteAddress, headers: { 'x-forwarded-for': '203.0.113.7' } });
    return res.json().ip;
  };
  t.equal(await ipOf(['10.0.0.1'], '10.0.0.1'), '203.0.113.7', 'the configured proxy is believed');
  t.equal(await ipOf(['10.0.0.0/24'], '10.0.0.9'), '203.0.113.7', 'a CIDR of proxies too');
  t.equal(await ipOf(['10.0.0.1'], '10.0.0.2'), '10.0.0.2', 'an unlisted address cannot claim another');
  t.equal(await ipOf([], '10.0.0.1'), '10.0.0.1', 'no proxy trusted by default');
});

t.test('every POST route refuses a body over its limit with 413', async (t) => {
  const { app } = await testApp(t);
  // Limits by route family; a new family fails here until its limit is decided.
  const limitOf = (url: string) =>
    url.startsWith('/q/') || url.startsWith('/t/')
      ? 32 * 1024
      : url === '/lien-he-lai' || url.startsWith('/theo-doi/')
        ? 8 * 1024
        : url === '/api/v1/transaction-codes' || url.startsWith('/api/v1/kiosk-') || url === '/api/v1/webhooks'
          ? 8 * 1024
          : url.startsWith('/staff') || url === '/api/v1/responses'
            ? 64 * 1024
            : url === '/kiosk/api/pair'
              ? 1024
              : url === '/kiosk/api/answers'
                ? 128 * 1024
                : undefined;
  const posts = app.routeTable.filter((r) => r.method === 'POST');
  t.ok(posts.length > 20, `${posts.length} POST routes`);
  for (const route of posts) {
    const limit = limitOf(route.url);
    if (!limit) {
      t.fail(`POST ${route.url}: no known body limit`);
      continue;
    }
    const url = route.url.replace(/:[A-Za-z]+/g, 'x1234567890123456');
    const json = url.startsWith('/api/') || url.startsWith('/kiosk/api/');
    const sized = (n: number) => (json ? `{"x":"${'a'.repeat(n - 8)}"}` : `x=${'a'.repeat(n - 2)}`);
    const headers = { 'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded' };
    const over = await app.inject({ method: 'POST', url, headers, payload: sized(limit + 1) });
    t.equal(over.statusCode, 413, `POST ${route.url}: ${limit / 1024} KiB + 1 byte is refused`);
    const at = await app.inject({ method: 'POST', url, headers, payload: sized(limit) });
    t.not(at.statusCode, 413, `POST ${route.url}: ${limit / 1024} KiB is read`);
  }
});

t.test('every response gets its own CSP nonces, across refills of the random pool', async (t) => {
  const { app } = await testApp(t);
  const seen = new Set<string>();
  // 300 responses draw 9,600 random bytes: more than two refills of the 4 KB pool.
  for (let i = 0; i < 300; i++) {
    const csp = String((await app.inject('/healthz')).headers['content-security-policy']);
    const nonces = [...csp.matchAll(/'nonce-([0-9a-f]{32})'/g)].map((m) => m[1] ?? '');
    t.equal(nonces.length, 2, 'a script nonce and a style nonce');
    for (const n of nonces) seen.add(n);
  }
  t.equal(seen.size, 600, 'no nonce ever repeats');
});
