import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports application types.
//
// One-time codes cannot be farmed (issue 11): each code records who issued
// it (a staff account or an API key, never both), so that the daily cap per
// issuer can be counted and reviewers can see codes issued but never used;
// and a keyed hash of the dossier it was issued for, unique, so that one
// dossier gets one code. The dossier reference itself is never stored, and
// the hash is keyed with a server secret, so a database copy cannot be
// searched for a known reference. Codes issued before this migration keep
// nulls: their issuer and dossier were never known.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table transaction_code
      add column issued_by_user_id integer references app_user (id),
      add column issued_by_key_id integer references api_key (id),
      add column dossier_hash text check (dossier_hash ~ '^[A-Za-z0-9_-]{43}$'),
      add constraint transaction_code_one_issuer_check
        check (num_nonnulls(issued_by_user_id, issued_by_key_id) <= 1);
    create unique index transaction_code_dossier_idx on transaction_code (dossier_hash);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop index transaction_code_dossier_idx;
    alter table transaction_code
      drop constraint transaction_code_one_issuer_check,
      drop column dossier_hash,
      drop column issued_by_key_id,
      drop column issued_by_user_id;
  `.execute(db);
}
