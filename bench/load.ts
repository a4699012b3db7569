import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';

// HTTP load from this process (never the server's): autocannon with a fixed
// number of connections, each sending its next request as soon as the last
// one is answered.

export interface LoadResult {
  /** Requests answered 2xx per second over the measured window. */
  rps: number;
  p50: number;
  p99: number;
  /** Connection errors, timeouts and non-2xx answers together. */
  errors: number;
  ok: number;
  /** 2xx answers of the warm-up and the measured run together. */
  okWithWarmUp: number;
}

export interface LoadSpec {
  url: string;
  connections: number;
  seconds: number;
  method?: 'GET' | 'POST';
  /** A new JSON body per request (a fresh submission id each time, say). */
  body?: () => unknown;
  headers?: Record<string, string>;
}

function run(spec: LoadSpec, seconds: number): Promise<autocannon.Result> {
  const headers = { ...(spec.body ? { 'content-type': 'application/json' } : {}), ...spec.headers };
  return autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: seconds,
    method: spec.method ?? 'GET',
    headers,
    timeout: 10,
    requests: spec.body ? [{ setupRequest: (req) => ({ ...req, body: JSON.stringify(spec.body?.()) }) }] : undefined,
  });
}

/** A short warm-up (JIT, pools, caches), then the measured run. */
export async function load(spec: LoadSpec): Promise<LoadResult> {
  const warm = await run(spec, Math.max(1, Math.round(spec.seconds / 4)));
  const r = await run(spec, spec.seconds);
  const ok = r['2xx'];
  return {
    rps: ok / spec.seconds,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts + r.non2xx,
    ok,
    okWithWarmUp: ok + warm['2xx'],
  };
}

/**
 * A full sipas-quick submission, as a kiosk or integration posts it, with a
 * new id. `areas`, when given, is the service area of each desk (the national
 * tree's desks serve different ones); otherwise every desk serves both.
 */
export function submissionBody(desks: readonly string[], areas?: readonly string[]): () => unknown {
  let i = 0;
  return () => {
    i += 1;
    return {
      desk: desks[i % desks.length],
      serviceArea: areas?.[i % desks.length] ?? (i % 3 === 0 ? 'dat-dai' : 'ho-tich'),
      submissionId: randomUUID(),
      channel: 'kiosk',
      answers: {
        access: 1 + (i % 5),
        procedure: 1 + ((i * 7) % 5),
        staff: 5,
        result: 4,
        feedback: 'na',
        overall: 1 + ((i * 3) % 5),
        trips: '1',
        comment: i % 10 === 0 ? 'Cán bộ hướng dẫn tận tình, thủ tục nhanh.' : null,
      },
    };
  };
}
