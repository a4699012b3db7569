import { loadConfig } from './config.ts';
import { openDatabase } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { listDesks } from './repositories/desk-repository.ts';
import { seedDemo } from './seed/demo.ts';
import { deskSurveyUrl } from './services/desk-links.ts';
import { prepareDatabase } from './services/setup-service.ts';

// npm run cli -- <command>: operations against the configured database.

const USAGE = `Usage: npm run cli -- <command>

Commands:
  migrate            bring the database schema to the latest version
  seed-demo          add the demo communes, desks and responses (once)
  desks [--json]     list active desks with their unit, service areas and QR URL
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === 'help' || command === '--help') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  if (!['migrate', 'seed-demo', 'desks'].includes(command)) {
    process.stderr.write(`Unknown command: ${command}\n\n${USAGE}`);
    return 2;
  }
  const config = loadConfig();
  const database = await openDatabase(config);
  try {
    if (command === 'migrate') {
      const results = await migrateToLatest(database.db);
      const done = results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
      process.stdout.write(done.length ? `Applied: ${done.join(', ')}\n` : 'Schema is up to date.\n');
    } else if (command === 'seed-demo') {
      await prepareDatabase(database.db, { seedDemo: false });
      const s = await seedDemo(database.db);
      process.stdout.write(
        s.skipped
          ? 'Demo data is already there; nothing added.\n'
          : `Added ${s.units} units, ${s.desks} desks, ${s.responses} responses.\n`,
      );
    } else {
      const desks = await listDesks(database.db);
      const rows = desks.map((d) => ({ ...d, url: deskSurveyUrl(config.publicUrl, d.code) }));
      if (args.includes('--json')) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      else {
        for (const d of rows) {
          process.stdout.write(`${d.code}\t${d.unitCode}\t${d.unitName}\t${d.serviceAreas.join(',')}\t${d.url}\n`);
        }
      }
    }
    return 0;
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`Failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
