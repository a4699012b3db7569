import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';

// Every setting the server reads from the environment, parsed once.
// Other modules receive the typed Config; nothing else reads process.env.
const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  DATABASE_DIRECT_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  DATABASE_REPLICA_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  REPLICA_MAX_LAG_SECONDS: z.coerce.number().min(1).max(86_400).default(30),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1024).max(65535).default(54329),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(500).max(600_000).default(30_000),
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(500).max(600_000).default(10_000),
  HTTP_IDLE_TIMEOUT_MS: z.coerce.number().int().min(500).max(3_600_000).default(60_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  HTTP_MAX_CONNECTIONS: z.coerce.number().int().min(10).max(1_000_000).default(5_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SEED_DEMO: z.enum(['auto', 'never']).default('auto'),
  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: z.string().min(10).optional(),
  FORM_SECRET: z.string().min(32).optional(),
  STUFFING_MIN_SECONDS: z.coerce.number().int().min(0).max(600).default(4),
  STUFFING_WINDOW_MINUTES: z.coerce.number().int().min(1).max(1440).default(10),
  STUFFING_MAX_PER_CLIENT: z.coerce.number().int().min(1).max(100_000).default(10),
  STUFFING_MAX_PER_DESK: z.coerce.number().int().min(1).max(100_000).default(60),
  STUFFING_BURST: z.coerce.number().int().min(2).max(100_000).default(5),
  KIOSK_MIN_SECONDS: z.coerce.number().int().min(0).max(600).default(8),
  CODE_DAILY_CAP: z.coerce.number().int().min(1).max(100_000).default(200),
  WORKER: z.enum(['inline', 'separate']).default('inline'),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(50).default(4),
  WEBHOOK_ALLOW_PRIVATE: z.enum(['0', '1']).default('0'),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(500).max(10_000).default(10_000),
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  MAIL_FROM: z.string().min(3).max(200).optional(),
  TRUST_PROXY: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .refine((list) => list.every(isProxyAddress), {
      message: 'a comma-separated list of proxy addresses or CIDRs (or loopback, linklocal, uniquelocal)',
    }),
});

