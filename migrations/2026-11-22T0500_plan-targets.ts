import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports application types.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    -- Targets are data, not code (methodology §5): a scope (a unit and its
    -- subtree; one service area or all), a metric, a comparison, a threshold
    -- as a proportion, a validity period and the plan that sets it.
    create table plan_target (
      id integer generated always as identity primary key,
      unit_id integer not null references unit (id),
      service_area_code text references service_area (code),
      metric text not null check (metric in (
        'satisfaction_rate', 'factor_rate', 'on_time_rate', 'early_rate', 'late_rate',
        'feedback_handled_rate', 'feedback_on_time_rate', 'training_rate')),
      factor_key text check (factor_key in ('access', 'procedure', 'staff', 'result', 'feedback')),
      comparison text not null check (comparison in ('gte', 'gt', 'lte', 'lt')),
      threshold numeric(7, 6) not null check (threshold between 0 and 1),
      valid_from date not null,
      valid_to date not null,
      source_plan text not null check (length(source_plan) between 1 and 500),
      source_clause text check (length(source_clause) between 1 and 2000),
      created_by integer references app_user (id),
      created_at timestamptz not null default now(),
      updated_by integer references app_user (id),
      updated_at timestamptz not null default now(),
      check ((metric = 'factor_rate') = (factor_key is not null)),
      check (valid_to >= valid_from)
    );
    create index plan_target_unit_idx on plan_target (unit_id, valid_from);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table plan_target`.execute(db);
}
