import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createApiKey } from '../server/features/access/api-key-service.ts';
import { insertDesk } from '../server/features/organisation/desk-repository.ts';
import { insertUnit } from '../server/features/organisation/unit-repository.ts';
import { connect, type Db } from '../server/platform/db/connect.ts';
import { prepareDatabase } from '../server/setup.ts';
import { startServer } from '../tests/helpers/process.ts';
import type { Cluster } from './cluster.ts';
import { json, type RequestSpec } from './http.ts';

// What every scenario works with: the cluster, a connection for checking
// what was stored, the server as a child process, and fresh desks so that
// each scenario counts only its own rows.

export const PUBLIC_URL = 'https://khaosat.example.gov.vn';

/** Answers the quick survey accepts, as the JSON API takes them: 8 answer rows. */
export const ANSWERS = {
  access: 4,
  procedure: 5,
  staff: 5,
  result: 4,
  feedback: 'na',
  overall: 5,
  trips: '1',
  comment: 'Cán bộ hướng dẫn tận tình.',
};
export const ANSWER_ROWS = Object.keys(ANSWERS).length;

export interface Server {
  url: string;
  child: ChildProcess;
  output(): string;
}

export class Context {
  readonly db: Db;
  readonly url: string;

  constructor(
    readonly cluster: Cluster,
    database: string,
  ) {
    this.url = cluster.urlFor(database);
    this.db = connect({ url: this.url, poolMax: 3, onPoolError: () => {} });
  }

  /** The province every scenario's desks sit under, and its submit key. */
  private rootId = 0;

  async prepare() {
    await prepareDatabase(this.db, { seedDemo: false });
    const code = `fp-root-${randomBytes(4).toString('hex')}`;
    this.rootId = await insertUnit(this.db, { code, name: 'Tỉnh Thử Lỗi', kind: 'province', parent_id: null });
    const key = await createApiKey(this.db, {
      unitCode: code,
      role: 'submit',
      channels: ['api', 'kiosk', 'paper', 'link'],
      label: 'fault suite',
    });
    if (!key) throw new Error('could not create the submit key');
    submitAuthorization = `Bearer ${key.key}`;
  }

  private readonly children = new Set<ChildProcess>();

  async startServer(env: Record<string, string> = {}): Promise<Server> {
    const server = await startServer({
      DATABASE_URL: this.url,
      SEED_DEMO: 'never',
      PUBLIC_URL,
      LOG_LEVEL: 'warn',
      ...env,
    });
    this.children.add(server.child);
    server.child.once('exit', () => this.children.delete(server.child));
    return server;
  }

  /** Servers a failed or interrupted scenario left running. */
  killServers() {
    for (const child of this.children) child.kill('SIGKILL');
  }

  /** A new centre with one desk serving one area, so submissions need no serviceArea. */
  async desk(area = 'dat-dai'): Promise<{ code: string; id: number; centreCode: string }> {
    const s = randomBytes(4).toString('hex');
    const province = this.rootId;
    const centreCode = `ftt-${s}`;
    const centre = await insertUnit(this.db, {
      code: centreCode,
      name: 'Trung tâm Phục vụ hành chính công Thử Lỗi',
      kind: 'centre',
      parent_id: province,
    });
    const code = `fq-${s}`;
    const id = await insertDesk(this.db, { unitId: centre, code, name: 'Quầy thử lỗi', serviceAreas: [area] });
    return { code, id, centreCode };
  }

  /** Rows stored for a desk: responses, distinct ids, and responses whose answers are not all there. */
  async stored(deskId: number): Promise<{ responses: number; distinct: number; partial: number; ids: Set<string> }> {
    const rows = await sql<{ submission_id: string; answers: number }>`
      select r.submission_id, (select count(*)::int from answer a where a.response_id = r.id) as answers
      from response r where r.desk_id = ${deskId}`.execute(this.db);
    const ids = new Set(rows.rows.map((r) => r.submission_id));
    return {
      responses: rows.rows.length,
      distinct: ids.size,
      partial: rows.rows.filter((r) => r.answers !== ANSWER_ROWS).length,
      ids,
    };
  }

  async close() {
    await this.db.destroy();
  }
}

/** The fault suite's submit key (Context.prepare makes it): the response API needs one. */
let submitAuthorization = '';
export const submitAuth = () => submitAuthorization;

/** A response as a kiosk app posts it, with the suite's submit key. */
export function submission(desk: string, submissionId: string = randomUUID()): RequestSpec {
  const spec = json({ desk, answers: ANSWERS, submissionId });
  return {
    method: 'POST',
    path: '/api/v1/responses',
    ...spec,
    headers: { ...spec.headers, authorization: submitAuthorization },
  };
}