// Only named proxies are trusted: `true` or `*` would let any client forge
// X-Forwarded-For and dodge the per-client limits.
function isProxyAddress(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

export interface Config {
  port: number;
  host: string;
  /** undefined: run an embedded PostgreSQL under dataDir */
  databaseUrl: string | undefined;
  /**
   * The database itself, not a pooler, for the connections that hold a
   * session (LISTEN, the job runner); undefined: databaseUrl. Set it when
   * DATABASE_URL points at PgBouncer in transaction pooling mode.
   */
  databaseDirectUrl: string | undefined;
  /**
   * A streaming replica for report, dashboard and export reads, used while
   * it answers, is in recovery and is at most maxLagSeconds behind; else the
   * primary serves them (server/platform/db/replica.ts). Undefined: no replica.
   */
  databaseReplica: { url: string; maxLagSeconds: number } | undefined;
  /** Absolute base of the links printed in QR codes, without a trailing slash. */
  publicUrl: string;
  dataDir: string;
  embeddedPgPort: number;
  dbPoolMax: number;
  /**
   * Limits on slow and idle clients, so that trickling connections cannot
   * hold the server (issue 11). Milliseconds, except maxConnections.
   */
  http: {
    /** The whole request (headers and body) must arrive within this. */
    requestTimeout: number;
    /** The headers must arrive within this (at most requestTimeout). */
    headersTimeout: number;
    /** A connection with no traffic either way is closed after this. */
    idleTimeout: number;
    /** An idle keep-alive connection between requests is closed after this. */
    keepAliveTimeout: number;
    /** Open connections beyond this are dropped at once; keep it under the open-file limit. */
    maxConnections: number;
  };
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  seedDemo: boolean;
  /** The first administrator, created on a start with no users. */
  admin: { email: string; password: string } | undefined;
  /**
   * Signs the survey form's render time and keys the daily client hash;
   * undefined: buildApp takes the one kept in the database (made on first
   * start), so tokens survive restarts and agree across server processes.
   */
  formSecret: string | undefined;
  /** Thresholds of the anti-stuffing checks on open posters. */
  stuffing: {
    minSeconds: number;
    windowMinutes: number;
    maxPerClient: number;
    maxPerDesk: number;
    burstSize: number;
    /** Two answers on one counter tablet closer than this are flagged kiosk_rapid. */
    kioskMinSeconds: number;
  };
  /** Addresses/CIDRs of the reverse proxies whose X-Forwarded-For is believed; empty: none. */
  trustProxy: string[];
  /** One-time codes a staff account or an API key may issue for one desk in a local day. */
  codeDailyCap: number;
  /** Background jobs (webhook deliveries): 'inline' in the server process, 'separate' in `npm run worker`. */
  worker: { mode: 'inline' | 'separate'; concurrency: number };
  webhooks: {
    /** Let webhook URLs reach private networks (10/8, 172.16/12, 192.168/16, fc00::/7, …). */
    allowPrivate: boolean;
    /** One delivery attempt's limit; at most 10 s, lower only to make tests quick. */
    timeoutMs: number;
  };
  /**
   * Outgoing e-mail (SMTP_URL such as smtp://user:pass@host:587, MAIL_FROM);
   * undefined when either is unset: then no mail is sent at all.
   */
  mail: { url: string; from: string } | undefined;
}

export class ConfigError extends Error {}

/**
 * Whether links built on this address open only on the server's own machine:
 * PUBLIC_URL unset (http://localhost:PORT) or a loopback or unspecified
 * address. Posters and slips printed then are trial copies, the staff home
 * and the start banner say so; this is the one place that decides it.
 */
export function isTrialAddress(publicUrl: string): boolean {
  let host: string;
  try {
    host = new URL(publicUrl).hostname.toLowerCase().replace(/^\[|\]$/g, '');
  } catch {
    return true;
  }
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.') || host === '0.0.0.0';
  if (isIP(host) === 6) return host === '::1' || host === '::' || /^::ffff:(127\.|7f)/.test(host);
  return false;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid environment settings:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  for (const name of ['DATABASE_DIRECT_URL', 'DATABASE_REPLICA_URL'] as const) {
    if (e[name] && !e.DATABASE_URL) {
      throw new ConfigError(`Invalid environment settings:\n  ${name}: set only together with DATABASE_URL`);
    }
  }
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    databaseDirectUrl: e.DATABASE_DIRECT_URL,
    databaseReplica: e.DATABASE_REPLICA_URL
      ? { url: e.DATABASE_REPLICA_URL, maxLagSeconds: e.REPLICA_MAX_LAG_SECONDS }
      : undefined,
    publicUrl,
    dataDir: path.resolve(e.DATA_DIR),
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    dbPoolMax: e.DB_POOL_MAX,
    http: {
      requestTimeout: e.HTTP_REQUEST_TIMEOUT_MS,
      headersTimeout: Math.min(e.HTTP_HEADERS_TIMEOUT_MS, e.HTTP_REQUEST_TIMEOUT_MS),
      idleTimeout: e.HTTP_IDLE_TIMEOUT_MS,
      keepAliveTimeout: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: e.HTTP_MAX_CONNECTIONS,
    },
    logLevel: e.LOG_LEVEL,
    seedDemo: e.SEED_DEMO === 'auto',
    admin: e.ADMIN_EMAIL && e.ADMIN_PASSWORD ? { email: e.ADMIN_EMAIL, password: e.ADMIN_PASSWORD } : undefined,
    formSecret: e.FORM_SECRET,
    stuffing: {
      minSeconds: e.STUFFING_MIN_SECONDS,
      windowMinutes: e.STUFFING_WINDOW_MINUTES,
      maxPerClient: e.STUFFING_MAX_PER_CLIENT,
      maxPerDesk: e.STUFFING_MAX_PER_DESK,
      burstSize: e.STUFFING_BURST,
      kioskMinSeconds: e.KIOSK_MIN_SECONDS,
    },
    trustProxy: e.TRUST_PROXY,
    codeDailyCap: e.CODE_DAILY_CAP,
    worker: { mode: e.WORKER, concurrency: e.WORKER_CONCURRENCY },
    webhooks: { allowPrivate: e.WEBHOOK_ALLOW_PRIVATE === '1', timeoutMs: e.WEBHOOK_TIMEOUT_MS },
    mail: e.SMTP_URL && e.MAIL_FROM ? { url: e.SMTP_URL, from: e.MAIL_FROM } : undefined,
  };
}
