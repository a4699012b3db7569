import { SHIPPED_SURVEYS } from '../../surveys/instruments.ts';
import type { SurveyDefinition } from '../../surveys/schema.ts';

// The shipped instruments, for the pure tests of surveys and answers.

export function shipped(code: string): SurveyDefinition {
  const def = SHIPPED_SURVEYS.find((d) => d.code === code);
  if (!def) throw new Error(`no shipped survey ${code}`);
  return def;
}

/** Letters that only Vietnamese (among the scripts used here) writes with diacritics. */
export const VIETNAMESE_DIACRITIC = /[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]/i;
