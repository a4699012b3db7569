// Randomness for the bench dataset: a seeded PRNG and helpers for the small
// things decided in Node (the tree, sampling tables), and SQL expressions
// drawing hash-based numbers for the rows made inside PostgreSQL.

/** A small seeded PRNG (mulberry32): the tree is the same for the same seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** Splits total into integer parts proportional to weights (exact sum). */
export function apportion(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, w) => a + w, 0);
  let acc = 0;
  let prev = 0;
  return weights.map((w) => {
    acc += w;
    const next = Math.round((total * acc) / sum);
    const n = next - prev;
    prev = next;
    return n;
  });
}

/** Walker's alias table: draw k uniformly, keep it with probability prob[k], else take alias[k]. */
export function aliasTable(weights: number[]): { prob: number[]; alias: number[] } {
  const n = weights.length;
  const sum = weights.reduce((a, w) => a + w, 0);
  const scaled = weights.map((w) => (w * n) / sum);
  const prob = new Array<number>(n).fill(1);
  const alias = weights.map((_, i) => i);
  const small: number[] = [];
  const large: number[] = [];
  scaled.forEach((p, i) => {
    (p < 1 ? small : large).push(i);
  });
  while (small.length && large.length) {
    const s = small.pop() as number;
    const l = large.pop() as number;
    prob[s] = scaled[s] as number;
    alias[s] = l;
    scaled[l] = (scaled[l] as number) + (scaled[s] as number) - 1;
    (scaled[l] < 1 ? small : large).push(l);
  }
  return { prob, alias };
}

/** A uniform draw in [0, 1) from the hash of a row number and a stream. */
export function u(expr: string, stream: number): string {
  return `((hashint8extended(${expr}, ${stream}) & 4294967295)::float8 / 4294967296.0)`;
}
/** About standard normal: four 16-bit slices of one hash, summed. */
export function z(expr: string, stream: number): string {
  const h = `hashint8extended(${expr}, ${stream})`;
  const part = (shift: number) => `((${h} >> ${shift}) & 65535)`;
  return `(((${part(0)} + ${part(16)} + ${part(32)} + ${part(48)})::float8 / 65536.0 - 2.0) * 1.7320508)`;
}
