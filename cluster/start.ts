import { existsSync } from 'node:fs';
import { HAPROXY, startBalancer, untilState } from './balancer.ts';
import { DATABASE, type Parts } from './context.ts';
import { createNode } from './nodes.ts';
import { PGBOUNCER, startPgBouncer } from './pgbouncer.ts';
import { execSql, postgresBin, startPrimary } from './postgres.ts';
import type { Teardown } from './processes.ts';

// The cluster on loopback, started in dependency order: the primary, the
// app database, PgBouncer, node A (which migrates), node B once A is ready,
// then HAProxy in front of both. The streaming replica of issue 19 belongs
// between the primary and PgBouncer (pg_basebackup of the primary, then
// startPostgres on the copy), and its address in the nodes' settings.

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
  const bouncer = await startPgBouncer(runDir, primary, DATABASE, teardown);
  say(`  PgBouncer (transaction pooling) on ${bouncer.port}`);
  const settings = {
    pooledUrl: bouncer.url(DATABASE),
    directUrl: primary.url(DATABASE),
    env: { CODE_DAILY_CAP: '100000' },
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
  return { primary, bouncer, nodes: [a, b], balancer };
}
