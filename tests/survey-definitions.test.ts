import t from 'tap';
import { DEFAULT_SURVEY_CODE, SHIPPED_HISTORY, SHIPPED_SURVEYS, shippedVersions } from '../surveys/instruments.ts';
import { papiXa } from '../surveys/papi-xa.ts';
import { FACTORS, questionsOf, SurveyDefinitionSchema } from '../surveys/schema.ts';
import { sipasCounter } from '../surveys/sipas-counter.ts';
import { sipasFull } from '../surveys/sipas-full.ts';
import { sipasQuick, sipasQuickV1 } from '../surveys/sipas-quick.ts';
import { wordingChanges } from '../surveys/wording-changes.ts';
import { shipped, VIETNAMESE_DIACRITIC } from './helpers/shipped-surveys.ts';

// Pure tests of the survey instruments and the definition schema (the answer
// rules shared by the web form and the JSON API: survey-answers.test.ts).
// No database.

const quick = shipped('sipas-quick');
const full = shipped('sipas-full');

t.test('shipped instruments', async (t) => {
  t.test('every instrument, every version, passes the definition schema', async (t) => {
    t.same(
      SHIPPED_SURVEYS.map((d) => d.code),
      ['sipas-quick', 'sipas-full', 'sipas-counter', 'papi-xa'],
    );
    t.ok(
      SHIPPED_SURVEYS.some((d) => d.code === DEFAULT_SURVEY_CODE),
      'the default survey is shipped',
    );
    for (const def of [sipasQuickV1, sipasQuick, sipasFull, sipasCounter, papiXa]) {
      const parsed = SurveyDefinitionSchema.safeParse(def);
      t.ok(parsed.success, `${def.code} is valid${parsed.success ? '' : `: ${parsed.error.message}`}`);
    }
  });

  t.test(
    'sipas-quick asks the overall item first, then one optional item per factor, three facts and a comment',
    async (t) => {
      const questions = questionsOf(quick);
      t.same(
        questions.map((q) => q.key),
        [
          'overall',
          'access',
          'procedure',
          'staff',
          'result',
          'feedback',
          'trips',
          'timeliness',
          'extra_payment',
          'comment',
        ],
      );
      t.same(
        questions.filter((q) => q.required).map((q) => q.key),
        ['overall'],
        'the overall item alone is required: one tap is a whole response',
      );
      const factorItems = questions.filter((q) => q.type === 'scale' && q.factor);
      t.same(
        factorItems.map((q) => q.key),
        [...FACTORS],
        'exactly the five SIPAS factors',
      );
      for (const q of factorItems) {
        t.equal(q.type === 'scale' ? q.factor : undefined, q.key, `${q.key}: factor === key`);
        t.equal(q.type === 'scale' && q.allowNa, true, `${q.key} offers "not applicable"`);
      }
      const feedback = questions.find((q) => q.key === 'feedback');
      t.ok(
        feedback?.type === 'scale' && !feedback.required && feedback.allowNa,
        'a citizen who never complained may skip complaint handling or answer "not applicable"',
      );
      t.same(
        quick.sections.map((s) => s.title?.vi),
        [undefined, 'Góp thêm ý kiến (không bắt buộc)', undefined],
        'the optional items come under their own heading, after the overall item',
      );

      const overall = questions.find((q) => q.key === 'overall');
      t.equal(overall?.type, 'scale');
      if (overall?.type === 'scale') {
        t.equal(overall.factor, undefined, 'overall counts towards no factor');
        t.equal(overall.allowNa, false, 'overall cannot be answered "not applicable"');
      }

      const options = (key: string) => {
        const q = questions.find((x) => x.key === key);
        return q?.type === 'choice' ? q.options.map((o) => o.code) : undefined;
      };
      t.same(options('trips'), ['1', '2', '3plus']);
      t.same(options('timeliness'), ['early', 'on_time', 'late', 'not_yet']);
      t.same(options('extra_payment'), ['no', 'yes']);
      const comment = questions.find((q) => q.key === 'comment');
      t.equal(comment?.type, 'text');
    },
  );

  t.test('sipas-quick keeps every shipped version: version 1 as published, then version 2', async (t) => {
    const history = SHIPPED_HISTORY.find((h) => h.code === 'sipas-quick')?.versions ?? [];
    t.equal(history.length, 2);
    const [v1, v2] = history;
    t.equal(v2, quick, 'the current version is the last one');
    const v1Questions = v1 ? questionsOf(v1) : [];
    t.same(
      v1Questions.filter((q) => q.required).map((q) => q.key),
      ['access', 'procedure', 'staff', 'result', 'feedback', 'overall'],
      'version 1 still requires every factor item',
    );
    t.same(
      v1Questions.map((q) => q.key).sort(),
      questionsOf(quick)
        .map((q) => q.key)
        .sort(),
      'the indicator keys stay the same',
    );
    for (const q of questionsOf(quick)) {
      const was = v1Questions.find((x) => x.key === q.key);
      t.ok(
        was &&
          was.type === q.type &&
          (was.type === 'scale' ? was.factor : undefined) === (q.type === 'scale' ? q.factor : undefined),
        `${q.key} keeps its type and factor`,
      );
    }
    t.same(
      v1 && v2 ? wordingChanges(v1, v2) : undefined,
      { changed: [], added: [], removed: [] },
      'no wording changed',
    );

    const rows = shippedVersions().map((v) => [v.code, v.version, v.wordingChangedKeys]);
    t.same(rows, [
      ['sipas-quick', 1, []],
      ['sipas-quick', 2, []],
      ['sipas-full', 1, []],
      ['sipas-counter', 1, []],
      ['papi-xa', 1, []],
    ]);
  });

  t.test('sipas-full asks the 22 criteria by factor', async (t) => {
    const questions = questionsOf(full);
    const factorItems = questions.flatMap((q) => (q.type === 'scale' && q.factor ? [{ ...q, factor: q.factor }] : []));
    t.equal(factorItems.length, 22);
    const perFactor = Object.fromEntries(FACTORS.map((f) => [f, factorItems.filter((q) => q.factor === f).length]));
    t.same(perFactor, { access: 4, procedure: 5, staff: 6, result: 3, feedback: 4 });
    for (const q of factorItems) {
      t.match(q.key, new RegExp(`^${q.factor}\\.[a-z][a-z0-9_]*$`), `${q.key} is keyed under its factor`);
    }
    t.ok(
      factorItems.some((q) => q.key === 'staff.polite'),
      'staff.polite is one of the criteria',
    );
    const keys = questions.map((q) => q.key);
    t.equal(new Set(keys).size, keys.length, 'every key is unique');

    const overall = questions.find((q) => q.key === 'overall');
    t.ok(overall?.type === 'scale' && overall.factor === undefined && overall.allowNa === false, 'overall item');
    for (const key of ['trips', 'timeliness', 'extra_payment', 'harassment', 'improve_first', 'comment']) {
      t.ok(keys.includes(key), `asks ${key}`);
    }
  });

  t.test('every text is given in Vietnamese and English', async (t) => {
    for (const def of SHIPPED_SURVEYS) {
      const texts = [def.title, ...(def.intro ? [def.intro] : [])];
      for (const section of def.sections) if (section.title) texts.push(section.title);
      for (const q of questionsOf(def)) {
        texts.push(q.text);
        if (q.type === 'choice') for (const o of q.options) texts.push(o.text);
      }
      for (const text of texts) {
        t.ok(text.vi.trim().length > 0 && text.en.trim().length > 0, `${def.code}: both languages: ${text.en}`);
        t.equal(text.vi, text.vi.normalize('NFC'), `${def.code}: vi text is NFC: ${text.en}`);
      }
      for (const q of questionsOf(def)) {
        t.match(q.text.vi, VIETNAMESE_DIACRITIC, `${def.code}/${q.key}: vi text keeps its diacritics`);
        t.notMatch(q.text.en, VIETNAMESE_DIACRITIC, `${def.code}/${q.key}: en text is not Vietnamese`);
      }
      const overall = questionsOf(def).find((q) => q.key === 'overall');
      t.match(overall?.text.vi ?? '', /hài lòng/, `${def.code}: overall asks about "hài lòng"`);
      t.match(overall?.text.vi ?? '', /Nhìn chung, Ông\/Bà hài lòng với sự phục vụ của cơ quan hành chính nhà nước\?/);
    }
  });
});

