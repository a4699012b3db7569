import { randomBytes } from 'node:crypto';
import type { Config } from '../../platform/config.ts';
import type { Channel } from '../../platform/db/schema.ts';
import {
  clientKey,
  formReasons,
  renderKey,
  type StuffingLimits,
  type StuffingReason,
  signRenderToken,
  verifyRenderToken,
} from './stuffing-rules.ts';

// Anti-stuffing, before the transaction: the evidence a submission brings
// (form honeypot, render token, its source). The rate, watch and burst checks
// that use it run inside the submission's transaction (stuffing-screen.ts);
// stuffing-rules.ts says what they all are. Flagged responses are stored like
// any other, marked suspect, and left out of the indices until an official
// clears them (suspects/suspect-review-service.ts).

export interface StuffingSettings {
  secret: Buffer;
  limits: StuffingLimits;
}

const settingsCache = new WeakMap<object, StuffingSettings>();
// Only for code that runs without buildApp (which always sets the secret,
// from FORM_SECRET or the database): such tokens do not outlive the process.
const PROCESS_SECRET = randomBytes(32);

export function stuffingSettings(config: Pick<Config, 'formSecret' | 'stuffing'>): StuffingSettings {
  let s = settingsCache.get(config);
  if (!s) {
    s = {
      secret: config.formSecret ? Buffer.from(config.formSecret, 'utf8') : PROCESS_SECRET,
      limits: { ...config.stuffing },
    };
    settingsCache.set(config, s);
  }
  return s;
}

/** The signed render time the survey form carries back. */
export function renderTokenFor(settings: StuffingSettings, deskCode: string, now = new Date()): string {
  return signRenderToken(settings.secret, deskCode, now.getTime());
}

/** The token again when it is genuine (a form shown again keeps its first render time), else undefined. */
export function keepRenderToken(settings: StuffingSettings, deskCode: string, token: string | undefined) {
  return verifyRenderToken(settings.secret, deskCode, token, Date.now()) === undefined ? undefined : token;
}

/** What a submission brings to the checks. */
export interface StuffingEvidence {
  limits: StuffingLimits;
  /** Reasons known from the request alone. */
  reasons: StuffingReason[];
  /** The source: a daily keyed hash of the client address, or of the API credential. */
  clientKey: string | null;
  /** Keyed hash of the render token, when the form brought a genuine one. */
  renderKey: string | null;
  /** The per-source rate and watch checks; off for one-time codes. */
  perSource: boolean;
  /** The per-source volume limit (client_rate) within them; off for a counter tablet, one source serving everyone. */
  sourceLimit: boolean;
  /** Whether the in-transaction checks run at all. */
  rateChecks: boolean;
}

/**
 * Evidence of a posted survey form. A one-time code (`verified`) keeps the
 * honeypot, token, timing and burst checks and only skips the per-source
 * ones: receipts prove a transaction, and citizens with them often share the
 * centre's Wi-Fi; but a code does not prove that the one who answers it is
 * the citizen rather than the counter.
 */
export function formEvidence(
  settings: StuffingSettings,
  input: {
    address: string | undefined;
    honeypot: string | undefined;
    renderToken: string | undefined;
    deskCode: string;
    verified: boolean;
  },
  now = new Date(),
): StuffingEvidence {
  const nowMs = now.getTime();
  const renderedAtMs = verifyRenderToken(settings.secret, input.deskCode, input.renderToken, nowMs);
  return {
    limits: settings.limits,
    reasons: formReasons({
      honeypot: input.honeypot,
      renderedAtMs,
      nowMs,
      minSeconds: settings.limits.minSeconds,
    }),
    clientKey: input.address ? clientKey(settings.secret, input.address, now) : null,
    renderKey: renderedAtMs !== undefined && input.renderToken ? renderKey(settings.secret, input.renderToken) : null,
    perSource: !input.verified,
    sourceLimit: true,
    rateChecks: true,
  };
}

/**
 * Evidence of a JSON API submission. The credential is the source: a kiosk
 * or an integration posting more than a desk can serve is flagged, and the
 * desk's other sources are not. Paper entry is bulk typing of forms by
 * design, identical forms included, so it skips the rate, watch and burst
 * checks; only keys granted the paper channel may use it, and every such key
 * is created and audited by name. A paper row carries no source either: the
 * same key posting on another channel and caught there would otherwise flag
 * its paper forms of the window too (stuffing-screen.ts reaches back by
 * source).
 */
export function apiEvidence(
  settings: StuffingSettings,
  input: { keyId: number; channel: Channel },
  now = new Date(),
): StuffingEvidence {
  const paper = input.channel === 'paper';
  return {
    limits: settings.limits,
    reasons: [],
    clientKey: paper ? null : clientKey(settings.secret, `api-key/${input.keyId}`, now),
    renderKey: null,
    perSource: true,
    sourceLimit: true,
    rateChecks: !paper,
  };
}

/**
 * Evidence of an answer from a paired counter tablet: the device is the
 * source. One tablet serves everyone at its desk, so there is no address
 * check and no per-source volume limit; the desk's watch and the burst check
 * still apply with the device as the source, and the tablet's own pace is
 * checked in its transaction (kiosk_rapid, kiosk-submission-service.ts).
 */
export function kioskEvidence(settings: StuffingSettings, deviceId: number, now = new Date()): StuffingEvidence {
  return {
    limits: settings.limits,
    reasons: [],
    clientKey: clientKey(settings.secret, `kiosk-device/${deviceId}`, now),
    renderKey: null,
    perSource: true,
    sourceLimit: false,
    rateChecks: true,
  };
}
