import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * An API key as issued: `eak_` + 12 hex characters (the visible prefix, 48 random bits, shown in lists so a
 * key can be recognised and found) + `_` + 43 base64url characters (the secret, 256 random bits).
 * Example: `eak_3f9c0a1b2d4e_Jx8…`. The prefix is the look-up key; the whole key is what is hashed.
 */
export const KEY_TAG = 'eak_';
const PREFIX_BYTES = 6;
const SECRET_BYTES = 32;

/** The shape of every key we issue; anything else is never looked up in the database. */
export const API_KEY_PATTERN = /^(eak_[0-9a-f]{12})_[A-Za-z0-9_-]{43}$/;

export interface IssuedApiKey {
  /** The whole key, shown once to whoever created it and never stored. */
  key: string;
  /** `eak_` + 12 hex: stored and shown, to tell keys apart. */
  prefix: string;
  /** What is stored instead of the key. */
  secretHash: string;
}

export function issueApiKey(): IssuedApiKey {
  const prefix = KEY_TAG + randomBytes(PREFIX_BYTES).toString('hex');
  const key = `${prefix}_${randomBytes(SECRET_BYTES).toString('base64url')}`;
  return { key, prefix, secretHash: hashApiKey(key) };
}

/** The prefix of a string shaped like one of our keys, or undefined. */
export function prefixOf(presented: string): string | undefined {
  return API_KEY_PATTERN.exec(presented)?.[1];
}

/**
 * SHA-256, hex. Not a password hash on purpose: a key is 256 random bits, so nobody can guess it from its
 * digest however fast the digest is, and a slow KDF (argon2, as for passwords) would only cost every request
 * tens of milliseconds and memory for no security gained.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Whether the presented key is the one whose hash is stored, compared in constant time. */
export function matchesHash(presented: string, storedHash: string): boolean {
  const stored = Buffer.from(storedHash, 'hex');
  const candidate = Buffer.from(hashApiKey(presented), 'hex');
  return stored.length === candidate.length && timingSafeEqual(stored, candidate);
}
