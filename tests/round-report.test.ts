import t from 'tap';
import { insertResponsesBulk, type NewResponse } from '../server/features/submission/response-repository.ts';
import { latestVersion } from '../server/features/surveys/survey-version-repository.ts';
import type { Answer } from '../surveys/answers.ts';
import { SHIPPED_SURVEYS } from '../surveys/instruments.ts';
import { PAPI_DIMENSION_KEYS, PAPI_XA_REVERSED_KEYS } from '../surveys/papi-xa.ts';
import { questionsOf } from '../surveys/schema.ts';
import { bulkRow } from './helpers/aggregate-data.ts';
import { unitCode } from './helpers/fixtures.ts';
import { ADMIN, roundCommune } from './helpers/round-setup.ts';
import { staffClient } from './helpers/staff.ts';

// A survey round's results (issue 16) on its page and on the dashboard,
// checked against figures worked out here by hand from the rows inserted.

const _admin = ADMIN;

const PERCENT = new Intl.NumberFormat('vi-VN', { style: 'percent', maximumFractionDigits: 1 });
const DECIMAL = new Intl.NumberFormat('vi-VN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const Z = 1.959964;

/** Noon in Vietnam on that day: when a paper form is dated. */
const noon = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d, 5));

const setup = roundCommune;

const form = (unitId: number, survey: string) => ({
  unitId: String(unitId),
  code: `${survey}-quy-2`,
  survey,
  fieldworkFrom: '01/04/2026',
  fieldworkTo: '30/06/2026',
  populationSource: 'volumes',
  population: '',
  referenceFrom: '01/01/2026',
  referenceTo: '28/02/2026',
  margin: '5',
  allocation: 'proportional',
});

const roundIdOf = (location: unknown) => Number(/^\/staff\/rounds\/(\d+)\?done=created$/.exec(String(location))?.[1]);

/** The round page's results section alone. */
const section = (body: string) => body.slice(body.indexOf('id="round-report"'), body.indexOf('Tiến độ theo lĩnh vực'));

