import { constants, crc32, deflateRawSync } from 'node:zlib';

// A rendered page with a few per-request values (nonces, a submission id),
// compressed once. Each request gets one gzip stream assembled from the page's
// parts deflated in advance and its own values as stored (uncompressed)
// deflate blocks: a valid single-member gzip (RFC 1951/1952) at the cost of
// a CRC, instead of compressing the whole page again on every request, which
// costs ten times the rest of serving it.

const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff]);
/** The last block: final bit set, fixed Huffman codes, nothing but end-of-block. */
const FINAL_BLOCK = Buffer.from([0x03, 0x00]);

export class FilledPage {
  private readonly texts: Buffer[];
  private readonly deflated: Buffer[];
  private readonly slots: string[];

  /** `pattern` (global) finds the placeholders in `page`; each is later filled by name. */
  constructor(page: string, pattern: RegExp) {
    this.texts = [];
    this.slots = [];
    let last = 0;
    for (const m of page.matchAll(pattern)) {
      this.texts.push(Buffer.from(page.slice(last, m.index), 'utf8'));
      this.slots.push(m[0]);
      last = (m.index ?? 0) + m[0].length;
    }
    this.texts.push(Buffer.from(page.slice(last), 'utf8'));
    // A sync flush ends each part on a byte boundary with no final block, so
    // parts and stored blocks can follow one another in one stream.
    this.deflated = this.texts.map((t) => deflateRawSync(t, { finishFlush: constants.Z_SYNC_FLUSH }));
  }

  /** The page with each placeholder replaced by its value: plain, or gzip-encoded. */
  fill(values: Record<string, string>, gzip: boolean): Buffer {
    const filled = this.slots.map((slot) => Buffer.from(values[slot] ?? '', 'utf8'));
    if (!gzip) return Buffer.concat(this.texts.flatMap((t, i) => (i < filled.length ? [t, filled[i] as Buffer] : [t])));
    const parts: Buffer[] = [GZIP_HEADER];
    let crc = 0;
    let size = 0;
    this.texts.forEach((text, i) => {
      parts.push(this.deflated[i] as Buffer);
      // zlib's crc32 of an empty buffer can be its initial value (0), not the running one.
      if (text.length) crc = crc32(text, crc);
      size += text.length;
      const value = filled[i];
      if (value?.length) {
        parts.push(storedBlock(value), value);
        crc = crc32(value, crc);
        size += value.length;
      }
    });
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(crc >>> 0, 0);
    trailer.writeUInt32LE(size % 2 ** 32, 4);
    parts.push(FINAL_BLOCK, trailer);
    return Buffer.concat(parts);
  }
}

/** The header of a stored block: not final, type 00, then LEN and its complement (little-endian). */
function storedBlock(data: Buffer): Buffer {
  if (data.length > 0xffff) throw new Error('a filled value is longer than one stored block');
  const header = Buffer.alloc(5);
  header.writeUInt8(0, 0);
  header.writeUInt16LE(data.length, 1);
  header.writeUInt16LE(~data.length & 0xffff, 3);
  return header;
}
