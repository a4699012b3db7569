import closeWithGrace from 'close-with-grace';
import { startBackgroundWork } from './background.ts';
import { ConfigError, loadConfig } from './platform/config.ts';
import { openDatabase } from './platform/db/database.ts';
import { onDirectDatabase } from './platform/db/database-url.ts';
import { prepareDatabase } from './setup.ts';

// `npm run worker`: the background jobs (webhook deliveries) in a process
// of their own, beside servers started with WORKER=separate. Several may
// run at once; the queue gives each job to one of them. SIGTERM lets the
// deliveries in flight finish; a worker killed outright loses nothing: its
// deliveries are taken again by the next sweep once their lease ends.

async function main() {
  const config = loadConfig();
  const log = (level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>) =>
    process.stdout.write(`${JSON.stringify({ level, time: Date.now(), msg, ...extra })}\n`);
  const database = await openDatabase(config, (err) =>
    log('warn', 'idle database client failed', { err: err.message }),
  );
  try {
    // Migrations (ours and the queue's) as the server does, without the demo seed.
    await onDirectDatabase(config, database.db, (db) => prepareDatabase(db, { seedDemo: false }));
    const runner = await startBackgroundWork(config, database.db, log);
    closeWithGrace({ delay: 15_000 }, async ({ signal, err }) => {
      if (err) log('error', 'worker shutting down after an error', { err: err.message });
      else log('info', 'worker shutting down: finishing jobs in flight', { signal });
      await runner.stop();
      await database.close();
    });
    process.stdout.write('Worker ready: delivering webhooks\n');
  } catch (err) {
    await database.close().catch(() => {});
    throw err;
  }
}

main().catch((err) => {
  const message =
    err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`Worker failed to start: ${message}\n`);
  process.exit(1);
});
