import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports application types.
//
// The numbered paper forms of a survey round (issue 16). Each form is typed
// in twice by two different clerks; it counts (gets its response) only when
// the two entries agree or a third person has reconciled them. The serial is
// the form's key within its round: a form cannot be entered for a round
// twice. A form imported from a file or the API was keyed elsewhere and
// counts at once (source 'import' / 'api').
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table round_form (
      round_id integer not null references survey_round (id) on delete cascade,
      serial integer not null check (serial between 1 and 99999),
      status text not null check (status in ('first', 'disagree', 'counted')),
      source text not null default 'entry' check (source in ('entry', 'import', 'api')),
      first_entry jsonb not null,
      first_by integer references app_user (id),
      first_at timestamptz not null default now(),
      second_entry jsonb,
      second_by integer references app_user (id),
      second_at timestamptz,
      -- What was counted after a disagreement: the reconciler's reading of the form.
      final_entry jsonb,
      reconciled_by integer references app_user (id),
      reconciled_at timestamptz,
      response_id bigint references response (id) on delete set null,
      primary key (round_id, serial),
      -- Two entries of one form are never the same clerk's.
      check (second_by is null or first_by is null or second_by <> first_by),
      check ((status = 'first') = (second_entry is null and source = 'entry')),
      check (status <> 'disagree' or second_entry is not null)
    );
    create index round_form_status on round_form (round_id, status);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table round_form`.execute(db);
}
