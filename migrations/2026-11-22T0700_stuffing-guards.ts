import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports application types.
//
// Evidence and review for the anti-stuffing checks on open posters
// (server/services/stuffing-service.ts). Suspect responses are stored and
// flagged, never dropped; officials confirm or clear the flag.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    -- A keyed hash of the client address with a key that changes every day
    -- (never the address), kept one day for the per-client rate check and
    -- then erased by the application.
    alter table response add column client_key text check (client_key ~ '^[0-9a-f]{32}$');
    -- A short hash of the scale answers: the same pattern many times in a few
    -- minutes at one desk is a burst.
    alter table response add column answer_pattern text check (length(answer_pattern) <= 64);
    -- An official's decision on a flagged response: confirmed (stays out of
    -- the indices) or cleared (counted again). Its time; who is in the audit log.
    alter table response add column suspect_review text check (suspect_review in ('confirmed', 'cleared'));
    alter table response add column suspect_reviewed_at timestamptz;

    -- A cleared response keeps the reasons it was flagged for, so the review
    -- stays readable: a reason no longer implies suspect, suspect still needs one.
    alter table response drop constraint response_check;
    alter table response add constraint response_flag_reason_check
      check (not suspect or suspect_reason is not null);
    alter table response add constraint response_review_state_check
      check (
        (suspect_review is null and suspect_reviewed_at is null)
        or (suspect_reason is not null and suspect_reviewed_at is not null
            and (suspect_review = 'confirmed') = suspect)
      );

    -- The review lists flagged responses by desk and time; erasing old client
    -- keys finds them by time.
    create index response_flagged_idx on response (desk_id, submitted_at) where suspect_reason is not null;
    create index response_client_key_idx on response (submitted_at) where client_key is not null;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop index response_client_key_idx;
    drop index response_flagged_idx;
    alter table response drop constraint response_review_state_check;
    alter table response drop constraint response_flag_reason_check;
    update response set suspect_reason = null where not suspect and suspect_reason is not null;
    alter table response add constraint response_check check (suspect = (suspect_reason is not null));
    alter table response drop column suspect_reviewed_at;
    alter table response drop column suspect_review;
    alter table response drop column answer_pattern;
    alter table response drop column client_key;
  `.execute(db);
}
