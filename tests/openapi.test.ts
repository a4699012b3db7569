import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import t from 'tap';
import { API_ERROR_CODES, type ApiErrorCode, FIELD_ERROR_CODES } from '../server/platform/http/api-errors.ts';
import { expectApiError } from './helpers/api.ts';
import { testApp } from './helpers/harness.ts';
import { ROOT } from './helpers/process.ts';

// The API contract: /api/v1/openapi.json is a valid OpenAPI 3.1 document,
// generated from the routes' zod schemas, with every /api/v1 route the app
// serves and nothing else; every refusal of every route is the one error
// body, with a code from the catalogue, at a status the document declares;
// README.md documents every code.

type Operation = { responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }> };
type Document = { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: object } };

const DOCUMENT = '/api/v1/openapi.json';
/** `/api/v1/surveys/:code` as the document writes it: `/api/v1/surveys/{code}`. */
const openapiPath = (url: string) => url.replace(/:([A-Za-z]+)/g, '{$1}');

t.test('the document is valid OpenAPI 3.1 and lists every /api/v1 route, and only those', async (t) => {
  const { app } = await testApp(t);
  const res = await app.inject(DOCUMENT);
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^application\/json/);
  const doc = res.json() as Document;
  t.equal(doc.openapi, '3.1.0');

  const validator = new Validator();
  const result = await validator.validate(structuredClone(doc));
  t.ok(result.valid, `valid: ${JSON.stringify(result.errors, null, 1)}`);
  t.equal(validator.version, '3.1');
  t.doesNotThrow(() => validator.resolveRefs(), 'every $ref resolves');

  const routes = app.routeTable.filter((r) => r.url.startsWith('/api/v1/') && r.url !== DOCUMENT);
  t.ok(routes.length >= 5, `${routes.length} API routes`);
  for (const route of routes) {
    const op = doc.paths[openapiPath(route.url)]?.[route.method.toLowerCase()];
    t.ok(op, `${route.method} ${route.url} is in the document`);
  }
  const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`));
  t.same(
    documented.sort(),
    routes.map((r) => `${r.method.toLowerCase()} ${openapiPath(r.url)}`).sort(),
    'no staff page, citizen page or docs route in it',
  );

  for (const [p, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue;
        t.equal(
          response.content?.['application/json']?.schema?.$ref,
          '#/components/schemas/ApiError',
          `${method} ${p} ${status}: the one error body`,
        );
      }
    }
  }
  const negative = structuredClone(doc) as { paths: Record<string, Record<string, Operation>> };
  const [firstPath] = Object.keys(negative.paths);
  negative.paths[firstPath!] = { get: { responses: { 200: {} } } };
  t.notOk((await new Validator().validate(negative)).valid, 'the validator does catch a broken document');

  const docs = await app.inject('/api/docs/json');
  t.same(docs.json(), doc, 'the reference page shows the same document');
});

t.test('every refusal of every API route is the one error body at a documented status', async (t) => {
  const { app } = await testApp(t);
  const doc = (await app.inject(DOCUMENT)).json() as Document;
  const routes = app.routeTable.filter((r) => r.url.startsWith('/api/v1/') && r.url !== DOCUMENT);
  // No credential, and for a POST a body of the wrong form: each route refuses it one way or another.
  const seen = new Set<string>();
  for (const route of routes) {
    const url = route.url.replace(/:([A-Za-z]+)/g, 'khong-co');
    for (const payload of route.method === 'POST' ? [{}, '{"bad json'] : [undefined]) {
      const res = await app.inject({
        method: route.method as 'GET' | 'POST',
        url,
        payload,
        headers: route.method === 'POST' ? { 'content-type': 'application/json' } : {},
      });
      const code = res.json().code as ApiErrorCode;
      t.ok(code in API_ERROR_CODES, `${route.method} ${route.url} → ${res.statusCode} ${code}`);
      expectApiError(t, res, res.statusCode, code);
      const op = doc.paths[openapiPath(route.url)]?.[route.method.toLowerCase()];
      t.ok(op?.responses[String(res.statusCode)], `${route.method} ${route.url}: ${res.statusCode} is documented`);
      seen.add(`${res.statusCode} ${code}`);
    }
  }
  t.ok(seen.has('401 auth.key_required') && seen.has('404 survey.not_found'), [...seen].join(', '));
});

t.test('the reference page at /api/docs works under its own, narrow CSP', async (t) => {
  const { app } = await testApp(t);
  const page = await app.inject('/api/docs');
  t.equal(page.statusCode, 200);
  t.match(page.headers['content-type'], /^text\/html/);
  const policy = String(page.headers['content-security-policy']);
  t.match(policy, /script-src 'self';/, 'scripts from the site only');
  t.match(policy, /style-src 'self' 'sha256-[A-Za-z0-9+/=]+';/, 'one inline style element, by its hash');
  t.match(policy, /style-src-attr 'none'/);
  t.notMatch(policy, /unsafe-|nonce-|\*/);
  t.notMatch(page.body.replace(/<!--.*?-->/gs, ''), /https?:\/\//, 'nothing from another site');
  const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
  t.ok(assets.length >= 5, `${assets.length} assets`);
  for (const asset of assets) t.equal((await app.inject(asset)).statusCode, 200, asset);
  // Every other page keeps the strict policy.
  for (const other of ['/', '/api/docs/json', '/api/docs/static/swagger-ui.css', '/api/v1/surveys/sipas-quick']) {
    t.match(String((await app.inject(other)).headers['content-security-policy']), /style-src 'self' 'nonce-/, other);
  }
});

t.test('README.md documents every error code', async (t) => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  for (const code of [...Object.keys(API_ERROR_CODES), ...Object.keys(FIELD_ERROR_CODES)]) {
    t.ok(readme.includes(`\`${code}\``), `${code} is in README.md`);
  }
});
