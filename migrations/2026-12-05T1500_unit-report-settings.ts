import { type Kysely, sql } from 'kysely';

// What a unit's written reports carry in the format of Nghị định
// 30/2020/NĐ-CP (issue 13): place name, parent body, the Số line's
// abbreviation, recipients, signer and distribution list. A null column
// means the default the app derives from the unit's name and ancestors;
// lists are kept as typed, one entry a line.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table unit_report_setting (
      unit_id integer primary key references unit (id),
      issuer_name text check (length(issuer_name) <= 200),
      parent_name text check (length(parent_name) <= 200),
      place_name text check (length(place_name) <= 100),
      abbreviation text check (length(abbreviation) <= 40),
      recipients text check (length(recipients) <= 2000),
      signer_capacity text check (length(signer_capacity) <= 300),
      signer_name text check (length(signer_name) <= 100),
      distribution text check (length(distribution) <= 2000),
      updated_by integer references app_user (id),
      updated_at timestamptz not null default now()
    );
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table unit_report_setting`.execute(db);
}
