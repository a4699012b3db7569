import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports application types.
//
// Responses through a one-time receipt code get a channel of their own,
// `code` (issue 13): they were stored as `qr` and counted under "Mã QR tại
// quầy", so officials could not see how many came from receipts.
//
// The rows to move are told apart by `verified`: the form sets it exactly
// when a one-time code is used up with the response (the code's row keeps no
// link to the response, by design). Only the citizen form ever stored them,
// always as `qr`.
//
// The update moves the aggregates through response_aggregates_move, row by
// row, in this transaction: the same path as any other change of channel, so
// response_daily, answer_daily and response_monthly stay equal to a rebuild
// (scale_monthly has no channel and does not change). Verified responses are
// a small share of all, so this is cheaper than aggregates_rebuild().
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table response drop constraint response_channel_check;
    alter table response add constraint response_channel_check
      check (channel in ('qr', 'code', 'kiosk', 'paper', 'link', 'api'));
    update response set channel = 'code' where verified and channel = 'qr';
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    update response set channel = 'qr' where channel = 'code';
    alter table response drop constraint response_channel_check;
    alter table response add constraint response_channel_check
      check (channel in ('qr', 'kiosk', 'paper', 'link', 'api'));
  `.execute(db);
}
