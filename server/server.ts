import closeWithGrace from 'close-with-grace';
import { buildApp, loggerOptions } from './app.ts';
import { startBackgroundWork } from './background.ts';
import { ConfigError, isTrialAddress, loadConfig } from './platform/config.ts';
import { openDatabase } from './platform/db/database.ts';
import { databaseUrlOf, onDirectDatabase } from './platform/db/database-url.ts';
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
  let jobs: Awaited<ReturnType<typeof startBackgroundWork>> | undefined;
  const database = await openDatabase(config, (err) =>
    app?.log.warn({ err: err.message }, 'idle database client failed'),
  );
  try {
    const { seeded, adminCreated, noUsers, surveysKeptByStaff } = await onDirectDatabase(config, database.db, (db) =>
      prepareDatabase(db, {
        seedDemo: config.seedDemo,
        admin: config.admin,
        onMoveProgress: ({ moved, left }) =>
          say(`Moving responses into monthly partitions: ${moved} moved, ${left} left (resumes if interrupted)…`),
      }),
    );
    if (adminCreated) say(`First administrator created: ${adminCreated}`);
    for (const code of surveysKeptByStaff) {
      say(`Survey ${code}: a newer shipped version was not published, staff have published their own versions.`);
    }
    if (noUsers) {
      say('No staff account yet. Create the first administrator, then sign in at /staff:');
      say('  HL_PASSWORD=… npm run cli -- user create --role admin --email you@example.gov.vn --name "Tên"');
      say('  (or start with ADMIN_EMAIL and ADMIN_PASSWORD set)');
    }
    if (seeded && !seeded.skipped) {
      say(
        `Demo data: ${seeded.units} units, ${seeded.desks} desks, ${seeded.responses} responses, ${seeded.roundForms} survey-round forms.`,
      );
    }
    app = await buildApp({
      config,
      db: database.db,
      logger: loggerOptions(config.logLevel),
      changesFrom: await databaseUrlOf(config),
    });
    app.addHook('onClose', async () => database.close());

    closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
      if (err) app?.log.error({ err }, 'shutting down after an error');
      else app?.log.info({ signal }, 'shutting down: finishing requests in flight');
      await jobs?.stop();
      await app?.close();
    });

    await app.listen({ port: config.port, host: config.host });
    // Webhook deliveries in this process, unless `npm run worker` runs them (WORKER=separate).
    const log = app.log;
    if (config.worker.mode === 'inline')
      jobs = await startBackgroundWork(config, database.db, (l, m, x) => log[l](x, m));
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    say('');
    say(
      `  Máy chủ đã sẵn sàng / Server ready:  http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}/`,
    );
    say(`  Database: ${database.description}`);
    say(`  QR links use PUBLIC_URL = ${config.publicUrl}`);
    if (isTrialAddress(config.publicUrl)) {
      say('');
      say('  CẢNH BÁO / WARNING: bản chạy thử / trial run.');
      say(`  Mã QR, áp phích và phiếu mã dẫn tới ${config.publicUrl}: điện thoại của người dân không mở được.`);
      say('  QR codes, posters and slips point at this machine only: citizens cannot open them.');
      say('  Đặt PUBLIC_URL (địa chỉ công khai, https://…) và HOST (0.0.0.0, hoặc 127.0.0.1 sau proxy HTTPS)');
      say('  Set PUBLIC_URL (the public https://… address) and HOST; see README "Triển khai thật / Real deployment".');
    }
    say('');
  } catch (err) {
    await jobs?.stop().catch(() => {});
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
