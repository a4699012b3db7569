import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

// The tablet app's own files, all under /kiosk so that its service worker
// (whose scope cannot reach above its own folder) controls the page and
// everything the page loads: the script, the style, the icon, the manifest
// and the worker itself. Read once at start.

const file = (name: string) => readFileSync(fileURLToPath(new URL(`../../../views/${name}`, import.meta.url)));

const SCRIPT = file('static/kiosk.js');
const STYLE = file('static/kiosk.css');
const ICON = file('static/kiosk-icon.svg');
const WORKER_SOURCE = file('static/kiosk-sw.js').toString('utf8');

/**
 * Changes whenever anything the worker keeps changes: a new worker, hence
 * a new cache, replaces the old shell on every tablet at its next visit.
 */
export const KIOSK_APP_VERSION = createHash('sha256')
  .update(SCRIPT)
  .update(STYLE)
  .update(ICON)
  .update(WORKER_SOURCE)
  .update(file('kiosk/shell.eta'))
  .update(file('kiosk/layout.eta'))
  .digest('hex')
  .slice(0, 12);

const WORKER = WORKER_SOURCE.replace('__KIOSK_VERSION__', KIOSK_APP_VERSION);

/** Where the tablet starts, and the widest scope its worker may take. */
export const KIOSK_START = '/kiosk';

export const KIOSK_MANIFEST = {
  name: 'Hài Lòng – Máy tính bảng tại quầy',
  short_name: 'Hài Lòng',
  description: 'Khảo sát mức độ hài lòng tại quầy tiếp nhận và trả kết quả',
  lang: 'vi',
  dir: 'ltr',
  id: KIOSK_START,
  start_url: KIOSK_START,
  scope: KIOSK_START,
  display: 'fullscreen',
  display_override: ['fullscreen', 'standalone'],
  orientation: 'any',
  background_color: '#f4f6f8',
  theme_color: '#a50e0e',
  icons: [
    { src: '/kiosk/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
    { src: '/kiosk/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'maskable' },
  ],
};

export default async function kioskAppAssets(app: FastifyInstance) {
  // no-cache: the browser asks again each time (a 304 is cheap) and the
  // worker keeps the copy for when the network is gone.
  const cache = 'no-cache';
  app.get('/kiosk/kiosk.js', async (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('Cache-Control', cache).send(SCRIPT),
  );
  app.get('/kiosk/kiosk.css', async (_req, reply) =>
    reply.type('text/css; charset=utf-8').header('Cache-Control', cache).send(STYLE),
  );
  app.get('/kiosk/icon.svg', async (_req, reply) =>
    reply.type('image/svg+xml').header('Cache-Control', cache).send(ICON),
  );
  app.get('/kiosk/manifest.webmanifest', async (_req, reply) =>
    reply.type('application/manifest+json; charset=utf-8').header('Cache-Control', cache).send(KIOSK_MANIFEST),
  );
  // The worker lives at /kiosk/sw.js, so its scope could only be /kiosk/;
  // the header lets it control /kiosk itself, the address the tablet opens.
  app.get('/kiosk/sw.js', async (_req, reply) =>
    reply
      .type('text/javascript; charset=utf-8')
      .header('Cache-Control', 'no-cache')
      .header('Service-Worker-Allowed', KIOSK_START)
      .send(WORKER),
  );
}
