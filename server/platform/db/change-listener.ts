import pg from 'pg';

// LISTEN hl_cache (migration 2026-12-05T2330): a change to desks, units,
// surveys or API keys, committed by anyone, reaches every server process
// within moments, and each forgets what it kept in memory. One connection
// of its own per process, outside the pool (LISTEN holds a session, which a
// pool or PgBouncer in transaction mode would not keep). A lost connection
// is opened again after a second; since notifications sent meanwhile are
// lost, the process forgets everything once it is back.

export const CACHE_CHANNEL = 'hl_cache';
const RETRY_MS = 1_000;

export interface ChangeListener {
  stop(): Promise<void>;
}

export async function listenForChanges(
  url: string,
  onChange: (table: string) => void,
  warn: (msg: string) => void,
): Promise<ChangeListener> {
  let stopped = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url, application_name: 'hai-long cache listener' });
    c.on('notification', (n) => onChange(n.payload ?? ''));
    const lost = (why: string) => {
      if (stopped || client !== c) return;
      client = undefined;
      warn(`cache listener lost its connection (${why}); copies kept for at most their usual time until it is back`);
      c.end().catch(() => {});
      retry = setTimeout(() => void reconnect(), RETRY_MS);
      retry.unref();
    };
    c.on('error', (err) => lost(err.message));
    c.on('end', () => lost('closed'));
    await c.connect();
    await c.query(`listen ${CACHE_CHANNEL}`);
    client = c;
  };
  const reconnect = async () => {
    if (stopped) return;
    try {
      await connect();
      onChange('*');
    } catch (err) {
      warn(`cache listener cannot connect: ${(err as Error).message}`);
      retry = setTimeout(() => void reconnect(), RETRY_MS);
      retry.unref();
    }
  };

  await connect();
  return {
    async stop() {
      stopped = true;
      clearTimeout(retry);
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
    },
  };
}
