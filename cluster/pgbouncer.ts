import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../tests/helpers/process.ts';
import type { Postgres } from './postgres.ts';
import { type Daemon, postgresUser, startDaemon, stopChild, type Teardown, waitForPort } from './processes.ts';

// PgBouncer in transaction pooling mode between the nodes and the primary:
// a server connection belongs to a client only for one transaction, so the
// app must keep no session state across transactions (issue 19, point 4).
//
// node-postgres sends statement_timeout and idle_in_transaction_session_timeout
// as startup parameters (server/platform/db/connect.ts), which PgBouncer 1.18
// refuses unless told to ignore them; ignored, they must be set on the
// database instead (run.ts does, and docs/deployment.md will have to say so).

export const PGBOUNCER = '/usr/sbin/pgbouncer';

export interface Bouncer {
  port: number;
  daemon: Daemon;
  url(database: string): string;
}

export async function startPgBouncer(
  runDir: string,
  primary: Postgres,
  database: string,
  teardown: Teardown,
): Promise<Bouncer> {
  const port = await freePort();
  const ini = path.join(runDir, 'pgbouncer.ini');
  const users = path.join(runDir, 'pgbouncer-users.txt');
  // trust: no password is checked, but the user must be listed.
  writeFileSync(users, '"postgres" ""\n', { mode: 0o644 });
  writeFileSync(
    ini,
    [
      '[databases]',
      `${database} = host=127.0.0.1 port=${primary.port} dbname=${database} user=postgres`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${users}`,
      'pool_mode = transaction',
      'default_pool_size = 20',
      'max_client_conn = 500',
      'ignore_startup_parameters = extra_float_digits,statement_timeout,idle_in_transaction_session_timeout',
      'admin_users = postgres',
      'log_connections = 0',
      'log_disconnections = 0',
      '',
    ].join('\n'),
    { mode: 0o644 },
  );
  // PgBouncer refuses to run as root.
  const daemon = startDaemon('PgBouncer', PGBOUNCER, [ini], { ...postgresUser(), cwd: runDir });
  teardown.watch(daemon.child);
  // SIGTERM: immediate shutdown (SIGINT would wait for clients, and the nodes are gone by then).
  teardown.add(daemon.name, () => stopChild(daemon.child, 'SIGTERM'));
  await waitForPort(port, 'PgBouncer', daemon.child).catch((err: Error) => {
    throw new Error(`${err.message}\n${daemon.output()}`);
  });
  return { port, daemon, url: (db) => `postgres://postgres@127.0.0.1:${port}/${db}` };
}
