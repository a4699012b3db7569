import { createHash, randomBytes } from 'node:crypto';

/** A random, URL-safe secret of `bytes` bytes (16 bytes = 128 bits = 22 characters). */
export function newSecret(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

/** What is stored in place of a high-entropy secret (API key, one-time code). */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
