import { randomBytes } from 'node:crypto';
import helmet from '@fastify/helmet';
import fp from 'fastify-plugin';
import { contentSecurityPolicy as helmetCsp } from 'helmet';

// Security headers on every response (pages, API, static files, errors) and
// a Content-Security-Policy with per-request nonces: no 'unsafe-inline', no
// 'unsafe-eval'. Inline <style>/<script> carry the nonce (views get it as
// `it.cspNonce`); style="" and on…="" attributes are refused outright, so
// views use classes (views/static/staff.css) and listeners instead.

declare module 'fastify' {
  interface FastifyReply {
    /** What @fastify/view merges into every template's data (it types it nowhere). */
    locals: Record<string, unknown>;
  }
}

// QR images may be shown on a unit's own website: they alone are cross-origin resources.
const EMBEDDABLE = /^\/q\/[^/?]+\/qr\.(svg|png)(\?|$)/;

// The policy, serialised once by helmet with placeholders for the two
// nonces. @fastify/helmet's own nonce option rebuilt and re-serialised every
// header on every request: half of the citizen page's cost under load.
const NONCE_SCRIPT = 'HLNONCESCRIPT';
const NONCE_STYLE = 'HLNONCESTYLE';

function policyTemplate(https: boolean): string {
  const headers: Record<string, string> = {};
  const res = { setHeader: (name: string, value: string) => void (headers[name.toLowerCase()] = value) };
  helmetCsp({
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
      scriptSrc: ["'self'", `'nonce-${NONCE_SCRIPT}'`],
      scriptSrcAttr: ["'none'"],
      styleSrc: ["'self'", `'nonce-${NONCE_STYLE}'`],
      styleSrcAttr: ["'none'"],
      // On plain http (a local run) upgrading would break every request.
      upgradeInsecureRequests: https ? [] : null,
    },
  })({} as never, res as never, () => {});
  const policy = headers['content-security-policy'];
  if (!policy) throw new Error('helmet produced no Content-Security-Policy');
  return policy;
}

export default fp(
  async (app) => {
    const https = app.config.publicUrl.startsWith('https:');
    const template = policyTemplate(https);
    const scriptFirst = template.indexOf(NONCE_SCRIPT) < template.indexOf(NONCE_STYLE);
    const [before, middle, after] = template.split(new RegExp(`${NONCE_SCRIPT}|${NONCE_STYLE}`));
    await app.register(helmet, {
      // Set below, with this request's nonces.
      contentSecurityPolicy: false,
      // One-time codes are in /t/ URLs: no page ever sends its address elsewhere.
      referrerPolicy: { policy: 'no-referrer' },
      frameguard: { action: 'deny' },
      // HSTS only where the public address is https; a local http run must stay reachable.
      strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
      crossOriginResourcePolicy: { policy: 'same-origin' },
    });

    app.addHook('onRequest', async (req, reply) => {
      // 128 bits each, as helmet's own nonces, from one call.
      const random = randomBytes(32).toString('hex');
      const nonce = { script: random.slice(0, 32), style: random.slice(32) };
      reply.cspNonce = nonce;
      const [first, second] = scriptFirst ? [nonce.script, nonce.style] : [nonce.style, nonce.script];
      reply.header('Content-Security-Policy', `${before}${first}${middle}${second}${after}`);
      reply.locals = { ...reply.locals, cspNonce: nonce };
      if (EMBEDDABLE.test(req.url)) reply.header('Cross-Origin-Resource-Policy', 'cross-origin');
    });
  },
  { name: 'security', dependencies: ['context', 'views'] },
);
