import type { LocalText } from './schema.ts';

// The 5-level answer scale of SIPAS plus "not applicable".

export const SCALE_VALUES = [1, 2, 3, 4, 5] as const;
export type ScaleValue = (typeof SCALE_VALUES)[number];
export const NA = 'na';

export const SCALE_LABELS: Record<ScaleValue, LocalText> = {
  1: { vi: 'Rất không hài lòng', en: 'Very dissatisfied' },
  2: { vi: 'Không hài lòng', en: 'Dissatisfied' },
  3: { vi: 'Bình thường', en: 'Neutral' },
  4: { vi: 'Hài lòng', en: 'Satisfied' },
  5: { vi: 'Rất hài lòng', en: 'Very satisfied' },
};

export const NA_LABEL: LocalText = { vi: 'Không áp dụng', en: 'Not applicable' };
