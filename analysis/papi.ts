// Scores of the PAPI-aligned commune questionnaire (methodology §7): each
// answer rescaled to 0–1, an item's mean over the people who answered it, a
// dimension 1 + 9 × the mean of its item means, the total the sum of the
// eight. Intervals: a percentile bootstrap over respondents.
//
// Unlike the SIPAS composite (bootstrap.ts), these scores are computed from
// respondents' own answers (a survey round has them), so the bootstrap the
// methodology asks for can be run as written: whole respondents are
// resampled, and every figure of one resample comes from the same people,
// which keeps the dependence between a person's answers in the intervals.
//
// The scores are our approximation along PAPI's dimensions, never the
// official PAPI index; PAPI_SELF_ASSESSMENT_LABEL goes wherever they show.

import { quantileSorted } from 'simple-statistics';
import {
  PAPI_DIMENSION_KEYS,
  PAPI_DIMENSION_NAMES,
  PAPI_XA_REVERSED_KEYS,
  type PapiDimensionKey,
} from '../surveys/papi-xa.ts';
import { NA } from '../surveys/scale.ts';
import type { LocalText } from '../surveys/schema.ts';
import { BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, type BootstrapOptions, mulberry32 } from './bootstrap.ts';

export type { PapiDimensionKey };

export const PAPI_SELF_ASSESSMENT_LABEL: LocalText = {
  vi: 'Tự đánh giá theo các trụ cột của PAPI (không phải Chỉ số PAPI chính thức)',
  en: "Self-assessment along PAPI's dimensions (not the official PAPI index)",
};

/** PAPI's eight dimensions in its order, with its names. */
export const PAPI_DIMENSIONS: readonly { key: PapiDimensionKey; name: LocalText }[] = PAPI_DIMENSION_KEYS.map(
  (key) => ({ key, name: PAPI_DIMENSION_NAMES[key] }),
);

/** A dimension's score lies in 1..10, so the total of eight lies in 8..80. */
export const PAPI_DIMENSION_MAX = 10;
export const PAPI_TOTAL_MAX = PAPI_DIMENSION_MAX * PAPI_DIMENSION_KEYS.length;

/** The yes/no items whose good answer is "no", as papi-xa names them. */
export const PAPI_REVERSED_ITEMS: ReadonlySet<string> = new Set(PAPI_XA_REVERSED_KEYS);

/** An answer as stored: 1–5 for a scale, an option code for a choice, `na`, or nothing. */
export type PapiAnswer = number | string | null | undefined;
/** One respondent's answers by indicator key; keys outside `papi.` (overall, comment) are ignored. */
export type PapiRespondent = Readonly<Record<string, PapiAnswer>>;

export interface PapiOptions extends BootstrapOptions {
  /** Yes/no items scored "no" = 1; papi-xa's own list unless given. */
  reversed?: ReadonlySet<string>;
}

export interface PapiItemMean {
  key: string;
  /** People who answered it (na and blanks left out). */
  n: number;
  /** Mean of the rescaled answers, 0–1. */
  mean: number;
}

export interface PapiDimensionScore {
  key: PapiDimensionKey;
  name: LocalText;
  /** 1–10; null when none of its items has an answer. */
  score: number | null;
  /** 95% percentile bootstrap interval; null when the score is. */
  ci95: [number, number] | null;
  /** Its items that have answers, by key. */
  items: PapiItemMean[];
}

export interface PapiScores {
  label: LocalText;
  respondents: number;
  dimensions: PapiDimensionScore[];
  /** Sum of the eight (8–80); null when any dimension is. */
  total: { score: number | null; max: number; ci95: [number, number] | null };
}

/**
 * One answer on 0–1: yes/no → 1 for the item's good answer, 0 for the other;
 * a scale v → (v − 1)/4; na and blanks → null (left out). Anything else is a
 * value the instrument cannot produce, so it throws rather than skew a score.
 */
export function rescalePapiAnswer(
  key: string,
  value: PapiAnswer,
  reversed: ReadonlySet<string> = PAPI_REVERSED_ITEMS,
): number | null {
  if (value === null || value === undefined || value === '' || value === NA) return null;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 5) return (value - 1) / 4;
  if (value === 'yes' || value === 'no') return value === (reversed.has(key) ? 'no' : 'yes') ? 1 : 0;
  throw new Error(`papi: ${key} has an answer no PAPI item gives: ${JSON.stringify(value)}`);
}

/** The item's dimension, from its key papi.<dimension>.<item>; null for a key outside papi. */
function dimensionOf(key: string): PapiDimensionKey | null {
  const [head, dimension] = key.split('.');
  if (head !== 'papi') return null;
  if (!PAPI_DIMENSION_KEYS.includes(dimension as PapiDimensionKey)) {
    throw new Error(`papi: ${key} names no PAPI dimension`);
  }
  return dimension as PapiDimensionKey;
}

