import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

// Static files, read once: what staff pages need, and the citizen survey's
// optional retry script.
const require = createRequire(import.meta.url);
const HTMX = readFileSync(require.resolve('htmx.org/dist/htmx.min.js'));
const STAFF_CSS = readFileSync(fileURLToPath(new URL('../../../views/static/staff.css', import.meta.url)));
// The survey page's optional retry script (progressive enhancement, < 4 KB).
const SURVEY_RETRY = readFileSync(fileURLToPath(new URL('../../../views/static/survey-retry.js', import.meta.url)));
// Staff pages' script: scrollable tables focusable, "Đang tạo tệp…" while a PDF or Excel file is built.
const STAFF_JS = readFileSync(fileURLToPath(new URL('../../../views/static/staff.js', import.meta.url)));
// The keyboard-first entry screen of a survey round's paper forms (issue 16).
const ROUND_ENTRY_JS = readFileSync(fileURLToPath(new URL('../../../views/static/round-entry.js', import.meta.url)));
const ROUND_ENTRY_CSS = readFileSync(fileURLToPath(new URL('../../../views/static/round-entry.css', import.meta.url)));
// The tab icon; also at /favicon.ico, which browsers ask for on any page that names none.
const FAVICON = readFileSync(fileURLToPath(new URL('../../../views/static/favicon.svg', import.meta.url)));

export default async function staticRoutes(app: FastifyInstance) {
  const cache = 'public, max-age=86400';
  app.get('/static/htmx.min.js', async (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('Cache-Control', cache).send(HTMX),
  );
  app.get('/static/staff.css', async (_req, reply) =>
    reply.type('text/css; charset=utf-8').header('Cache-Control', cache).send(STAFF_CSS),
  );
  app.get('/static/staff.js', async (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('Cache-Control', cache).send(STAFF_JS),
  );
  for (const url of ['/favicon.svg', '/favicon.ico']) {
    app.get(url, async (_req, reply) => reply.type('image/svg+xml').header('Cache-Control', cache).send(FAVICON));
  }
  app.get('/static/round-entry.js', async (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('Cache-Control', cache).send(ROUND_ENTRY_JS),
  );
  app.get('/static/round-entry.css', async (_req, reply) =>
    reply.type('text/css; charset=utf-8').header('Cache-Control', cache).send(ROUND_ENTRY_CSS),
  );
  app.get('/static/survey-retry.js', async (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('Cache-Control', cache).send(SURVEY_RETRY),
  );
}
