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
// database instead (start.ts does, and docs/deployment.md says so).
//
// PgBouncer is also the cluster's one address of "the primary": a second
// entry, `<database>_direct`, in session pooling, carries what holds a
// session (DATABASE_DIRECT_URL: LISTEN, the job runner, migrations), so that
// after a failover only this file changes (`repoint`) and the nodes keep
// their settings. node-postgres takes one host per connection string, so a
// list of hosts with target_session_attrs=read-write is not an option.

export const PGBOUNCER = '/usr/sbin/pgbouncer';

export interface Bouncer {
  port: number;
  daemon: Daemon;
  url(database: string): string;
  /** Points both entries at another PostgreSQL and reloads (SIGHUP): a failover's only change. */
  repoint(primary: Postgres): void;
}

/** The entry in session pooling for DATABASE_DIRECT_URL. */
export const directEntry = (database: string) => `${database}_direct`;

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
  const write = (target: Postgres) => writeFileSync(ini, settings(target), { mode: 0o644 });
  const settings = (target: Postgres) =>
    [
      '[databases]',
      `${database} = host=127.0.0.1 port=${target.port} dbname=${database} user=postgres`,
      // Each node's session holders (cache listener, job runner's pool, kiosk waits, the start's migrations).
      `${directEntry(database)} = host=127.0.0.1 port=${target.port} dbname=${database} user=postgres pool_mode=session pool_size=60`,
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
      // After a failed connection PgBouncer waits this long before trying the
      // server again (15 s by default): it would add to the failover's gap.
      'server_login_retry = 1',
      '',
    ].join('\n');
  write(primary);
  // PgBouncer refuses to run as root.
  const daemon = startDaemon('PgBouncer', PGBOUNCER, [ini], { ...postgresUser(), cwd: runDir });
  teardown.watch(daemon.child);
  // SIGTERM: immediate shutdown (SIGINT would wait for clients, and the nodes are gone by then).
  teardown.add(daemon.name, () => stopChild(daemon.child, 'SIGTERM'));
  await waitForPort(port, 'PgBouncer', daemon.child).catch((err: Error) => {
    throw new Error(`${err.message}\n${daemon.output()}`);
  });
  return {
    port,
    daemon,
    url: (db) => `postgres://postgres@127.0.0.1:${port}/${db}`,
    repoint(target) {
      write(target);
      daemon.child.kill('SIGHUP');
    },
  };
}
