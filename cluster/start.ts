import { existsSync } from 'node:fs';
import { HAPROXY, startBalancer, untilState } from './balancer.ts';
import { DATABASE, type Parts } from './context.ts';
import { createNode } from './nodes.ts';
import { directEntry, PGBOUNCER, startPgBouncer } from './pgbouncer.ts';
import { execSql, postgresBin, startPrimary } from './postgres.ts';
import type { Teardown } from './processes.ts';
import { startReplica } from './replica.ts';

// The cluster on loopback, started in dependency order: the primary, the
// app database, its streaming replica (pg_basebackup of the primary once the
// database exists), PgBouncer, node A (which migrates), node B once A is
// ready, then HAProxy in front of both. The nodes reach the primary only
// through PgBouncer, pooled (transaction) and direct (session), so that a
// failover changes PgBouncer alone; they read reports from the replica.

/** Seconds behind after which the nodes read reports from the primary (30 by default; short, to be seen here). */
export const REPLICA_MAX_LAG_SECONDS = 5;

/** What is missing on this machine, with the Debian package that brings it. */
export function missingPrograms(): string[] {
  const missing: string[] = [];
  if (!postgresBin()) missing.push('PostgreSQL 15 (apt-get install postgresql-15)');
  if (!existsSync(PGBOUNCER)) missing.push(`${PGBOUNCER} (apt-get install pgbouncer)`);
  if (!existsSync(HAPROXY)) missing.push(`${HAPROXY} (apt-get install haproxy)`);
  return missing;
}

export async function startParts(runDir: string, teardown: Teardown, say: (line: string) => void): Promise<Parts> {
  const t0 = performance.now();
  const since = () => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
  const primary = await startPrimary(runDir, teardown);
  // The pool's own statement and idle-in-transaction limits (connect.ts)
  // travel as startup parameters, which PgBouncer drops: set them here.
  await execSql(primary.url('postgres'), [
    `create database ${DATABASE}`,
    `alter database ${DATABASE} set statement_timeout = '15s'`,
    `alter database ${DATABASE} set idle_in_transaction_session_timeout = '30s'`,
  ]);
  say(`  primary PostgreSQL on ${primary.port} (${since()})`);
  const replica = await startReplica(runDir, primary, teardown);
  say(`  streaming replica on ${replica.port} (${since()})`);
  const bouncer = await startPgBouncer(runDir, primary, DATABASE, teardown);
  say(`  PgBouncer on ${bouncer.port} (${DATABASE}: transaction pooling, ${directEntry(DATABASE)}: session)`);
  const settings = {
    pooledUrl: bouncer.url(DATABASE),
    directUrl: bouncer.url(directEntry(DATABASE)),
    env: {
      CODE_DAILY_CAP: '100000',
      // The harness submits the same answers under one API key: no stuffing
      // flags, so that every submission counts in the replica scenario's report.
      STUFFING_MAX_PER_CLIENT: '100000',
      STUFFING_MAX_PER_DESK: '100000',
      STUFFING_BURST: '100000',
      // Straight to the replica: PgBouncer's entries are the primary's.
      DATABASE_REPLICA_URL: replica.url(DATABASE),
      REPLICA_MAX_LAG_SECONDS: String(REPLICA_MAX_LAG_SECONDS),
    },
  };
  const a = await createNode('a', settings, teardown);
  const b = await createNode('b', settings, teardown);
  await a.start();
  say(`  node a on ${a.port}, migrated (${since()})`);
  await b.start();
  say(`  node b on ${b.port} (${since()})`);
  const balancer = await startBalancer(runDir, [a, b], teardown);
  await untilState(balancer, ['a', 'b'], 'UP');
  say(`  HAProxy on ${new URL(balancer.url).port}, both nodes UP (${since()})`);
  return { primary, replica, bouncer, nodes: [a, b], balancer };
}
