import { type Kysely, sql } from 'kysely';
import type { Database } from '../server/platform/db/schema.ts';
import type { Question } from '../surveys/schema.ts';
import { COMMENTS, HOLIDAYS, ITEM_SHIFT, NA_RATE, OPTION_WEIGHT, OPTIONAL_RATE, YEAR } from './dataset-profile.ts';
import { aliasTable, apportion } from './dataset-random.ts';
import type { Tree } from './dataset-tree.ts';

// The sampling tables the bench dataset's rows are drawn from inside
// PostgreSQL (dataset-load.ts): temporary tables of the cells with their
// alias table, the days with their exact counts, and the questions.

type Conn = Kysely<Database>;

/** The days of the year with their exact response counts, in order. */
export function dayCounts(responses: number): { day: string; first: number; n: number }[] {
  const days: { day: string; weight: number }[] = [];
  for (let t = Date.UTC(YEAR, 0, 1); t < Date.UTC(YEAR + 1, 0, 1); t += 86_400_000) {
    const d = new Date(t);
    const day = d.toISOString().slice(0, 10);
    const dow = d.getUTCDay();
    const month = d.getUTCMonth();
    // Closed on Sundays and holidays; Saturday mornings a little; busier
    // before Tết and at the end of the year, quieter just after Tết.
    let weight = dow === 0 || HOLIDAYS.has(day) ? 0 : dow === 6 ? 0.22 : 1;
    if (month === 0 && d.getUTCDate() < 25) weight *= 1.25;
    if (month === 1 && d.getUTCDate() < 10) weight *= 0.7;
    if (month >= 10) weight *= 1.1;
    days.push({ day, weight });
  }
  const counts = apportion(
    responses,
    days.map((d) => d.weight),
  );
  let first = 1;
  return days.map((d, i) => {
    const n = counts[i] as number;
    const out = { day: d.day, first, n };
    first += n;
    return out;
  });
}

export async function prepareSampling(conn: Conn, tree: Tree, questions: Question[], responses: number): Promise<void> {
  const { prob, alias } = aliasTable(tree.cells.map((c) => c.weight));
  await sql`create temp table bench_cell (
    idx integer primary key, prob float8 not null, alias integer not null,
    unit_id integer not null, desk_id integer not null, area text not null, mood float8 not null)`.execute(conn);
  for (let i = 0; i < tree.cells.length; i += 4000) {
    const rows = tree.cells
      .slice(i, i + 4000)
      .map((c, j) => sql`(${i + j}, ${prob[i + j]}, ${alias[i + j]}, ${c.unitId}, ${c.deskId}, ${c.area}, ${c.mood})`);
    await sql`insert into bench_cell values ${sql.join(rows)}`.execute(conn);
  }
  await sql`create temp table bench_mood (unit_id integer, area text, mood float8, primary key (unit_id, area))`.execute(
    conn,
  );
  await sql`insert into bench_mood select distinct on (unit_id, area) unit_id, area, mood from bench_cell`.execute(
    conn,
  );

  const days = dayCounts(responses).filter((d) => d.n > 0);
  await sql`create temp table bench_day (day date primary key, first bigint not null, n integer not null)`.execute(
    conn,
  );
  await sql`insert into bench_day values ${sql.join(days.map((d) => sql`(${d.day}::date, ${d.first}, ${d.n})`))}`.execute(
    conn,
  );

  // The questions of the published version: scale items always answered
  // (sometimes 'na' where allowed), optional ones now and then. Choice
  // options and comments are picked from 100-slot arrays built by weight.
  await sql`create temp table bench_question (
    ord integer primary key, key text not null, kind text not null, present float8 not null,
    na float8 not null, shift float8 not null, slots text[])`.execute(conn);
  const rows = questions.map((q, ord) => {
    const present = q.required ? 1 : (OPTIONAL_RATE[q.key] ?? 0.1);
    if (q.type === 'scale') {
      const na = q.allowNa ? (NA_RATE[q.key] ?? 0.01) : 0;
      return sql`(${ord}, ${q.key}, 'scale', ${present}, ${na}, ${ITEM_SHIFT[q.key] ?? 0}, null)`;
    }
    let slots: string[];
    if (q.type === 'choice') {
      const weights = q.options.map((o, i) => OPTION_WEIGHT[q.key]?.[o.code] ?? 1 / (i + 1));
      slots = q.options.flatMap((o, i) => Array<string>(apportion(100, weights)[i] as number).fill(o.code));
    } else {
      slots = Array.from({ length: 100 }, (_, i) => (COMMENTS[i % COMMENTS.length] as string).slice(0, q.maxLength));
    }
    return sql`(${ord}, ${q.key}, ${q.type}, ${present}, 0, 0, ${slots}::text[])`;
  });
  await sql`insert into bench_question values ${sql.join(rows)}`.execute(conn);
  await sql`analyze bench_cell, bench_mood, bench_day, bench_question`.execute(conn);
}
