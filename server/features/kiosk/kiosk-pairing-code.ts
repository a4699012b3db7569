import { randomInt } from 'node:crypto';

// The code a manager reads off the desk page and types (or scans) on a
// tablet. Eight characters from 31 that cannot be misread for one another
// (no 0/O, 1/I/L): about 40 bits, enough for a code that lives ten minutes
// and whose guesses are throttled (kiosk-pair-throttle.ts).

export const PAIRING_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const PAIRING_CODE_LENGTH = 8;
export const PAIRING_MINUTES = 10;
/** Unused, unexpired codes a desk may have at once: pressing the button again and again stops here. */
export const MAX_OPEN_PAIRINGS = 20;

const VALID = new RegExp(`^[${PAIRING_ALPHABET}]{${PAIRING_CODE_LENGTH}}$`);

export function newPairingCode(): string {
  let code = '';
  for (let i = 0; i < PAIRING_CODE_LENGTH; i++) code += PAIRING_ALPHABET[randomInt(PAIRING_ALPHABET.length)];
  return code;
}

/**
 * The code as typed, in the form that is hashed: spaces and dashes dropped,
 * upper case. Undefined when it cannot be a code, so that nothing is looked up.
 */
export function normalisePairingCode(typed: unknown): string | undefined {
  if (typeof typed !== 'string' || typed.length > 64) return undefined;
  const code = typed.replace(/[\s\-–—]/g, '').toUpperCase();
  return VALID.test(code) ? code : undefined;
}

/** "ABCD-EFGH": two groups of four, easier to read out and type. */
export function groupPairingCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** What the QR code on the desk page holds: the tablet's page with the code filled in. */
export function pairingUrl(publicUrl: string, code: string): string {
  return `${publicUrl}/kiosk?code=${code}`;
}
