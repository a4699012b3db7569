import t from 'tap';
import { PAPER_AREA_KEY, paperDigit, paperNumbering, paperValue } from '../surveys/paper-numbering.ts';
import { type SurveyDefinitionInput, SurveyDefinitionSchema } from '../surveys/schema.ts';

// The numbers beside the tick boxes of a paper form, which the clerk types:
// the printed form and the entry screen take them from paperNumbering.

const input: SurveyDefinitionInput = {
  code: 'thu-giay',
  title: { vi: 'Phiếu thử', en: 'Test form' },
  sections: [
    {
      title: { vi: 'Phần một', en: 'Part one' },
      questions: [
        { type: 'scale', key: 'overall', text: { vi: 'Nhìn chung', en: 'Overall' }, allowNa: false },
        { type: 'scale', key: 'staff', factor: 'staff', text: { vi: 'Công chức', en: 'Staff' } },
      ],
    },
    {
      questions: [
        {
          type: 'choice',
          key: 'trips',
          text: { vi: 'Số lần đi lại', en: 'Trips' },
          options: [
            { code: '1', text: { vi: '1 lần', en: 'once' } },
            { code: '3plus', text: { vi: '3 lần trở lên', en: '3 or more' } },
          ],
        },
        { type: 'text', key: 'comment', text: { vi: 'Góp ý', en: 'Comment' } },
      ],
    },
  ],
};
const definition = SurveyDefinitionSchema.parse(input);
const areas = [
  { code: 'ho-tich', nameVi: 'Hộ tịch' },
  { code: 'dat-dai', nameVi: 'Đất đai' },
  { code: 'y-te', nameVi: 'Y tế' },
];

t.test('the service area first, numbered by code whatever the order given', async (t) => {
  const fields = paperNumbering(definition, areas);
  const area = fields[0]!;
  t.equal(area.key, PAPER_AREA_KEY);
  t.equal(area.kind, 'area');
  t.equal(area.number, null);
  t.same(area.boxes, [
    { digit: 1, value: 'dat-dai', label: 'Đất đai' },
    { digit: 2, value: 'ho-tich', label: 'Hộ tịch' },
    { digit: 3, value: 'y-te', label: 'Y tế' },
  ]);
  t.same(paperNumbering(definition, [...areas].reverse()), fields, 'the same numbers from any order');
  t.same(paperNumbering(definition, [...areas, areas[0]!])[0]!.boxes.length, 3, 'an area given twice counts once');
});

t.test('questions numbered through the survey; 1–5 and 0 on scales, 1..k on choices, none on text', async (t) => {
  const [, overall, staff, trips, comment] = paperNumbering(definition, areas);
  t.same(
    [overall, staff, trips, comment].map((f) => [f!.key, f!.kind, f!.number, f!.section]),
    [
      ['overall', 'scale', 1, 0],
      ['staff', 'scale', 2, 0],
      ['trips', 'choice', 3, 1],
      ['comment', 'text', 4, 1],
    ],
  );
  t.same(
    overall!.boxes.map((b) => [b.digit, b.value]),
    [
      [1, '1'],
      [2, '2'],
      [3, '3'],
      [4, '4'],
      [5, '5'],
    ],
    'no "không áp dụng" where the item does not allow it',
  );
  t.same(staff!.boxes.at(-1), { digit: 0, value: 'na', label: 'Không áp dụng' });
  t.equal(staff!.boxes[0]!.label, 'Rất không hài lòng');
  t.same(trips!.boxes, [
    { digit: 1, value: '1', label: '1 lần' },
    { digit: 2, value: '3plus', label: '3 lần trở lên' },
  ]);
  t.same(comment!.boxes, []);
  t.equal(overall!.label, 'Nhìn chung');
});

t.test('a typed digit gives the stored value and back', async (t) => {
  const [area, overall, staff, trips] = paperNumbering(definition, areas);
  t.equal(paperValue(area!, '2'), 'ho-tich');
  t.equal(paperValue(staff!, '0'), 'na');
  t.equal(paperValue(staff!, ' 4 '), '4');
  t.equal(paperValue(overall!, '0'), undefined, 'no 0 where not applicable is not allowed');
  t.equal(paperValue(trips!, '2'), '3plus');
  t.equal(paperValue(trips!, '3'), undefined);
  t.equal(paperValue(trips!, 'x'), undefined);
  t.equal(paperDigit(trips!, '3plus'), 2);
  t.equal(paperDigit(staff!, 'na'), 0);
  t.equal(paperDigit(area!, 'khong-co'), undefined);
});