t.test(
  'the round page shows the estimate weighted by the volumes, the response rate and the fieldwork days',
  async (t) => {
    const { app, db, mine, other, official } = await setup(t);
    const created = await official.post('/staff/rounds', form(mine.communeId, 'sipas-quick'));
    t.equal(created.statusCode, 303, created.body.slice(0, 300));
    const roundId = roundIdOf(created.headers.location);
    const versionId = (await latestVersion(db, 'sipas-quick'))!.id;

    // Overall answers per area; an 'na' counts as a response but not in the rate.
    // đất đai: 16 of 20 satisfied (+ 1 na); hộ tịch: 9 of 10; y tế: 2 of 5.
    const plan: [string, number[]][] = [
      ['dat-dai', [...Array(10).fill(5), ...Array(6).fill(4), 3, 3, 2, 1, 0]],
      ['ho-tich', [...Array(9).fill(4), 2]],
      ['y-te', [5, 4, 3, 2, 1]],
    ];
    const days = [noon(2026, 4, 3), noon(2026, 4, 17), noon(2026, 5, 20)];
    const rows: (NewResponse & { submittedAt: Date })[] = [];
    let k = 0;
    for (const [serviceArea, values] of plan) {
      for (const v of values) {
        const answer: Answer = v === 0 ? { key: 'overall', kind: 'na' } : { key: 'overall', kind: 'scale', value: v };
        const at = days[k++ % days.length]!;
        rows.push({
          ...bulkRow(versionId, at, { unitId: mine.centreId, deskId: null, serviceArea }, [answer]),
          roundId,
        });
      }
    }
    // A suspect form, later than all others: in no figure and not the last day.
    rows.push({
      ...bulkRow(versionId, noon(2026, 6, 28), { unitId: mine.centreId, deskId: null, serviceArea: 'y-te' }, [
        { key: 'overall', kind: 'scale', value: 5 },
      ]),
      roundId,
      suspectReasons: ['burst'],
    });
    await insertResponsesBulk(db, rows);

    const page = await official.get(`/staff/rounds/${roundId}`);
    t.equal(page.statusCode, 200);
    const s = section(page.body);
    t.match(s, 'Kết quả điều tra theo mẫu');

    // By hand: weights 600/1000, 300/1000, 100/1000; rates 0.8, 0.9, 0.4.
    const w = [0.6, 0.3, 0.1];
    const counts = [
      [16, 20],
      [9, 10],
      [2, 5],
    ] as const;
    const rate = 0.6 * 0.8 + 0.3 * 0.9 + 0.1 * 0.4; // 0.79
    let variance = 0;
    counts.forEach(([sat, n], i) => {
      const p = (sat + 1) / (n + 2);
      variance += (w[i]! * w[i]! * p * (1 - p)) / n;
    });
    const half = Z * Math.sqrt(variance);
    t.equal(PERCENT.format(rate), '79%');
    t.match(s, '<p class="big">79%</p>', 'the stratified estimate');
    t.match(s, `Khoảng tin cậy 95%: <strong>${PERCENT.format(rate - half)} – ${PERCENT.format(rate + half)}</strong>`);
    t.match(s, 'theo tỷ trọng số hồ sơ đã giải quyết', 'says it is weighted by the dossiers');
    t.match(s, 'Ý kiến thường xuyên', 'says why it may differ from the continuous stream');

    // The pooled figure: 27 / 35.
    t.match(s, `<strong>${PERCENT.format(27 / 35)}</strong>`);
    // N = 1000 → n = 286; 36 responses (the suspect one left out).
    t.match(s, 'Số phiếu: <strong>36</strong> / 286');
    t.match(s, `Tỷ lệ thu phiếu: <strong>${PERCENT.format(36 / 286)}</strong>`);
    t.equal(PERCENT.format(36 / 286), '12,6%');
    t.match(s, 'từ ngày <strong>03/04/2026</strong> đến ngày <strong>20/05/2026</strong>');
    // Per area: đất đai 21 of 172, y tế 5 of 28 at 40%.
    t.match(s, '21 / 172');
    t.match(s, '5 / 28');
    t.match(s, /Y tế[\s\S]*?40%/);

    // The dashboard of the commune: the round in its own section, the main figures labelled.
    const dash = await official.get('/staff/reports?period=custom&from=01/05/2026&to=31/05/2026');
    t.equal(dash.statusCode, 200);
    t.match(dash.body, 'Kết quả điều tra theo mẫu');
    t.match(dash.body, `href="/staff/rounds/${roundId}"`);
    t.match(dash.body, /sipas-quick-quy-2[\s\S]*?<strong>79%<\/strong>/);
    t.match(dash.body, '36 / 286');
    t.match(dash.body, 'Ý kiến thường xuyên (mã QR, máy tính bảng, đường dẫn)');

    const before = await official.get('/staff/reports?period=custom&from=01/01/2026&to=31/03/2026');
    t.equal(before.statusCode, 200);
    t.notMatch(before.body, 'Kết quả điều tra theo mẫu', 'no round in a period its fieldwork does not touch');
    t.match(before.body, 'Ý kiến thường xuyên (mã QR, máy tính bảng, đường dẫn)', 'the label stays');

    const stranger = await staffClient(app, db, {
      role: 'official',
      unitCode: await unitCode(db, other.communeId),
    });
    const theirs = await stranger.get('/staff/reports?period=custom&from=01/05/2026&to=31/05/2026');
    t.equal(theirs.statusCode, 200);
    t.notMatch(theirs.body, 'sipas-quick-quy-2', "another commune's official does not see the round");
    t.notMatch(theirs.body, 'Kết quả điều tra theo mẫu');
    t.match(theirs.body, 'Ý kiến thường xuyên (mã QR, máy tính bảng, đường dẫn)');
  },
);

