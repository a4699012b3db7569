import type { LocalText } from './schema.ts';

// The 5-level answer scale of SIPAS plus "not applicable".

export const SCALE_VALUES = [1, 2, 3, 4, 5] as const;
export type ScaleValue = (typeof SCALE_VALUES)[number];
export const NA = 'na';

export const SCALE_LABELS: Record<ScaleValue, LocalText & { face: string }> = {
  1: { vi: 'Rất không hài lòng', en: 'Very dissatisfied', face: '😠' },
  2: { vi: 'Không hài lòng', en: 'Dissatisfied', face: '🙁' },
  3: { vi: 'Bình thường', en: 'Neutral', face: '😐' },
  4: { vi: 'Hài lòng', en: 'Satisfied', face: '🙂' },
  5: { vi: 'Rất hài lòng', en: 'Very satisfied', face: '😄' },
};

export const NA_LABEL: LocalText = { vi: 'Không áp dụng', en: 'Not applicable' };
