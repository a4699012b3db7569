import { form, request } from '../faults/http.ts';

// A staff member signed in over HTTP, as a browser would: the sign-in form's
// double-submit token, the session cookie, and the CSRF token of the staff
// pages. The session lives in the database, so it works on every node.

export interface StaffSession {
  cookie: string;
  csrf: string;
}

/** `name=value` pairs of a response's Set-Cookie headers. */
function cookiesOf(setCookie: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of setCookie ?? []) {
    const [pair = ''] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq > 0) out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return out;
}

/** `from`: the X-Forwarded-For the load balancer passes on, so that each staff PC is its own client. */
export async function signIn(base: string, email: string, password: string, from?: string): Promise<StaffSession> {
  const via: Record<string, string> = from ? { 'x-forwarded-for': from } : {};
  const page = await request(base, { method: 'GET', path: '/staff/sign-in', headers: via });
  const pre = /name="_pre" value="([^"]+)"/.exec(page.reply?.body ?? '')?.[1];
  const preCookie = cookiesOf(page.reply?.headers['set-cookie']).hl_pre;
  if (!pre || !preCookie) throw new Error(`no sign-in form: ${page.reply?.status ?? page.error}`);
  const posted = await request(base, {
    method: 'POST',
    path: '/staff/sign-in',
    ...form({ _pre: pre, email, password, next: '/staff' }),
    headers: { ...form({}).headers, ...via, cookie: `hl_pre=${preCookie}` },
  });
  const session = Object.entries(cookiesOf(posted.reply?.headers['set-cookie'])).find(([k]) =>
    k.endsWith('hl_session'),
  );
  if (posted.reply?.status !== 303 || !session)
    throw new Error(`sign-in refused: ${posted.reply?.status ?? posted.error}`);
  const cookie = `${session[0]}=${session[1]}`;
  const staffPage = await request(base, { method: 'GET', path: '/staff/password', headers: { cookie } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(staffPage.reply?.body ?? '')?.[1];
  if (!csrf) {
    const why = staffPage.reply ? `${staffPage.reply.status} ${staffPage.reply.body.slice(0, 200)}` : staffPage.error;
    throw new Error(`no CSRF token on the staff page: ${why}`);
  }
  return { cookie, csrf };
}

/** A staff form post with the session's cookie and CSRF token. */
export function staffPost(base: string, session: StaffSession, path: string, fields: Record<string, string>) {
  const body = form({ ...fields, _csrf: session.csrf });
  return request(base, { method: 'POST', path, ...body, headers: { ...body.headers, cookie: session.cookie } });
}