t.test(
  'a papi-xa round shows the eight dimension scores and the total out of 80, labelled as a self-assessment',
  async (t) => {
    const { db, mine, official } = await setup(t);
    const created = await official.post('/staff/rounds', form(mine.communeId, 'papi-xa'));
    t.equal(created.statusCode, 303, created.body.slice(0, 300));
    const roundId = roundIdOf(created.headers.location);
    const versionId = (await latestVersion(db, 'papi-xa'))!.id;
    const def = SHIPPED_SURVEYS.find((d) => d.code === 'papi-xa')!;
    const items = questionsOf(def).filter((q) => q.key.startsWith('papi.'));
    const reversed = new Set(PAPI_XA_REVERSED_KEYS);

    // Twelve respondents; each item answered by a rule of (respondent, item), some skipped or 'na'.
    const people: Answer[][] = [];
    for (let i = 0; i < 12; i += 1) {
      const answers: Answer[] = [{ key: 'overall', kind: 'scale', value: 1 + (i % 5) }];
      items.forEach((q, j) => {
        if ((i + 2 * j) % 7 === 0) return; // not answered
        if ((i + j) % 11 === 0) answers.push({ key: q.key, kind: 'na' });
        else if (q.type === 'choice')
          answers.push({ key: q.key, kind: 'option', value: (i * j + i) % 3 === 0 ? 'no' : 'yes' });
        else answers.push({ key: q.key, kind: 'scale', value: 1 + ((i * 3 + j * 2) % 5) });
      });
      people.push(answers);
    }
    await insertResponsesBulk(
      db,
      people.map((answers, i) => ({
        ...bulkRow(
          versionId,
          noon(2026, 4, 1 + i),
          { unitId: mine.centreId, deskId: null, serviceArea: 'dat-dai' },
          answers,
        ),
        roundId,
      })),
    );

    // Methodology §7 by hand: yes/no → 1 for the good answer, a scale → (v − 1)/4; item means;
    // a dimension is 1 + 9 × the mean of its item means; the total is the sum of the eight.
    const itemMean = (key: string) => {
      const values = people.flatMap((answers) =>
        answers.flatMap((a) => {
          if (a.key !== key || a.kind === 'na' || a.kind === 'text') return [];
          if (a.kind === 'scale') return [(a.value - 1) / 4];
          return [(a.value === 'no') === reversed.has(key) ? 1 : 0];
        }),
      );
      return values.length ? values.reduce((x, y) => x + y, 0) / values.length : null;
    };
    const expected = PAPI_DIMENSION_KEYS.map((d) => {
      const means = items
        .filter((q) => q.key.startsWith(`papi.${d}.`))
        .map((q) => itemMean(q.key))
        .filter((m): m is number => m !== null);
      return { d, score: 1 + (9 * means.reduce((x, y) => x + y, 0)) / means.length };
    });
    const total = expected.reduce((s, e) => s + e.score, 0);
    const show = (x: number) => DECIMAL.format(Math.round(x * 100) / 100);

    const page = await official.get(`/staff/rounds/${roundId}`);
    t.equal(page.statusCode, 200);
    const s = section(page.body);
    t.match(s, 'Tự đánh giá theo các trụ cột của PAPI (không phải Chỉ số PAPI chính thức)');
    t.notMatch(s, /Chỉ số PAPI của/, 'never called the official index');
    for (const e of expected) {
      t.ok(e.score >= 1 && e.score <= 10, `${e.d}: ${e.score}`);
      t.match(
        s,
        new RegExp(`id="papi-${e.d}"><td>[^<]+</td><td class="num"[^>]*><strong>${show(e.score)}</strong>`),
        e.d,
      );
    }
    t.match(s, `<strong>${show(total)} / 80</strong>`, `total ${total}`);
    t.match(s, 'Số phiếu: <strong>12</strong>');
    t.match(s, 'từ ngày <strong>01/04/2026</strong> đến ngày <strong>12/04/2026</strong>');
  },
);
