import { type Kysely, sql } from 'kysely';

// Dossier volumes from the one-stop software (issue 14, methodology §6): per
// unit × service area × calendar month, the columns of Biểu II.06a/VPCP/KSTT.
// Counts of every dossier, replaced as a whole for a unit × month by each
// import (the previous values go to the audit log). The three optional
// counts are null where the one-stop software does not report them.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table dossier_volume (
      unit_id integer not null references unit (id),
      service_area_code text not null references service_area (code),
      month date not null check (extract(day from month) = 1),
      received_online integer not null check (received_online >= 0),
      received_direct integer not null check (received_direct >= 0),
      carried_over integer not null check (carried_over >= 0),
      resolved_early integer not null check (resolved_early >= 0),
      resolved_on_time integer not null check (resolved_on_time >= 0),
      resolved_late integer not null check (resolved_late >= 0),
      pending_on_time integer not null check (pending_on_time >= 0),
      pending_overdue integer not null check (pending_overdue >= 0),
      dissatisfied_or_complained integer check (dissatisfied_or_complained >= 0),
      complaints integer check (complaints >= 0),
      complaints_on_time integer check (complaints_on_time >= 0 and complaints_on_time <= complaints),
      updated_at timestamptz not null default now(),
      primary key (unit_id, month, service_area_code)
    );
    create index dossier_volume_month on dossier_volume (month);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table dossier_volume`.execute(db);
}
