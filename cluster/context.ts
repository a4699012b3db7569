import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Say, ScenarioResult } from '../faults/scenario.ts';
import { createApiKey } from '../server/features/access/api-key-service.ts';
import { createUser } from '../server/features/access/auth-service.ts';
import { insertDesk } from '../server/features/organisation/desk-repository.ts';
import { insertUnit } from '../server/features/organisation/unit-repository.ts';
import type { Db } from '../server/platform/db/connect.ts';
import type { Database } from '../server/platform/db/schema.ts';
import type { Balancer } from './balancer.ts';
import type { Node } from './nodes.ts';
import type { Bouncer } from './pgbouncer.ts';
import type { Postgres } from './postgres.ts';
import type { Replica } from './replica.ts';

// What the scenarios work with: the running parts, a direct connection to the
// primary for setting up and for counting what was stored, and the keys and
// the administrator they act with. After the failover scenario the replica
// is the primary: `usePrimary` moves the harness's connection to it.

export const DATABASE = 'hailong';
export const HARNESS = 'hai-long cluster harness';
export const ADMIN_PASSWORD = 'mat-khau-cum-may-chu';

export interface Parts {
  primary: Postgres;
  /** Streams from the primary; the nodes read reports from it. The failover promotes it. */
  replica: Replica;
  bouncer: Bouncer;
  nodes: [Node, Node];
  balancer: Balancer;
}

export class ClusterContext {
  private current: Db;
  submitKey = '';
  managerKey = '';
  adminEmail = '';
  private rootCode = '';
  private rootId = 0;

  constructor(readonly parts: Parts) {
    this.current = harnessDb(parts.primary.url(DATABASE));
  }

  /** Straight to the primary, not through PgBouncer: the harness's own checks. */
  get db(): Db {
    return this.current;
  }

  /** After a failover: the harness's checks go to the new primary. */
  async usePrimary(url: string) {
    const old = this.current;
    this.current = harnessDb(url);
    await old.destroy().catch(() => {});
  }

  /** A province with a submit key, a manager key on it, and an administrator. */
  async prepare() {
    const s = randomBytes(4).toString('hex');
    this.rootCode = `cl-root-${s}`;
    this.rootId = await insertUnit(this.db, {
      code: this.rootCode,
      name: 'Tỉnh Cụm Máy',
      kind: 'province',
      parent_id: null,
    });
    const submit = await createApiKey(this.db, {
      unitCode: this.rootCode,
      role: 'submit',
      channels: ['api', 'kiosk', 'paper', 'link'],
      label: 'cluster harness',
    });
    const manager = await createApiKey(this.db, { unitCode: this.rootCode, role: 'manager', label: 'cluster harness' });
    if (!submit || !manager) throw new Error('could not create the API keys');
    this.submitKey = submit.key;
    this.managerKey = manager.key;
    this.adminEmail = `quan-tri-${s}@example.gov.vn`;
    const admin = await createUser(this.db, {
      email: this.adminEmail,
      name: 'Quản trị Cụm Máy',
      password: ADMIN_PASSWORD,
      role: 'admin',
    });
    if (admin.status !== 'ok') throw new Error(`could not create the administrator: ${admin.status}`);
  }

  /** A new centre under the province with one desk serving one area. */
  async desk(area = 'dat-dai'): Promise<{ code: string; id: number }> {
    const s = randomBytes(4).toString('hex');
    const centre = await insertUnit(this.db, {
      code: `ctt-${s}`,
      name: 'Trung tâm Phục vụ hành chính công Cụm Máy',
      kind: 'centre',
      parent_id: this.rootId,
    });
    const code = `cq-${s}`;
    const id = await insertDesk(this.db, { unitId: centre, code, name: 'Quầy cụm máy', serviceAreas: [area] });
    return { code, id };
  }

  async close() {
    await this.db.destroy();
  }
}

function harnessDb(url: string): Db {
  // Named apart from the nodes' pools ('hai-long'), which must all come through PgBouncer.
  const pool = new pg.Pool({ connectionString: url, max: 3, application_name: HARNESS });
  pool.on('error', () => {});
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

export interface ClusterScenario {
  name: string;
  run(ctx: ClusterContext, say: Say): Promise<ScenarioResult>;
}
