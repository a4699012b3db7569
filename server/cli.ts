import { ACCOUNT_USAGE } from './features/access/account-cli-usage.ts';
import { loadConfig } from './platform/config.ts';
import type { Db } from './platform/db/connect.ts';
import { openDatabase } from './platform/db/database.ts';

// npm run cli -- <command>: operations against the configured database. Each
// command loads what it needs when it runs: a process for one command does
// not pay for the others' modules (about a second of CPU per start).

const USAGE = `Usage: npm run cli -- <command>

Commands:
  migrate            bring the database schema to the latest version
  seed-demo          add the demo communes, desks and responses (once)
  desks [--json]     list active desks with their unit, service areas and QR URL
  user create --email EMAIL --name NAME --role admin|official|manager|staff [--unit CODE]
                     create a staff account; the password comes from HL_PASSWORD or --password
${ACCOUNT_USAGE}  apikey create --unit CODE --role official|manager|submit [--channels api,kiosk,paper,link] [--label TEXT]
                     create an API key for a unit and its subtree (shown once); a submit
                     key posts responses on its channels (default api) and nothing else
  forget-client-keys erase client and render keys older than 24 hours (the server does it every 10 minutes)
  rebuild-aggregates recompute the daily report counts from the raw responses
  archive --before YYYY-MM [--out FILE [--drop]]
                     detach the monthly partitions of responses before that month into the
                     schema "archive" (their report figures stay); --out dumps that schema to
                     FILE, --drop then drops the archived tables
  backup [--out FILE]
                     pg_dump the database (custom format) to FILE, by default hailong-<time>.dump
  restore FILE [--into DATABASE_URL]
                     pg_restore FILE into an empty database (the configured one by default)
  volumes import FILE [--dry-run]
                     import dossier volumes from a CSV or XLSX file made from the staff page's
                     template (as an administrator); --dry-run checks and shows, stores nothing
  unit merge --into CODE --from CODE,CODE --on YYYY-MM-DD [--dry-run]
  unit split --from CODE --into CODE,CODE --on YYYY-MM-DD [--dry-run]
  unit rename CODE --name NAME --on YYYY-MM-DD [--dry-run]
  unit move CODE --to PARENT_CODE --on YYYY-MM-DD [--dry-run]
                     reorganise units with an effective date (previewed with --dry-run)
  unit public CODE on|off
                     publish the unit's results at /cong-khai/CODE, or stop
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === 'help' || command === '--help') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  if (
    ![
      'migrate',
      'seed-demo',
      'desks',
      'apikey',
      'user',
      'forget-client-keys',
      'rebuild-aggregates',
      'archive',
      'backup',
      'restore',
      'volumes',
      'unit',
    ].includes(command)
  ) {
    process.stderr.write(`Unknown command: ${command}\n\n${USAGE}`);
    return 2;
  }
  const config = loadConfig();
  if (command === 'backup' || command === 'restore') return backupOrRestore(config, command, args);
  const database = await openDatabase(config);
  try {
    if (command === 'migrate') {
      const { migrateToLatest } = await import('./platform/db/migrate.ts');
      const { onDirectDatabase } = await import('./platform/db/database-url.ts');
      // Migrations hold a session lock: straight to PostgreSQL when DATABASE_URL is PgBouncer.
      const results = await onDirectDatabase(config, database.db, (db) =>
        migrateToLatest(db, {
          onMoveProgress: ({ moved, left }) =>
            process.stdout.write(`Moved ${moved} responses into monthly partitions, ${left} left…\n`),
        }),
      );
      const done = results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
      process.stdout.write(done.length ? `Applied: ${done.join(', ')}\n` : 'Schema is up to date.\n');
    } else if (command === 'seed-demo') {
      const { prepareDatabase } = await import('./setup.ts');
      const { seedDemo } = await import('./features/demo/demo.ts');
      const { onDirectDatabase } = await import('./platform/db/database-url.ts');
      await onDirectDatabase(config, database.db, (db) => prepareDatabase(db, { seedDemo: false }));
      const s = await seedDemo(database.db);
      process.stdout.write(
        s.skipped
          ? 'Demo data is already there; nothing added.\n'
          : `Added ${s.units} units, ${s.desks} desks, ${s.responses} responses, ${s.roundForms} survey-round forms.\n`,
      );
    } else if (command === 'user') {
      const { accountCommand } = await import('./features/access/account-cli.ts');
      return (await accountCommand(database.db, config, args)) ?? (await user(database.db, args));
    } else if (command === 'apikey') {
      return await apikey(database.db, args);
    } else if (command === 'forget-client-keys') {
      const { forgetOldClientKeys } = await import('./features/submission/client-key-sweep.ts');
      const { CLIENT_KEY_HOURS } = await import('./features/submission/stuffing-rules.ts');
      const erased = await forgetOldClientKeys(database.db);
      process.stdout.write(`Erased the client keys of ${erased} responses older than ${CLIENT_KEY_HOURS} hours.\n`);
    } else if (command === 'volumes') {
      const { volumesCommand } = await import('./features/volumes/volume-cli.ts');
      return await volumesCommand(database.db, args);
    } else if (command === 'unit') {
      if (args[0] === 'public') {
        const { publicCommand } = await import('./features/public/public-cli.ts');
        return await publicCommand(database.db, args.slice(1));
      }
      const { lineageCommand } = await import('./features/organisation/unit-lineage-cli.ts');
      return await lineageCommand(database.db, args);
    } else if (command === 'archive') {
      const { archiveCommand } = await import('./features/backup/archive-cli.ts');
      return await archiveCommand(database.db, config, args);
    } else if (command === 'rebuild-aggregates') {
      const { rebuildAggregates } = await import('./features/reports/aggregate-repository.ts');
      const r = await rebuildAggregates(database.db);
      process.stdout.write(`Rebuilt ${r.answerRows} answer_daily rows and ${r.responseRows} response_daily rows.\n`);
    } else {
      const { listDesks } = await import('./features/organisation/desk-repository.ts');
      const { deskSurveyUrl } = await import('./features/organisation/desk-links.ts');
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

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

const ROLES = ['admin', 'official', 'manager', 'staff'] as const;

async function user(db: Db, args: string[]): Promise<number> {
  const opt = (name: string) => option(args, name);
  const role = ROLES.find((r) => r === opt('role'));
  const email = opt('email');
  const password = process.env.HL_PASSWORD ?? opt('password');
  if (args[0] !== 'create' || !email || !role || !password) {
    process.stderr.write(
      'Usage: HL_PASSWORD=… npm run cli -- user create --email EMAIL --name NAME --role admin|official|manager|staff [--unit CODE]\n' +
        `   or: npm run cli -- user …\n${ACCOUNT_USAGE}`,
    );
    return 2;
  }
  const unitCode = opt('unit');
  const { createUser, MIN_PASSWORD_LENGTH } = await import('./features/access/auth-service.ts');
  const { recordAudit } = await import('./platform/auth/audit-repository.ts');
  const result = await createUser(db, { email, name: opt('name') ?? email, password, role, unitCode });
  const problems = {
    too_short: `The password needs at least ${MIN_PASSWORD_LENGTH} characters.`,
    unknown_unit:
      role === 'admin'
        ? `No unit with code ${unitCode}`
        : 'A role other than admin needs --unit CODE of an existing unit.',
    exists: `An account with ${email} exists already.`,
  };
  if (result.status !== 'ok') {
    process.stderr.write(`${problems[result.status]}\n`);
    return 1;
  }
  await recordAudit(db, { actorLabel: 'cli', action: 'user.create', detail: { email, role, unit: unitCode ?? null } });
  process.stdout.write(`Created ${role} ${email}${unitCode ? ` for ${unitCode}` : ''}.\n`);
  return 0;
}

async function apikey(db: Db, args: string[]): Promise<number> {
  const opt = (name: string) => option(args, name);
  const unitCode = opt('unit');
  const role = opt('role');
  const channels = (opt('channels') ?? '').split(',').filter(Boolean);
  const known = ['api', 'kiosk', 'paper', 'link'] as const;
  const isChannel = (c: string): c is (typeof known)[number] => (known as readonly string[]).includes(c);
  if (
    args[0] !== 'create' ||
    !unitCode ||
    (role !== 'official' && role !== 'manager' && role !== 'submit') ||
    !channels.every(isChannel) ||
    (channels.length > 0 && role !== 'submit')
  ) {
    process.stderr.write(
      'Usage: npm run cli -- apikey create --unit CODE --role official|manager|submit [--channels api,kiosk,paper,link] [--label TEXT]\n' +
        '       (--channels only with --role submit)\n',
    );
    return 2;
  }
  const { createApiKey } = await import('./features/access/api-key-service.ts');
  const created = await createApiKey(db, {
    unitCode,
    role,
    channels: channels.filter(isChannel),
    label: opt('label') ?? `${role} key for ${unitCode}`,
  });
  if (!created) {
    process.stderr.write(`No unit with code ${unitCode}\n`);
    return 1;
  }
  process.stdout.write(
    `API key ${created.id} for ${unitCode} (${role}${role === 'submit' ? `: ${created.channels.join(', ')}` : ''}). Shown once; keep it secret:\n${created.key}\n`,
  );
  return 0;
}

/** pg_dump/pg_restore work on a URL, not on the app's pool: they run before openDatabase. */
async function backupOrRestore(
  config: ReturnType<typeof loadConfig>,
  command: 'backup' | 'restore',
  args: string[],
): Promise<number> {
  const { BackupError, backupDatabase, configuredDatabase, defaultBackupFile, restoreDatabase } = await import(
    './features/backup/backup-service.ts'
  );
  const file = command === 'backup' ? (option(args, 'out') ?? defaultBackupFile()) : args[0];
  if (!file || file.startsWith('--')) {
    process.stderr.write('Usage: npm run cli -- restore FILE [--into DATABASE_URL]\n');
    return 2;
  }
  const into = command === 'restore' ? option(args, 'into') : undefined;
  const configured = into ? { url: into, close: async () => {} } : await configuredDatabase(config);
  try {
    if (command === 'backup') {
      const done = await backupDatabase(configured.url, file);
      process.stdout.write(`Backup of ${done.label} written to ${done.file} (${Math.ceil(done.bytes / 1024)} KiB).\n`);
      return 0;
    }
    const result = await restoreDatabase(configured.url, file);
    if (result.status === 'not_empty') {
      process.stderr.write(
        `Refusing to restore: the database ${result.label} is not empty (${result.relations} tables, sequences or views).\n` +
          'Restore into an empty database (createdb NAME) and name it with --into postgres://user@host:port/NAME.\n',
      );
      return 1;
    }
    process.stdout.write(`Restored ${file} into ${result.label}: ${result.tables} tables.\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof BackupError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return 1;
  } finally {
    await configured.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`Failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
