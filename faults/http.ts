import http from 'node:http';

// A small HTTP client on node:http, for what fetch hides: when a request was
// fully sent, whether the response came back complete, and cutting a
// connection on purpose. Loopback only; every request has a deadline.

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  ms: number;
}

export interface Outcome {
  reply?: Reply;
  /** A network error or an incomplete response. */
  error?: string;
  /** When the request body had been handed to the kernel in full (performance.now()). */
  sentAt?: number;
}

export interface RequestSpec {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs?: number;
}

export const agent = new http.Agent({ keepAlive: true, maxSockets: 400 });

export function request(base: string, spec: RequestSpec, using: http.Agent = agent): Promise<Outcome> {
  const started = performance.now();
  const url = new URL(base);
  return new Promise((resolve) => {
    const out: Outcome = {};
    let settled = false;
    const done = (o: Outcome) => {
      if (settled) return;
      settled = true;
      resolve(o);
    };
    const body = spec.body === undefined ? undefined : Buffer.from(spec.body);
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: spec.method,
        path: spec.path,
        agent: using,
        headers: { ...(body ? { 'content-length': String(body.length) } : {}), ...spec.headers },
        timeout: spec.timeoutMs ?? 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (!res.complete) return done({ ...out, error: 'incomplete response' });
          const reply = {
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            ms: performance.now() - started,
          };
          done({ ...out, reply });
        });
        res.on('error', (err) => done({ ...out, error: err.message }));
        res.on('aborted', () => done({ ...out, error: 'response aborted' }));
      },
    );
    req.on('finish', () => (out.sentAt = performance.now()));
    req.on('timeout', () => req.destroy(new Error(`no answer in ${spec.timeoutMs ?? 30_000} ms`)));
    req.on('error', (err) => done({ ...out, error: (err as NodeJS.ErrnoException).code ?? err.message }));
    req.end(body);
  });
}

export const json = (body: unknown) => ({
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

export const form = (fields: Record<string, string>) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `task` over `items` with at most `limit` at a time. */
export async function pool<T>(items: T[], limit: number, task: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await task(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