// A small valid definition that each refusal case changes in one place.
type RawQuestion = Record<string, unknown>;
const scale = (key: string, factor?: string): RawQuestion => ({
  type: 'scale',
  key,
  ...(factor ? { factor } : {}),
  text: { vi: `Câu hỏi ${key}`, en: `Question ${key}` },
});
const OVERALL: RawQuestion = { ...scale('overall'), allowNa: false };
const choice = (key: string, codes: string[]): RawQuestion => ({
  type: 'choice',
  key,
  text: { vi: `Lựa chọn ${key}`, en: `Choice ${key}` },
  options: codes.map((code) => ({ code, text: { vi: `Mục ${code}`, en: `Option ${code}` } })),
});
const definition = (questions: RawQuestion[]) => ({
  code: 'test-survey',
  title: { vi: 'Phiếu thử', en: 'Test survey' },
  sections: [{ questions }],
});
const VALID_QUESTIONS = [scale('staff', 'staff'), scale('staff.polite', 'staff'), OVERALL, choice('trips', ['1', '2'])];

t.test('the definition schema', async (t) => {
  t.test('accepts the small definition the refusals start from', async (t) => {
    const parsed = SurveyDefinitionSchema.safeParse(definition(VALID_QUESTIONS));
    t.ok(parsed.success, parsed.success ? 'valid' : parsed.error.message);
    if (parsed.success) {
      const q = parsed.data.sections[0]?.questions[0];
      t.ok(q?.type === 'scale' && q.required === true && q.allowNa === true, 'defaults filled in');
    }
  });

  const refusals: [name: string, questions: RawQuestion[], message?: RegExp][] = [
    ['duplicate keys', [...VALID_QUESTIONS, scale('staff.polite', 'staff')], /duplicate key staff\.polite/],
    ['no overall item', VALID_QUESTIONS.filter((q) => q !== OVERALL), /overall/],
    [
      'an overall item with a factor',
      [...VALID_QUESTIONS.filter((q) => q !== OVERALL), { ...OVERALL, factor: 'result' }],
      /outside the factors/,
    ],
    [
      'an overall item that is not a scale',
      [...VALID_QUESTIONS.filter((q) => q !== OVERALL), choice('overall', ['yes', 'no'])],
      /overall/,
    ],
    ['a factor item keyed outside its factor', [...VALID_QUESTIONS, scale('polite', 'staff')], /start with "staff\."/],
    [
      'a factor item whose key only begins like its factor',
      [...VALID_QUESTIONS, scale('staffing', 'staff')],
      /start with "staff\."/,
    ],
    ['the reserved key lang', [...VALID_QUESTIONS, choice('lang', ['vi', 'en'])], /reserved/],
    // The honeypot's name: every answer to it would have flagged the response.
    [
      "a question keyed like the form's honeypot",
      [...VALID_QUESTIONS, { type: 'text', key: 'website', text: { vi: 'Trang web', en: 'Website' } }],
      /website is reserved: the survey form uses a field of that name/,
    ],
    ['a question keyed like the render token', [...VALID_QUESTIONS, scale('renderToken', 'staff')]],
    ['a key with uppercase', [...VALID_QUESTIONS, scale('Staff.Polite', 'staff')]],
    ['a key with spaces', [...VALID_QUESTIONS, scale('staff polite', 'staff')]],
    ['an unknown factor', [...VALID_QUESTIONS, scale('speed', 'speed')]],
    ['a choice with duplicate option codes', [...VALID_QUESTIONS, choice('harassment', ['no', 'no'])], /unique/],
    ['a choice with only one option', [...VALID_QUESTIONS, choice('harassment', ['no'])]],
    ['empty vi text', [...VALID_QUESTIONS, { ...scale('result', 'result'), text: { vi: '', en: 'Result' } }]],
    ['blank vi text', [...VALID_QUESTIONS, { ...scale('result', 'result'), text: { vi: '   ', en: 'Result' } }]],
    ['missing en text', [...VALID_QUESTIONS, { ...scale('result', 'result'), text: { vi: 'Kết quả' } }]],
  ];
  for (const [name, questions, message] of refusals) {
    t.test(`refuses ${name} with zod issues`, async (t) => {
      let parsed: ReturnType<typeof SurveyDefinitionSchema.safeParse> | undefined;
      t.doesNotThrow(() => {
        parsed = SurveyDefinitionSchema.safeParse(definition(questions));
      }, 'safeParse does not throw');
      t.equal(parsed?.success, false, 'refused');
      if (parsed && !parsed.success) {
        t.ok(parsed.error.issues.length > 0, 'has issues');
        if (message) {
          t.ok(
            parsed.error.issues.some((i) => message.test(i.message)),
            `an issue says ${message}: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
          );
        }
      }
    });
  }

  t.test('a duplicate key issue points at the repeated question', async (t) => {
    const parsed = SurveyDefinitionSchema.safeParse(definition([...VALID_QUESTIONS, scale('staff.polite', 'staff')]));
    t.equal(parsed.success, false);
    if (!parsed.success) {
      const issue = parsed.error.issues.find((i) => /duplicate/.test(i.message));
      t.same(issue?.path, ['sections', 0, 'questions', VALID_QUESTIONS.length, 'key']);
    }
  });
});