/** The answers as a matrix: a column per item (grouped by dimension), a row per respondent. */
interface Table {
  items: { key: string; dimension: number }[];
  rows: (number | null)[][];
}

function tableOf(respondents: readonly PapiRespondent[], reversed: ReadonlySet<string>): Table {
  const keys = new Set<string>();
  for (const r of respondents) for (const key of Object.keys(r)) if (dimensionOf(key)) keys.add(key);
  const items = [...keys]
    .map((key) => ({ key, dimension: PAPI_DIMENSION_KEYS.indexOf(dimensionOf(key)!) }))
    .sort((a, b) => a.dimension - b.dimension || a.key.localeCompare(b.key));
  const rows = respondents.map((r) => items.map((item) => rescalePapiAnswer(item.key, r[item.key], reversed)));
  return { items, rows };
}

interface Estimate {
  itemMeans: { n: number; mean: number | null }[];
  dimensions: (number | null)[];
  total: number | null;
}

/** The §7 figures of the respondents at `picks` (indices into the table's rows, repeats allowed). */
function estimate(table: Table, picks: readonly number[]): Estimate {
  const sums = new Array<number>(table.items.length).fill(0);
  const counts = new Array<number>(table.items.length).fill(0);
  for (const p of picks) {
    const row = table.rows[p]!;
    for (let j = 0; j < row.length; j += 1) {
      const v = row[j];
      if (v === null || v === undefined) continue;
      sums[j]! += v;
      counts[j]! += 1;
    }
  }
  const itemMeans = table.items.map((_, j) => ({ n: counts[j]!, mean: counts[j]! > 0 ? sums[j]! / counts[j]! : null }));
  // Each item with answers weighs the same within its dimension, whatever its n.
  const dimensions = PAPI_DIMENSION_KEYS.map((_, d) => {
    const means = table.items.flatMap((item, j) =>
      item.dimension === d && itemMeans[j]!.mean !== null ? [itemMeans[j]!.mean!] : [],
    );
    return means.length === 0 ? null : 1 + 9 * (means.reduce((a, b) => a + b, 0) / means.length);
  });
  const total = dimensions.some((s) => s === null) ? null : dimensions.reduce<number>((a, b) => a + b!, 0);
  return { itemMeans, dimensions, total };
}

function percentileInterval(values: number[]): [number, number] | null {
  if (values.length === 0) return null;
  values.sort((a, b) => a - b);
  return [quantileSorted(values, 0.025), quantileSorted(values, 0.975)];
}

/**
 * The eight dimension scores and their total, each with a 95% percentile
 * bootstrap interval over respondents (2,000 resamples, the project's fixed
 * seed: the same answers always give the same intervals). A resample in
 * which a figure has no answers at all gives it no value; its interval is
 * taken over the resamples that do.
 */
export function papiScores(
  respondents: readonly PapiRespondent[],
  { resamples = BOOTSTRAP_RESAMPLES, seed = BOOTSTRAP_SEED, reversed = PAPI_REVERSED_ITEMS }: PapiOptions = {},
): PapiScores {
  const table = tableOf(respondents, reversed);
  const n = table.rows.length;
  const point = estimate(
    table,
    table.rows.map((_, i) => i),
  );

  const dimensionDraws: number[][] = PAPI_DIMENSION_KEYS.map(() => []);
  const totalDraws: number[] = [];
  if (n > 0) {
    const random = mulberry32(seed);
    const picks = new Array<number>(n);
    for (let b = 0; b < resamples; b += 1) {
      // random() is strictly inside (0, 1), so every index is in 0..n−1.
      for (let i = 0; i < n; i += 1) picks[i] = Math.floor(random() * n);
      const draw = estimate(table, picks);
      draw.dimensions.forEach((s, d) => {
        if (s !== null) dimensionDraws[d]!.push(s);
      });
      if (draw.total !== null) totalDraws.push(draw.total);
    }
  }

  const dimensions = PAPI_DIMENSIONS.map(({ key, name }, d) => {
    const score = point.dimensions[d]!;
    return {
      key,
      name,
      score,
      ci95: score === null ? null : percentileInterval(dimensionDraws[d]!),
      items: table.items.flatMap((item, j) => {
        const { n: answered, mean } = point.itemMeans[j]!;
        return item.dimension === d && mean !== null ? [{ key: item.key, n: answered, mean }] : [];
      }),
    };
  });
  return {
    label: PAPI_SELF_ASSESSMENT_LABEL,
    respondents: n,
    dimensions,
    total: {
      score: point.total,
      max: PAPI_TOTAL_MAX,
      ci95: point.total === null ? null : percentileInterval(totalDraws),
    },
  };
}
