// The inter-provincial (跨省通办) message signature of api.md, used both to verify partners' calls and
// to sign ours: lowercase hex HMAC-SHA256 with the partner's shared secret over
//   METHOD \n PATH \n TIMESTAMP \n NONCE \n hex(SHA-256(raw body))
// (PATH without query string; an empty body hashes the empty string). Pure: no I/O, no domain.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADERS = {
  center: 'x-hpf-center',
  timestamp: 'x-hpf-timestamp',
  nonce: 'x-hpf-nonce',
  signature: 'x-hpf-signature',
} as const;

/** Protocol constants of api.md (not business policy): the timestamp window and the nonce length. */
export const TIMESTAMP_WINDOW_SECONDS = 300;
/** 16–64 printable ASCII characters (no spaces). */
export const NONCE_PATTERN = /^[\x21-\x7e]{16,64}$/;
const TIMESTAMP_PATTERN = /^[0-9]{1,12}$/;
const SIGNATURE_PATTERN = /^[0-9a-f]{64}$/;

export interface SignedParts {
  method: string;
  /** Path without the query string. */
  path: string;
  /** Unix seconds, as sent. */
  timestamp: string;
  nonce: string;
  /** The exact body bytes (UTF-8 string as received); '' when there is none. */
  rawBody: string | Buffer;
}

export const bodyHash = (rawBody: string | Buffer): string => createHash('sha256').update(rawBody).digest('hex');

export const stringToSign = (p: SignedParts): string => `${p.method.toUpperCase()}\n${p.path}\n${p.timestamp}\n${p.nonce}\n${bodyHash(p.rawBody)}`;

export const signature = (secret: string, p: SignedParts): string => createHmac('sha256', secret).update(stringToSign(p)).digest('hex');

/** Constant-time comparison of a presented signature with the expected one. */
export function signatureMatches(secret: string, p: SignedParts, presented: string): boolean {
  if (!SIGNATURE_PATTERN.test(presented)) return false;
  return timingSafeEqual(Buffer.from(signature(secret, p), 'hex'), Buffer.from(presented, 'hex'));
}

export interface SignatureHeaders {
  center: string;
  timestamp: string;
  nonce: string;
  signature: string;
}

/**
 * The signature headers of a request (lower-case names), checked for form and for the timestamp
 * window; undefined when one is missing or malformed. The HMAC and the nonce are checked by the caller.
 */
/**
 * The signature headers of a call, or undefined when one is missing, malformed or out of the time
 * window. `party` names the header that says who signs: `x-hpf-center` for a partner center (the
 * default), `x-hpf-bank` for a bank (api.md, Banks); `center` in the answer is that header's value.
 */
export function readSignatureHeaders(headers: Record<string, string | undefined>, nowSeconds: number, party: 'x-hpf-center' | 'x-hpf-bank' = SIGNATURE_HEADERS.center): SignatureHeaders | undefined {
  const center = headers[party] ?? '';
  const timestamp = headers[SIGNATURE_HEADERS.timestamp] ?? '';
  const nonce = headers[SIGNATURE_HEADERS.nonce] ?? '';
  const sig = headers[SIGNATURE_HEADERS.signature] ?? '';
  if (!center || !TIMESTAMP_PATTERN.test(timestamp) || !NONCE_PATTERN.test(nonce) || !SIGNATURE_PATTERN.test(sig)) return undefined;
  if (Math.abs(nowSeconds - Number(timestamp)) > TIMESTAMP_WINDOW_SECONDS) return undefined;
  return { center, timestamp, nonce, signature: sig };
}

/** Headers that sign an outgoing call as `center` with `secret`. */
export function signedHeaders(center: string, secret: string, req: { method: string; path: string; rawBody: string }, nowSeconds = Math.floor(Date.now() / 1000)): Record<string, string> {
  const timestamp = String(nowSeconds);
  const nonce = randomBytes(16).toString('hex');
  return {
    [SIGNATURE_HEADERS.center]: center,
    [SIGNATURE_HEADERS.timestamp]: timestamp,
    [SIGNATURE_HEADERS.nonce]: nonce,
    [SIGNATURE_HEADERS.signature]: signature(secret, { method: req.method, path: req.path, timestamp, nonce, rawBody: req.rawBody }),
  };
}
