import { type Kysely, sql } from 'kysely';

// answer_key_idx (indicator_key, value_num) served reports computed from raw
// answers; reports read the aggregates now (0600, 0800) and every query of
// answer goes by response_id (the primary key). Each submission paid about
// seven inserts into this index for nothing.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop index answer_key_idx`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`create index answer_key_idx on answer (indicator_key, value_num)`.execute(db);
}
