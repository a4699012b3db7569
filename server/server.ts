import closeWithGrace from 'close-with-grace';
import { buildApp, loggerOptions } from './app.ts';
import { ConfigError, loadConfig } from './platform/config.ts';
import { openDatabase } from './platform/db/database.ts';
import { prepareDatabase } from './setup.ts';

// Starts the server: config → database (embedded when no DATABASE_URL) →
// migrations and demo seed → listen. Any failure before listening exits 1.

async function main() {
  const config = loadConfig();
  const say = (msg: string) => process.stdout.write(`${msg}\n`);
  say(
    `Starting database: ${config.databaseUrl ? 'DATABASE_URL' : 'embedded PostgreSQL (first start takes a few seconds)'}…`,
  );
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  const database = await openDatabase(config, (err) =>
    app?.log.warn({ err: err.message }, 'idle database client failed'),
  );
  try {
    const { seeded, adminCreated, noUsers } = await prepareDatabase(database.db, {
      seedDemo: config.seedDemo,
      admin: config.admin,
    });
    if (adminCreated) say(`First administrator created: ${adminCreated}`);
    if (noUsers) {
      say('No staff account yet. Create the first administrator, then sign in at /staff:');
      say('  HL_PASSWORD=… npm run cli -- user create --role admin --email you@example.gov.vn --name "Tên"');
      say('  (or start with ADMIN_EMAIL and ADMIN_PASSWORD set)');
    }
    if (seeded && !seeded.skipped) {
      say(`Demo data: ${seeded.units} units, ${seeded.desks} desks, ${seeded.responses} responses.`);
    }
    app = await buildApp({ config, db: database.db, logger: loggerOptions(config.logLevel) });
    app.addHook('onClose', async () => database.close());

    closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
      if (err) app?.log.error({ err }, 'shutting down after an error');
      else app?.log.info({ signal }, 'shutting down: finishing requests in flight');
      await app?.close();
    });

    await app.listen({ port: config.port, host: config.host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    say('');
    say(
      `  Máy chủ đã sẵn sàng / Server ready:  http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}/`,
    );
    say(`  Database: ${database.description}`);
    say(`  QR links use PUBLIC_URL = ${config.publicUrl}`);
    say('');
  } catch (err) {
    await app?.close().catch(() => {});
    await database.close().catch(() => {});
    throw err;
  }
}

main().catch((err) => {
  const message =
    err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`Start failed: ${message}\n`);
  process.exit(1);
});
