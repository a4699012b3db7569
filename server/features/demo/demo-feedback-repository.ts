import { sql } from 'kysely';
import type { Db } from '../../platform/db/connect.ts';

// The demo's inbox as a commune that keeps up with it has it: of the items
// already due, seven in eight answered a day or more before their deadline,
// with a public reply and a line in their history; the rest, and everything
// not yet due, left for the visitor to handle. Praise keeps no deadline.

const DEMO_REPLY =
  'Bộ phận Một cửa cảm ơn Ông/Bà đã phản ánh. Đơn vị đã rà soát và chấn chỉnh việc tiếp nhận, ' +
  'hướng dẫn hồ sơ tại quầy; mong Ông/Bà tiếp tục góp ý. (Trả lời mẫu của dữ liệu minh họa.)';

/** Answers the demo's due feedback items; returns how many. */
export async function answerDemoFeedback(db: Db, now: Date): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    with answered as (
      update feedback_item
         set status = 'answered', public_answer = ${DEMO_REPLY},
             answered_at = greatest(created_at_of_response, due_at - interval '1 day'),
             updated_at = ${now}
        from (select f.id as fid, r.submitted_at + interval '1 day' as created_at_of_response
                from feedback_item f join response r on r.id = f.response_id
               where f.kind = 'item' and f.status = 'new' and f.withheld is null
                 and f.due_at < ${now} and f.id % 8 <> 0) due
       where feedback_item.id = due.fid
      returning feedback_item.id, feedback_item.answered_at
    ), logged as (
      insert into feedback_event (feedback_id, actor_user_id, at, from_status, to_status, note, public_answer_changed)
      select id, null, answered_at, 'new', 'answered', 'Dữ liệu minh họa', true from answered
      returning 1
    )
    select count(*)::int as n from logged`.execute(db);
  return rows[0]?.n ?? 0;
}
