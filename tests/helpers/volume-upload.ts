import type { FastifyInstance } from 'fastify';
import type { StaffClient } from './staff.ts';

// Uploads to a staff page (dossier volumes by default, a round's forms), as a browser posts them.

/** A browser's multipart form post: the CSRF field, then the file. */
export async function upload(
  app: FastifyInstance,
  user: StaffClient,
  file: { name: string; data: Buffer | string },
  url = '/staff/volumes/uploads',
) {
  const form = new FormData();
  form.append('_csrf', user.csrf);
  form.append('file', new Blob([file.data]), file.name);
  const req = new Request('http://localhost/', { method: 'POST', body: form });
  return app.inject({
    method: 'POST',
    url,
    cookies: user.cookies,
    headers: { 'content-type': req.headers.get('content-type')! },
    payload: Buffer.from(await req.arrayBuffer()),
  });
}
