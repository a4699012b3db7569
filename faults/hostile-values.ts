import fc from 'fast-check';

// The hostile values the generated requests are made of (hostile-cases.ts):
// strings with what breaks parsers, templates, SQL and Unicode handling, and
// values that are invalid for one field by construction.

export const SCALE_KEYS = ['access', 'procedure', 'staff', 'result', 'feedback', 'overall'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const FORBIDDEN = ['\u0000', '\uD800', '\uDFFF', '\u202E', '\u202D', '\u2066', '\u2069'];

const nasty = fc.constantFrom(
  ...FORBIDDEN,
  '\u200B',
  '\uFEFF',
  'e\u0301',
  '\r\n',
  '<script>alert(1)</script>',
  "' or 1=1 --",
  '"; drop table response; --',
  '../../../etc/passwd',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template injection probe, on purpose
  '${7*7}',
  '<%= it %>',
  '{{7*7}}',
  '%00',
  '__proto__',
  'constructor',
  'NaN',
  '-1',
  '1e309',
  '😀',
  'Ｑ',
);
export const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.array(fc.oneof(nasty, fc.string({ unit: 'binary', maxLength: 4 })), { maxLength: 8 }).map((a) => a.join('')),
);
/** Text with a character no answer may carry: NUL, a lone surrogate, a bidi override. */
const textWith = (chars: string[]) =>
  fc
    .tuple(fc.string({ maxLength: 20 }), fc.constantFrom(...chars), fc.string({ maxLength: 20 }))
    .map((p) => p.join(''));
export const forbiddenText = textWith(FORBIDDEN);
/** A form cannot carry a lone surrogate (URL encoding makes it U+FFFD, a valid character). */
export const forbiddenFormText = textWith(FORBIDDEN.filter((c) => !/[\uD800-\uDFFF]/.test(c)));
export const badScale = fc.oneof(
  fc.integer().filter((n) => n < 1 || n > 5),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !(Number.isInteger(d) && d >= 1 && d <= 5)),
  hostileText.filter((s) => s.trim() !== '' && !['1', '2', '3', '4', '5', 'na'].includes(s.trim())),
  fc.boolean(),
  fc.array(fc.integer(), { minLength: 1, maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { minKeys: 1, maxKeys: 3 }),
);
// A blank answer is an unanswered question, which may well be valid: never blank here.
export const badFormScale = hostileText.filter(
  (s) => s.trim() !== '' && !['1', '2', '3', '4', '5', 'na'].includes(s.trim()),
);
export const notUuid = hostileText.filter((s) => !UUID.test(s));

/** Percent-encodes every byte outside the unreserved set, so any string fits in a path. */
export function encodePath(s: string): string {
  return [...Buffer.from(s, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).padStart(2, '0').toUpperCase()}`,
    )
    .join('');
}

/** Broken percent-encoding that no encoder produces. */
export const BAD_ESCAPES = ['%', '%zz', '%ED%A0%80', '%C0%AF', '%FF%FE', '..%2F..%2F', '%2e%2e', '%00', '%E2%80%AE'];
export const pathSegment = fc.oneof(
  { weight: 4, arbitrary: hostileText.map(encodePath) },
  { weight: 1, arbitrary: fc.constantFrom(...BAD_ESCAPES) },
  { weight: 1, arbitrary: fc.string({ minLength: 201, maxLength: 400 }).map(encodePath) },
);
export const queryString = fc.dictionary(hostileText, hostileText, { maxKeys: 4 }).map((d) =>
  Object.entries(d)
    .map(([k, v]) => `${encodePath(k)}=${encodePath(v)}`)
    .join('&'),
);

/** Requests no client library will send: the HTTP parser itself must refuse them with a 4xx. */
export const RAW_REQUESTS = [
  'GARBAGE\r\n\r\n',
  'GET / HTTP/9.9\r\nHost: x\r\n\r\n',
  'GET /q/a b HTTP/1.1\r\nHost: x\r\n\r\n',
  'POST /api/v1/responses HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
  'POST /api/v1/responses HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello',
  'POST /api/v1/responses HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n',
  'POST /api/v1/responses HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
  'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Bad\u0000Header: 1\r\n\r\n',
  'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Header: a\rb\r\n\r\n',
  'GET /healthz HTTP/1.1\r\nHost: x\r\n bad-continuation: 1\r\n\r\n',
  `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Long: ${'a'.repeat(20_000)}\r\n\r\n`,
  `GET /q/${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
  'GET /healthz HTTP/1.1\r\n\r\n',
  'POST /q/x HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
  'GET\u0000 / HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET /\u00ff HTTP/1.1\r\nHost: x\r\n\r\n',
  '\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked, identity\r\n\r\n',
];
