import { type LocalText, type Question, questionsOf, type SurveyDefinition } from './schema.ts';

// What a new version of a survey changes in what citizens read, key by key.
// Results stay comparable across versions because keys carry over; a key
// whose wording changed is still comparable only with care, so the staff
// pages show these changes beside the key.

export interface WordingChange {
  key: string;
  before: LocalText;
  after: LocalText;
  /** The question text (either language) changed. */
  text: boolean;
  /** A choice's options changed: added, removed or re-worded. */
  options: boolean;
}

export interface WordingDiff {
  /** Keys in both versions whose wording differs, in the order of the newer version. */
  changed: WordingChange[];
  /** Keys only in the newer version. */
  added: string[];
  /** Keys only in the older version. */
  removed: string[];
}

// "ệ" typed precomposed or as e + dots is the same wording.
const same = (a: string, b: string) => a.normalize('NFC').trim() === b.normalize('NFC').trim();
const sameText = (a: LocalText, b: LocalText) => same(a.vi, b.vi) && same(a.en, b.en);

function optionsOf(q: Question): Map<string, LocalText> {
  return new Map(q.type === 'choice' ? q.options.map((o) => [o.code, o.text]) : []);
}

function sameOptions(a: Question, b: Question): boolean {
  const before = optionsOf(a);
  const after = optionsOf(b);
  if (before.size !== after.size) return false;
  for (const [code, text] of after) {
    const old = before.get(code);
    if (!old || !sameText(old, text)) return false;
  }
  return true;
}

/** Which keys `after` re-words, adds or drops compared with `before`. Order changes are not wording. */
export function wordingChanges(before: SurveyDefinition, after: SurveyDefinition): WordingDiff {
  const old = new Map(questionsOf(before).map((q) => [q.key, q]));
  const now = questionsOf(after);
  const nowKeys = new Set(now.map((q) => q.key));
  const changed: WordingChange[] = [];
  const added: string[] = [];
  for (const q of now) {
    const prev = old.get(q.key);
    if (!prev) {
      added.push(q.key);
      continue;
    }
    const text = !sameText(prev.text, q.text);
    const options = !sameOptions(prev, q);
    if (text || options) changed.push({ key: q.key, before: prev.text, after: q.text, text, options });
  }
  const removed = [...old.keys()].filter((k) => !nowKeys.has(k));
  return { changed, added, removed };
}
