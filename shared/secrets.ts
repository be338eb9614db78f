// Sealed secrets: small secrets (a partner center's or a bank's shared HMAC secret) kept in a table as
// ciphertext only, bound to an encryption context that names what they are for and whose they are
// (e.g. `{ purpose: 'partner-secret', subject: '110000' }`). A sealed value opened under another
// context fails: a ciphertext copied from one record to another does not open there. Knows no domain.
//
// One code path, two keyrings:
//  - cloud: AWS KMS Encrypt / Decrypt with the customer-managed key named by HPF_SEALING_KEY_ID (a key
//    id or ARN; CDK sets it only on the functions granted the key), the context as KMS
//    EncryptionContext (so IAM can condition on it, and CloudTrail logs it);
//  - local: AES-256-GCM with the key HPF_LOCAL_SEALING_KEY (64 hex characters) or, when unset, the
//    documented development default below (like HPF_JWT_SECRET); the context is the GCM additional
//    authenticated data. Never used in Lambda: there a missing HPF_SEALING_KEY_ID is an error.
// The sealed form is the same text for both: `hpfs1.<keyring>.<base64url payload>`; a value sealed by
// one keyring is refused by the other.
//
// Opened secrets are cached in memory for a bounded time and number (signature checks are hot): the
// cache is keyed by the sealed text itself, so a secret re-registered (a new sealed value) is never
// answered from the cache.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export type SecretContext = Readonly<Record<string, string>>;

/** The development default of the local keyring (32 bytes, hex): never a production key. */
export const DEFAULT_LOCAL_SEALING_KEY = createHash('sha256').update('hpf-local-dev-sealing-key-do-not-use-in-production').digest('hex');
export const SEALING_KEY_ENV = 'HPF_SEALING_KEY_ID';
export const LOCAL_SEALING_KEY_ENV = 'HPF_LOCAL_SEALING_KEY';

const PREFIX = 'hpfs1';
/** KMS Encrypt takes at most 4096 bytes of plaintext. */
export const MAX_SECRET_BYTES = 4096;
export const SECRET_CACHE_TTL_MS = 5 * 60_000;
export const SECRET_CACHE_MAX = 256;

/** A sealed value that cannot be opened (wrong context, another key, tampered, malformed), or a keyring misconfigured. */
export class SealedSecretError extends Error {
  override name = 'SealedSecretError';
}

// ---------------------------------------------------------------------------------------- context

const CONTEXT_PART = /^[A-Za-z0-9_.:/-]{1,128}$/;

/** The context in one canonical text (sorted keys): the AAD of the local keyring and the cache key. */
function canonicalContext(context: SecretContext): string {
  const entries = Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (!entries.some(([k]) => k === 'purpose')) throw new SealedSecretError('a secret context names its purpose');
  for (const [k, v] of entries) {
    if (!CONTEXT_PART.test(k) || typeof v !== 'string' || !CONTEXT_PART.test(v)) throw new SealedSecretError(`invalid secret context entry ${JSON.stringify(k)}`);
  }
  return JSON.stringify(entries);
}

// ---------------------------------------------------------------------------------------- keyrings

interface Keyring {
  name: 'kms' | 'local';
  seal(plaintext: Buffer, context: SecretContext, aad: string): Promise<Buffer>;
  open(payload: Buffer, context: SecretContext, aad: string): Promise<Buffer>;
}

/** What the KMS keyring needs of a KMS client (a subset of @aws-sdk/client-kms). */
export interface KmsLike {
  encrypt(input: { KeyId: string; Plaintext: Uint8Array; EncryptionContext: Record<string, string> }): Promise<{ CiphertextBlob?: Uint8Array }>;
  decrypt(input: { KeyId: string; CiphertextBlob: Uint8Array; EncryptionContext: Record<string, string> }): Promise<{ Plaintext?: Uint8Array }>;
}

let kmsOverride: KmsLike | undefined;
let kmsClient: Promise<KmsLike> | undefined;

/** Tests: a KMS stand-in (undefined: the real client again). */
export function useKmsClient(client: KmsLike | undefined): void {
  kmsOverride = client;
  clearSecretCache();
}

// The package is loaded on first use only: local runs (and the functions that never open a secret)
// do not load it.
async function realKms(): Promise<KmsLike> {
  const { KMSClient, EncryptCommand, DecryptCommand } = await import('@aws-sdk/client-kms');
  const client = new KMSClient({});
  return {
    encrypt: (input) => client.send(new EncryptCommand(input)),
    decrypt: (input) => client.send(new DecryptCommand(input)),
  };
}
const kms = (): Promise<KmsLike> => (kmsOverride ? Promise.resolve(kmsOverride) : (kmsClient ??= realKms().catch((e) => {
  kmsClient = undefined;
  throw e;
})));

