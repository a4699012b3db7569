import { randomFillSync } from 'node:crypto';
import fp from 'fastify-plugin';
import helmet from 'helmet';

// Security headers on every response (pages, API, static files, errors) and
// a Content-Security-Policy with per-request nonces: no 'unsafe-inline', no
// 'unsafe-eval'. Inline <style>/<script> carry the nonce (views get it as
// `it.cspNonce`); style="" and on…="" attributes are refused outright, so
// views use classes (views/static/staff.css) and listeners instead.
//
// helmet works the headers out once, at start, with placeholders for the two
// nonces; each request gets the same headers and its own nonces. Running
// helmet's middleware on every request (as @fastify/helmet does, re-parsing
// the policy when it carries nonces) was more than half of the citizen
// page's cost under load (bench/README.md).

declare module 'fastify' {
  interface FastifyReply {
    /** What @fastify/view merges into every template's data (it types it nowhere). */
    locals: Record<string, unknown>;
    /** This response's CSP nonces, for inline <script> and <style>. */
    cspNonce: { script: string; style: string };
  }
}

// QR images may be shown on a unit's own website: they alone are cross-origin resources.
const EMBEDDABLE = /^\/q\/[^/?]+\/qr\.(svg|png)(\?|$)/;

// Random bytes for nonces, drawn from the CSPRNG 4 KB at a time and each
// used once: one system call per 128 requests instead of one per request
// (as crypto.randomUUID does for itself).
const randomPool = Buffer.alloc(4096);
let randomOffset = randomPool.length;
function freshBytes(n: number): Buffer {
  if (randomOffset + n > randomPool.length) {
    randomFillSync(randomPool);
    randomOffset = 0;
  }
  randomOffset += n;
  return randomPool.subarray(randomOffset - n, randomOffset);
}

const NONCE_SCRIPT = 'HLNONCESCRIPT';
const NONCE_STYLE = 'HLNONCESTYLE';

// The API reference page (@fastify/swagger-ui at /api/docs) is static HTML
// that loads its scripts and styles from /api/docs/static: 'self' is enough,
// except for one small <style> element its bundle inserts. Only that page's
// policy allows that one element, by its hash; no nonce, no attribute.
const DOCS_PAGE = /^\/api\/docs\/?(\?|$)/;
const DOCS_STYLE = "'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='";

/** Every header helmet sets for this configuration, the policy with nonce placeholders (none for the docs page). */
function helmetHeaders(https: boolean, docs = false): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: string) => {
      headers[name.toLowerCase()] = value;
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'none'"],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        // The citizen page draws its smiley faces as data: SVG images in CSS.
        imgSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        scriptSrc: docs ? ["'self'"] : ["'self'", `'nonce-${NONCE_SCRIPT}'`],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'", docs ? DOCS_STYLE : `'nonce-${NONCE_STYLE}'`],
        styleSrcAttr: ["'none'"],
        // On plain http (a local run) upgrading would break every request.
        upgradeInsecureRequests: https ? [] : null,
      },
    },
    // One-time codes are in /t/ URLs: no page ever sends its address elsewhere.
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
    // HSTS only where the public address is https; a local http run must stay reachable.
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginResourcePolicy: { policy: 'same-origin' },
  })({} as never, res as never, () => {});
  return headers;
}

export default fp(
  async (app) => {
    const https = app.config.publicUrl.startsWith('https:');
    const { 'content-security-policy': policy, ...others } = helmetHeaders(https);
    const docsPolicy = helmetHeaders(https, true)['content-security-policy'];
    if (!policy || !docsPolicy) throw new Error('helmet produced no Content-Security-Policy');
    const scriptFirst = policy.indexOf(NONCE_SCRIPT) < policy.indexOf(NONCE_STYLE);
    const [before, middle, after] = policy.split(new RegExp(`${NONCE_SCRIPT}|${NONCE_STYLE}`));
    app.decorateReply('cspNonce', null as never);

    app.addHook('onRequest', async (req, reply) => {
      // 128 bits each, as helmet's own nonces.
      const random = freshBytes(32).toString('hex');
      const nonce = { script: random.slice(0, 32), style: random.slice(32) };
      reply.cspNonce = nonce;
      const [first, second] = scriptFirst ? [nonce.script, nonce.style] : [nonce.style, nonce.script];
      reply.headers(others);
      reply.header(
        'Content-Security-Policy',
        DOCS_PAGE.test(req.url) ? docsPolicy : `${before}${first}${middle}${second}${after}`,
      );
      reply.locals = { ...reply.locals, cspNonce: nonce };
      if (EMBEDDABLE.test(req.url)) reply.header('Cross-Origin-Resource-Policy', 'cross-origin');
    });
  },
  { name: 'security', dependencies: ['context', 'views'] },
);
