// Opaque identifiers. Time-ordered where that helps listing; never guessable sequences.
import { randomBytes, createHash } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32

function base32(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** A time-ordered id: 10 chars of milliseconds + 16 random chars, with a prefix (`W`, `L`, `R`…). */
export function newId(prefix: string): string {
  const time = Date.now().toString(32).toUpperCase().padStart(10, '0');
  return `${prefix}${time}${base32(randomBytes(10))}`;
}

/** A deterministic id from parts (for entries derived from a business fact). */
export function derivedId(prefix: string, ...parts: string[]): string {
  return prefix + base32(createHash('sha256').update(parts.join('\u0000')).digest().subarray(0, 15));
}

/** Personal account numbers: 12 digits, random, with a Luhn check digit (opaque, typo-evident). */
export function newAccountNo(): string {
  const digits = Array.from(randomBytes(11), (b) => (b % 10).toString());
  if (digits[0] === '0') digits[0] = '1';
  return digits.join('') + luhn(digits.join(''));
}

export function luhn(payload: string): string {
  let sum = 0;
  for (let i = 0; i < payload.length; i++) {
    let d = Number(payload[payload.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

export const isAccountNo = (s: string) => /^[1-9][0-9]{11}$/.test(s) && luhn(s.slice(0, 11)) === s[11];