const kmsKeyring = (keyId: string): Keyring => ({
  name: 'kms',
  async seal(plaintext, context) {
    const out = await (await kms()).encrypt({ KeyId: keyId, Plaintext: plaintext, EncryptionContext: { ...context } });
    if (!out.CiphertextBlob) throw new SealedSecretError('KMS returned no ciphertext');
    return Buffer.from(out.CiphertextBlob);
  },
  async open(payload, context) {
    let out: { Plaintext?: Uint8Array };
    try {
      // KeyId pins the key: a ciphertext of another key is refused, not decrypted with it
      out = await (await kms()).decrypt({ KeyId: keyId, CiphertextBlob: payload, EncryptionContext: { ...context } });
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'InvalidCiphertextException' || name === 'IncorrectKeyException') throw new SealedSecretError(`the sealed secret does not open under this context or key (${name})`);
      throw error; // throttling, network, permissions: not the value's fault
    }
    if (!out.Plaintext) throw new SealedSecretError('KMS returned no plaintext');
    return Buffer.from(out.Plaintext);
  },
});

const IV_BYTES = 12;
const TAG_BYTES = 16;
const FINGERPRINT_BYTES = 4;

function localKey(): Buffer {
  const hex = process.env[LOCAL_SEALING_KEY_ENV] || DEFAULT_LOCAL_SEALING_KEY;
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new SealedSecretError(`${LOCAL_SEALING_KEY_ENV} must be 64 hex characters (32 bytes)`);
  return Buffer.from(hex, 'hex');
}
const fingerprint = (key: Buffer) => createHash('sha256').update('hpf-sealing-key-fingerprint').update(key).digest().subarray(0, FINGERPRINT_BYTES);

// payload: fingerprint(4) ‖ iv(12) ‖ tag(16) ‖ ciphertext
const localKeyring: Keyring = {
  name: 'local',
  async seal(plaintext, _context, aad) {
    const key = localKey();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([fingerprint(key), iv, cipher.getAuthTag(), ct]);
  },
  async open(payload, _context, aad) {
    const key = localKey();
    if (payload.length < FINGERPRINT_BYTES + IV_BYTES + TAG_BYTES) throw new SealedSecretError('the sealed secret is truncated');
    if (!payload.subarray(0, FINGERPRINT_BYTES).equals(fingerprint(key))) throw new SealedSecretError(`the secret was sealed with another local key (${LOCAL_SEALING_KEY_ENV})`);
    const iv = payload.subarray(FINGERPRINT_BYTES, FINGERPRINT_BYTES + IV_BYTES);
    const tag = payload.subarray(FINGERPRINT_BYTES + IV_BYTES, FINGERPRINT_BYTES + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(payload.subarray(FINGERPRINT_BYTES + IV_BYTES + TAG_BYTES)), decipher.final()]);
    } catch {
      throw new SealedSecretError('the sealed secret does not open under this context or key');
    }
  },
};

/** The keyring in force: KMS when HPF_SEALING_KEY_ID is set; in Lambda it must be. */
function keyring(): Keyring {
  const keyId = process.env[SEALING_KEY_ENV];
  if (keyId) return kmsKeyring(keyId);
  if (process.env.AWS_LAMBDA_FUNCTION_NAME) throw new SealedSecretError(`${SEALING_KEY_ENV} is not set: this function was not granted the sealing key`);
  return localKeyring;
}

// ---------------------------------------------------------------------------------------- cache

const cache = new Map<string, { value: string; expires: number }>();

export function clearSecretCache(): void {
  cache.clear();
}

function remember(cacheKey: string, value: string) {
  cache.delete(cacheKey);
  cache.set(cacheKey, { value, expires: Date.now() + SECRET_CACHE_TTL_MS });
  while (cache.size > SECRET_CACHE_MAX) cache.delete(cache.keys().next().value as string);
}

// ---------------------------------------------------------------------------------------- API

/** Seals `secret` under `context`: the text to store (never the secret). */
export async function sealSecret(secret: string, context: SecretContext): Promise<string> {
  const aad = canonicalContext(context);
  const plaintext = Buffer.from(secret, 'utf8');
  if (plaintext.length === 0 || plaintext.length > MAX_SECRET_BYTES) throw new SealedSecretError(`a secret has 1 to ${MAX_SECRET_BYTES} bytes`);
  const k = keyring();
  const sealed = `${PREFIX}.${k.name}.${(await k.seal(plaintext, context, aad)).toString('base64url')}`;
  remember(`${aad}\n${sealed}`, secret);
  return sealed;
}

/** Opens a sealed value under the context it was sealed with; anything else throws SealedSecretError. */
export async function openSecret(sealed: string, context: SecretContext): Promise<string> {
  const aad = canonicalContext(context);
  const cacheKey = `${aad}\n${sealed}`;
  const hit = cache.get(cacheKey);
  if (hit && hit.expires > Date.now()) return hit.value;
  if (hit) cache.delete(cacheKey);
  const m = typeof sealed === 'string' ? /^hpfs1\.(kms|local)\.([A-Za-z0-9_-]+)$/.exec(sealed) : null;
  if (!m) throw new SealedSecretError('not a sealed secret');
  const k = keyring();
  if (m[1] !== k.name) throw new SealedSecretError(`the secret was sealed by the ${m[1]} keyring, this runtime uses ${k.name}`);
  const value = (await k.open(Buffer.from(m[2], 'base64url'), context, aad)).toString('utf8');
  remember(cacheKey, value);
  return value;
}

/** Whether a stored value has the sealed form (it may still not open here). */
export const isSealed = (value: unknown): value is string => typeof value === 'string' && /^hpfs1\.(kms|local)\.[A-Za-z0-9_-]+$/.test(value);
