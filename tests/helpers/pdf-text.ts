import { inflateSync } from 'node:zlib';

/**
 * The text a PDF reader would show, read the way pdfkit writes it: fonts are
 * Type0 with Identity-H glyph codes, so each hex string in a content stream
 * goes through its font's ToUnicode map; every text object ends with a
 * space (or `objectEnd`: pdfkit writes one text object a line, so '\n'
 * gives the lines as laid out), and a glyph the font lacks shows as U+FFFD. Pure Node (zlib), so the check runs wherever the tests run, with
 * the production (compressed) output; poppler's pdftotext agrees on these
 * files but is not installed everywhere.
 */
export function pdfText(pdf: Buffer, objectEnd = ' '): string {
  const raw = pdf.toString('latin1');
  const objects = new Map<string, { dict: string; data: string }>();
  for (const m of raw.matchAll(/(\d+) 0 obj\s*([\s\S]*?)endobj/g)) {
    const body = m[2] ?? '';
    const at = body.indexOf('stream\n');
    const dict = at < 0 ? body : body.slice(0, at);
    let data = '';
    if (at >= 0) {
      const start = (m.index ?? 0) + m[0].indexOf(body) + at + 'stream\n'.length;
      const bytes = pdf.subarray(start, start + Number(/\/Length (\d+)/.exec(dict)?.[1]));
      data = (dict.includes('/FlateDecode') ? inflateSync(bytes) : bytes).toString('latin1');
    }
    objects.set(m[1] ?? '', { dict, data });
  }
  const cmaps = new Map<string, Map<string, string>>();
  for (const [, ref, id] of raw.matchAll(/\/(F\d+) (\d+) 0 R/g)) {
    const toUnicode = /\/ToUnicode (\d+) 0 R/.exec(objects.get(id ?? '')?.dict ?? '')?.[1];
    const map = new Map<string, string>();
    for (const [, start, entries] of (objects.get(toUnicode ?? '')?.data ?? '').matchAll(
      /<(\w+)> <\w+> \[([^\]]*)\]/g,
    )) {
      [...(entries ?? '').matchAll(/<([\w ]*)>/g)].forEach(([, hex], i) => {
        const units = (hex ?? '').split(' ').map((h) => Number.parseInt(h, 16));
        map.set((Number.parseInt(start ?? '0', 16) + i).toString(16).padStart(4, '0'), String.fromCharCode(...units));
      });
    }
    cmaps.set(ref ?? '', map);
  }
  let text = '';
  for (const [, id] of raw.matchAll(/\/Contents (\d+) 0 R/g)) {
    let font = new Map<string, string>();
    for (const op of (objects.get(id ?? '')?.data ?? '').matchAll(/\/(F\d+) [\d.]+ Tf|<([0-9a-f]+)>|\bET\b/g)) {
      if (op[1]) font = cmaps.get(op[1]) ?? new Map();
      // Glyph 0 is .notdef, the empty box a font draws for a letter it lacks.
      else if (op[2])
        text += (op[2].match(/.{4}/g) ?? []).map((c) => (c === '0000' ? '\uFFFD' : (font.get(c) ?? '\uFFFD'))).join('');
      else text += objectEnd;
    }
    text += '\n';
  }
  return text.replace(/[ \t]+/g, ' ');
}
