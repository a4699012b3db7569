import { randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createUser } from '../../server/features/access/auth-service.ts';
import type { Db } from '../../server/platform/db/connect.ts';
import type { Role } from '../../server/platform/db/schema.ts';

// A signed-in staff user for tests, going through the real sign-in form.

export const TEST_PASSWORD = 'mat-khau-thu-nghiem';

export interface StaffClient {
  email: string;
  csrf: string;
  cookies: Record<string, string>;
  get(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  /** A form post with the session's CSRF token added (unless `_csrf` is given). */
  post(url: string, fields?: Record<string, string | string[]>): Promise<LightMyRequestResponse>;
}

export function formBody(fields: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) params.append(k, one);
  return params.toString();
}

/** Signs in through GET and POST /staff/sign-in; returns the form's cookies. */
export async function signInForm(app: FastifyInstance, email: string, password: string) {
  const page = await app.inject({ method: 'GET', url: '/staff/sign-in' });
  const pre = /name="_pre" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  const preCookie = page.cookies.find((c) => c.name === 'hl_pre')?.value ?? '';
  return app.inject({
    method: 'POST',
    url: '/staff/sign-in',
    cookies: { hl_pre: preCookie },
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: formBody({ _pre: pre, email, password, next: '/staff' }),
  });
}

export async function staffClient(
  app: FastifyInstance,
  db: Db,
  opts: { role: Role; unitCode?: string; email?: string },
): Promise<StaffClient> {
  const email = opts.email ?? `can-bo-${randomBytes(4).toString('hex')}@example.gov.vn`;
  const created = await createUser(db, {
    email,
    name: 'Cán bộ Thử Nghiệm',
    password: TEST_PASSWORD,
    role: opts.role,
    unitCode: opts.unitCode,
  });
  if (created.status !== 'ok') throw new Error(`could not create test user: ${created.status}`);
  const res = await signInForm(app, email, TEST_PASSWORD);
  const token = res.cookies.find((c) => c.name === app.sessionCookie.name)?.value;
  if (!token) throw new Error(`sign-in failed: ${res.statusCode}`);
  const cookies = { [app.sessionCookie.name]: token };
  const home = await app.inject({ method: 'GET', url: '/staff/password', cookies });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(home.body)?.[1];
  if (!csrf) throw new Error('no CSRF token on the staff page');
  return {
    email,
    csrf,
    cookies,
    get: (url, headers) => app.inject({ method: 'GET', url, cookies, headers }),
    post: (url, fields = {}) =>
      app.inject({
        method: 'POST',
        url,
        cookies,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: formBody({ _csrf: csrf, ...fields }),
      }),
  };
}
