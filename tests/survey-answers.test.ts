import t from 'tap';
import { type Answer, type AnswerCheck, checkAnswers, submissionFingerprint } from '../surveys/answers.ts';
import { describeQuestions } from '../surveys/describe.ts';
import { SHIPPED_HISTORY, SHIPPED_SURVEYS } from '../surveys/instruments.ts';
import { questionsOf } from '../surveys/schema.ts';
import { shipped, VIETNAMESE_DIACRITIC } from './helpers/shipped-surveys.ts';

// Pure tests of the answer rules shared by the web form and the JSON API:
// what checkAnswers accepts and refuses, the submission fingerprint, and the
// description of the values each question accepts. No database.

const quick = shipped('sipas-quick');
const _full = shipped('sipas-full');
const quickV1 = SHIPPED_HISTORY.find((h) => h.code === 'sipas-quick')!.versions[0]!;

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
    t.same(errorsOf(checkAnswers(quickV1, { ...FORM, overall: '', staff: '  ' }, 'form')), {
      overall: 'required',
      staff: 'required',
    });
    t.same(errorsOf(checkAnswers(quick, { ...FORM, overall: '', staff: '  ' }, 'form')), { overall: 'required' });
    t.same(errorsOf(checkAnswers(quick, { ...JSON_ANSWERS, overall: null }, 'json')), { overall: 'required' });
    t.same(errorsOf(checkAnswers(quick, {}, 'json')), { overall: 'required' }, 'sipas-quick requires overall alone');
    t.same(
      Object.keys(errorsOf(checkAnswers(quickV1, {}, 'json'))).sort(),
      ['access', 'feedback', 'overall', 'procedure', 'result', 'staff'],
      'version 1 of sipas-quick still requires every scale item, nothing else',
    );
    t.same(errorsOf(checkAnswers(quickV1, { ...FORM, feedback: '' }, 'form')), { feedback: 'required' });
  });

  t.test('the overall item alone is a whole response; factor items count where answered', async (t) => {
    for (const source of ['form', 'json'] as const) {
      const check = checkAnswers(quick, { overall: source === 'form' ? '4' : 4 }, source);
      t.same(answersOf(check), [{ key: 'overall', kind: 'scale', value: 4 }], `${source}: overall only`);
    }
    const { feedback: _f, ...noFeedback } = FORM;
    t.ok(checkAnswers(quick, noFeedback, 'form').ok, 'complaint handling may be left out');
    const some = checkAnswers(quick, { overall: '5', staff: '4', feedback: '', access: 'na' }, 'form');
    t.same(
      answersOf(some),
      [
        { key: 'overall', kind: 'scale', value: 5 },
        { key: 'access', kind: 'na' },
        { key: 'staff', kind: 'scale', value: 4 },
      ],
      'a blank factor item is no answer; "na" is kept as na (both out of the denominator)',
    );
    t.same(
      errorsOf(checkAnswers(quick, { access: '5' }, 'form')),
      { overall: 'required' },
      'but never without overall',
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
      ['overall', 'access', 'procedure', 'staff', 'result', 'feedback'],
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
    const check = checkAnswers(quick, { access: '9', trips: 'x', comment: 'a\u0000b', nope: '1' }, 'form');
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
