import t from 'tap';
import { type Answer, type AnswerCheck, checkAnswers, submissionFingerprint } from '../surveys/answers.ts';
import { describeQuestions } from '../surveys/describe.ts';
import { DEFAULT_SURVEY_CODE, SHIPPED_SURVEYS } from '../surveys/instruments.ts';
import { FACTORS, questionsOf, type SurveyDefinition, SurveyDefinitionSchema } from '../surveys/schema.ts';
import { sipasFull } from '../surveys/sipas-full.ts';
import { sipasQuick } from '../surveys/sipas-quick.ts';

// Pure tests of the survey instruments, the definition schema and the answer
// rules shared by the web form and the JSON API. No database.

function shipped(code: string): SurveyDefinition {
  const def = SHIPPED_SURVEYS.find((d) => d.code === code);
  if (!def) throw new Error(`no shipped survey ${code}`);
  return def;
}

const quick = shipped('sipas-quick');
const full = shipped('sipas-full');

/** Letters that only Vietnamese (among the scripts used here) writes with diacritics. */
const VIETNAMESE_DIACRITIC = /[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]/i;

t.test('shipped instruments', async (t) => {
  t.test('both instruments pass the definition schema', async (t) => {
    t.same(
      SHIPPED_SURVEYS.map((d) => d.code),
      ['sipas-quick', 'sipas-full'],
    );
    t.ok(
      SHIPPED_SURVEYS.some((d) => d.code === DEFAULT_SURVEY_CODE),
      'the default survey is shipped',
    );
    for (const def of [sipasQuick, sipasFull]) {
      const parsed = SurveyDefinitionSchema.safeParse(def);
      t.ok(parsed.success, `${def.code} is valid${parsed.success ? '' : `: ${parsed.error.message}`}`);
    }
  });

  t.test('sipas-quick asks one item per factor, the overall item, three facts and a comment', async (t) => {
    const questions = questionsOf(quick);
    t.same(
      questions.map((q) => q.key),
      [
        'access',
        'procedure',
        'staff',
        'result',
        'feedback',
        'overall',
        'trips',
        'timeliness',
        'extra_payment',
        'comment',
      ],
    );
    const factorItems = questions.filter((q) => q.type === 'scale' && q.factor);
    t.same(
      factorItems.map((q) => q.key),
      [...FACTORS],
      'exactly the five SIPAS factors',
    );
    for (const q of factorItems) {
      t.equal(q.type === 'scale' ? q.factor : undefined, q.key, `${q.key}: factor === key`);
      t.equal(q.required, true, `${q.key} is required`);
    }

    const overall = questions.find((q) => q.key === 'overall');
    t.equal(overall?.type, 'scale');
    if (overall?.type === 'scale') {
      t.equal(overall.factor, undefined, 'overall counts towards no factor');
      t.equal(overall.allowNa, false, 'overall cannot be answered "not applicable"');
      t.equal(overall.required, true);
    }

    const options = (key: string) => {
      const q = questions.find((x) => x.key === key);
      return q?.type === 'choice' ? q.options.map((o) => o.code) : undefined;
    };
    t.same(options('trips'), ['1', '2', '3plus']);
    t.same(options('timeliness'), ['early', 'on_time', 'late', 'not_yet']);
    t.same(options('extra_payment'), ['no', 'yes']);
    for (const key of ['trips', 'timeliness', 'extra_payment']) {
      t.equal(questions.find((q) => q.key === key)?.required, false, `${key} is optional`);
    }

    const comment = questions.find((q) => q.key === 'comment');
    t.equal(comment?.type, 'text');
    t.equal(comment?.required, false, 'the comment is optional');
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

// ---------------------------------------------------------------------------
// Answers

function errorsOf(check: AnswerCheck): Record<string, string> {
  return check.ok ? {} : Object.fromEntries(check.errors.map((e) => [e.key, e.code]));
}

function answersOf(check: AnswerCheck): Answer[] {
  return check.ok ? check.answers : [];
}

const FORM: Record<string, string> = {
  access: '4',
  procedure: '5',
  staff: '5',
  result: '3',
  feedback: 'na',
  overall: '5',
  trips: '1',
  comment: 'Cán bộ hướng dẫn tận tình.',
};
const JSON_ANSWERS: Record<string, unknown> = {
  access: 4,
  procedure: 5,
  staff: 5,
  result: 3,
  feedback: 'na',
  overall: 5,
  trips: '1',
  comment: 'Cán bộ hướng dẫn tận tình.',
};

t.test('checkAnswers: scale items', async (t) => {
  t.test('the form accepts 1..5 as strings', async (t) => {
    for (const v of ['1', '2', '3', '4', '5']) {
      const check = checkAnswers(quick, { ...FORM, staff: v }, 'form');
      t.ok(check.ok, `staff=${v}`);
      t.same(
        answersOf(check).find((a) => a.key === 'staff'),
        { key: 'staff', kind: 'scale', value: Number(v) },
      );
    }
    const check = checkAnswers(quick, FORM, 'form');
    t.ok(check.ok);
    t.same(
      answersOf(check).find((a) => a.key === 'feedback'),
      { key: 'feedback', kind: 'na' },
    );
  });

  t.test('JSON takes numbers, not numeric strings', async (t) => {
    const check = checkAnswers(quick, JSON_ANSWERS, 'json');
    t.ok(check.ok, JSON.stringify(errorsOf(check)));
    t.same(
      answersOf(check).find((a) => a.key === 'access'),
      { key: 'access', kind: 'scale', value: 4 },
    );
    t.same(errorsOf(checkAnswers(quick, { ...JSON_ANSWERS, access: '4' }, 'json')), { access: 'invalid_value' });
    t.same(errorsOf(checkAnswers(quick, { ...JSON_ANSWERS, overall: '5' }, 'json')), { overall: 'invalid_value' });
  });

  t.test('"na" is accepted where allowed and refused for overall', async (t) => {
    for (const source of ['form', 'json'] as const) {
      const raw = source === 'form' ? FORM : JSON_ANSWERS;
      t.ok(checkAnswers(quick, { ...raw, access: 'na' }, source).ok, `${source}: access=na`);
      t.same(
        errorsOf(checkAnswers(quick, { ...raw, overall: 'na' }, source)),
        { overall: 'invalid_value' },
        `${source}: overall=na`,
      );
    }
  });

  t.test('values outside 1..5 or in another spelling are refused', async (t) => {
    for (const v of ['0', '6', '4.5', '05', ' 5', '5 ', '+5', '5.0', 'five', '1e0']) {
      t.same(
        errorsOf(checkAnswers(quick, { ...FORM, staff: v }, 'form')),
        { staff: 'invalid_value' },
        `form ${JSON.stringify(v)}`,
      );
    }
    for (const v of [0, 6, 4.5, -1, Number.NaN, true, [4], { value: 4 }]) {
      t.same(
        errorsOf(checkAnswers(quick, { ...JSON_ANSWERS, staff: v }, 'json')),
        { staff: 'invalid_value' },
        `json ${JSON.stringify(v)}`,
      );
    }
  });

  t.test('a missing or blank required item is "required"', async (t) => {
    const { overall: _o, ...withoutOverall } = FORM;
    t.same(errorsOf(checkAnswers(quick, withoutOverall, 'form')), { overall: 'required' });
    t.same(errorsOf(checkAnswers(quick, { ...FORM, overall: '', staff: '  ' }, 'form')), {
      overall: 'required',
      staff: 'required',
    });
    t.same(errorsOf(checkAnswers(quick, { ...JSON_ANSWERS, overall: null }, 'json')), { overall: 'required' });
    const check = checkAnswers(quick, {}, 'json');
    t.same(
      Object.keys(errorsOf(check)).sort(),
      ['access', 'feedback', 'overall', 'procedure', 'result', 'staff'],
      'every scale item of sipas-quick is required, nothing else',
    );
  });
});

t.test('checkAnswers: optional, unknown and choice fields', async (t) => {
  t.test('blank optional fields are left out', async (t) => {
    for (const blank of ['', '   ', '\n\t ']) {
      const check = checkAnswers(quick, { ...FORM, trips: blank, comment: blank }, 'form');
      t.ok(check.ok, `blank ${JSON.stringify(blank)}`);
      const keys = answersOf(check).map((a) => a.key);
      t.notOk(keys.includes('comment'), 'no comment answer');
      t.notOk(keys.includes('trips'), 'no trips answer');
    }
    const { comment: _c, trips: _t, ...minimal } = FORM;
    const check = checkAnswers(quick, minimal, 'form');
    t.ok(check.ok, 'optional fields may be missing');
    t.same(
      answersOf(check).map((a) => a.key),
      ['access', 'procedure', 'staff', 'result', 'feedback', 'overall'],
    );
  });

  t.test('an unknown key is refused', async (t) => {
    t.same(errorsOf(checkAnswers(quick, { ...FORM, favourite_colour: 'blue' }, 'form')), {
      favourite_colour: 'unknown_question',
    });
    t.same(
      errorsOf(checkAnswers(quick, { ...JSON_ANSWERS, 'staff.polite': 5 }, 'json')),
      { 'staff.polite': 'unknown_question' },
      'a sipas-full key is unknown to sipas-quick',
    );
  });

  t.test('choice codes are checked against the options', async (t) => {
    for (const code of ['1', '2', '3plus']) {
      const check = checkAnswers(quick, { ...FORM, trips: code }, 'form');
      t.same(
        answersOf(check).find((a) => a.key === 'trips'),
        { key: 'trips', kind: 'option', value: code },
      );
    }
    for (const code of ['3', '4', 'early', '3PLUS', ' 1']) {
      t.same(
        errorsOf(checkAnswers(quick, { ...FORM, trips: code }, 'form')),
        { trips: 'invalid_value' },
        `trips=${JSON.stringify(code)}`,
      );
    }
    t.ok(checkAnswers(quick, { ...JSON_ANSWERS, timeliness: 'late', extra_payment: 'yes' }, 'json').ok);
    t.same(errorsOf(checkAnswers(quick, { ...JSON_ANSWERS, extra_payment: 'maybe' }, 'json')), {
      extra_payment: 'invalid_value',
    });
  });

  t.test('every error carries a Vietnamese and an English message', async (t) => {
    const check = checkAnswers(
      quick,
      { access: '9', overall: 'na', trips: 'x', comment: 'a\u0000b', nope: '1' },
      'form',
    );
    t.equal(check.ok, false);
    const codes = new Set(check.ok ? [] : check.errors.map((e) => e.code));
    t.same([...codes].sort(), ['invalid_text', 'invalid_value', 'required', 'unknown_question']);
    for (const e of check.ok ? [] : check.errors) {
      t.ok(e.message.vi.trim() && e.message.en.trim(), `${e.key}/${e.code} has both messages`);
      t.match(e.message.vi, VIETNAMESE_DIACRITIC, `${e.code}: the vi message is Vietnamese`);
    }
    const tooLong = checkAnswers(quick, { ...FORM, comment: 'ệ'.repeat(1001) }, 'form');
    const tooLongError = tooLong.ok ? undefined : tooLong.errors[0];
    t.equal(tooLongError?.code, 'too_long');
    t.ok(tooLongError?.message.vi.trim() && tooLongError.message.en.trim(), 'too_long has both messages');
  });
});

t.test('checkAnswers: text', async (t) => {
  const comment = (value: unknown, source: 'form' | 'json' = 'form') =>
    checkAnswers(quick, { ...(source === 'form' ? FORM : JSON_ANSWERS), comment: value }, source);
  const commentValue = (check: AnswerCheck) => {
    const a = answersOf(check).find((x) => x.key === 'comment');
    return a?.kind === 'text' ? a.value : undefined;
  };

  t.test('is trimmed and NFC-normalised', async (t) => {
    t.equal(commentValue(comment('  Rất tốt  \n')), 'Rất tốt');
    const nfd = 'Cán bộ hướng dẫn tận tình'.normalize('NFD');
    t.not(nfd, nfd.normalize('NFC'), 'the input really is decomposed');
    t.equal(commentValue(comment(nfd)), 'Cán bộ hướng dẫn tận tình'.normalize('NFC'));
    t.equal(commentValue(comment('Dòng 1\nDòng 2\tcuối')), 'Dòng 1\nDòng 2\tcuối', 'newlines and tabs inside are kept');
  });

  t.test('length is counted in code points after NFC', async (t) => {
    const e = 'ệ'.normalize('NFD');
    t.equal(e.length, 3, 'ệ typed decomposed is three code points');
    const ok = comment(e.repeat(1000));
    t.ok(ok.ok, '1000 × ệ (NFD) fits maxLength 1000');
    t.equal([...(commentValue(ok) ?? '')].length, 1000);
    t.same(errorsOf(comment(e.repeat(1001))), { comment: 'too_long' }, '1001 × ệ (NFD) is too long');
    t.ok(comment(`  ${'ệ'.repeat(1000)}  `).ok, 'surrounding spaces do not count');
    t.ok(comment('😄'.repeat(1000)).ok, 'an emoji counts once though it is two UTF-16 units');
    t.same(errorsOf(comment('a'.repeat(1001))), { comment: 'too_long' });
  });

  t.test('control characters, bidi overrides and lone surrogates are refused', async (t) => {
    for (const bad of [
      'a\u0000b',
      'abc\u202Efed',
      '\u202Aembedded',
      'isolate\u2066x',
      'bell\u0007',
      'x\ud800y',
      '\udc00',
      'del\u007F',
    ]) {
      t.same(errorsOf(comment(bad)), { comment: 'invalid_text' }, JSON.stringify(bad));
    }
    t.same(errorsOf(comment('x\ud800y', 'json')), { comment: 'invalid_text' }, 'json too');
  });

  t.test('a non-string comment is refused', async (t) => {
    t.same(errorsOf(comment(42, 'json')), { comment: 'invalid_value' });
  });
});

t.test('submissionFingerprint', async (t) => {
  const answers = (raw: Record<string, unknown>, source: 'form' | 'json') => {
    const check = checkAnswers(quick, raw, source);
    if (!check.ok) throw new Error(JSON.stringify(check.errors));
    return check.answers;
  };
  const fp = (raw: Record<string, unknown>, source: 'form' | 'json', desk = 'quay-1', serviceArea = 'ho-tich') =>
    submissionFingerprint({ desk, serviceArea, answers: answers(raw, source) });

  const reversedJson = Object.fromEntries(Object.entries(JSON_ANSWERS).reverse());
  const base = fp(FORM, 'form');
  t.match(base, /^[0-9a-f]{64}$/);
  t.equal(fp(JSON_ANSWERS, 'json'), base, 'form strings and JSON numbers agree');
  t.equal(fp(reversedJson, 'json'), base, 'key order does not matter');
  t.equal(
    submissionFingerprint({ desk: 'quay-1', serviceArea: 'ho-tich', answers: [...answers(FORM, 'form')].reverse() }),
    base,
    'answer order does not matter',
  );
  t.equal(
    fp({ ...FORM, comment: FORM.comment?.normalize('NFD') }, 'form'),
    base,
    'a decomposed comment is the same comment',
  );

  t.not(fp({ ...FORM, staff: '4' }, 'form'), base, 'another value');
  t.not(fp({ ...FORM, feedback: '3' }, 'form'), base, 'a value instead of na');
  t.not(fp({ ...FORM, comment: 'Khác' }, 'form'), base, 'another comment');
  const { comment: _c, ...noComment } = FORM;
  t.not(fp(noComment, 'form'), base, 'a missing answer');
  t.not(fp(FORM, 'form', 'quay-2'), base, 'another desk');
  t.not(fp(FORM, 'form', 'quay-1', 'dat-dai'), base, 'another service area');
});

t.test('describeQuestions lists the values each question accepts', async (t) => {
  for (const def of SHIPPED_SURVEYS) {
    const described = describeQuestions(def);
    t.same(
      described.map((q) => q.key),
      questionsOf(def).map((q) => q.key),
      `${def.code}: every question, in order`,
    );
    for (const q of described) {
      if (q.type === 'scale') {
        const expected = q.key === 'overall' ? [1, 2, 3, 4, 5] : [1, 2, 3, 4, 5, 'na'];
        t.same(q.values, expected, `${def.code}/${q.key}`);
        t.equal(q.labels?.['4']?.vi, 'Hài lòng');
        t.equal(q.labels?.['1']?.en, 'Very dissatisfied');
      } else if (q.type === 'choice') {
        t.same(
          q.values,
          q.options.map((o) => o.code),
          `${def.code}/${q.key}`,
        );
      } else {
        t.equal(q.values, undefined, `${def.code}/${q.key}: free text has no value list`);
      }
    }
    t.same(
      described.map((q) => q.section),
      def.sections.flatMap((s, i) => s.questions.map(() => i)),
      `${def.code}: section index`,
    );
  }
  const trips = describeQuestions(quick).find((q) => q.key === 'trips');
  t.same(trips?.values, ['1', '2', '3plus']);
  // What describeQuestions advertises is what checkAnswers accepts.
  for (const q of describeQuestions(quick)) {
    for (const v of q.values ?? []) {
      const check = checkAnswers(quick, { ...JSON_ANSWERS, [q.key]: v }, 'json');
      t.ok(check.ok, `${q.key}=${JSON.stringify(v)} is accepted by the JSON API`);
    }
  }
});
