import helmet from '@fastify/helmet';
import fp from 'fastify-plugin';

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

export default fp(
  async (app) => {
    const https = app.config.publicUrl.startsWith('https:');
    await app.register(helmet, {
      enableCSPNonces: true,
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
          scriptSrc: ["'self'"],
          scriptSrcAttr: ["'none'"],
          styleSrc: ["'self'"],
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
    });

    app.addHook('onRequest', async (req, reply) => {
      reply.locals = { ...reply.locals, cspNonce: reply.cspNonce };
      if (EMBEDDABLE.test(req.url)) reply.header('Cross-Origin-Resource-Policy', 'cross-origin');
    });
  },
  { name: 'security', dependencies: ['context', 'views'] },
);
