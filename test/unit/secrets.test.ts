// Sealed secrets (shared/secrets.ts): the sealed text never holds the secret, opens only under the
// context it was sealed with, and the same format and context binding run over the local AES-256-GCM
// keyring and over KMS (here a stand-in that binds the EncryptionContext as KMS does).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  clearSecretCache,
  DEFAULT_LOCAL_SEALING_KEY,
  isSealed,
  openSecret,
  sealSecret,
  SealedSecretError,
  SECRET_CACHE_TTL_MS,
  useKmsClient,
  type KmsLike,
} from '../../shared/secrets.ts';

const ctx = (subject: string, purpose = 'partner-secret') => ({ purpose, subject });
const SECRET = 'pair-secret-0123456789abcdef';

const saved = { ...process.env };
beforeEach(() => {
  delete process.env.HPF_SEALING_KEY_ID;
  delete process.env.HPF_LOCAL_SEALING_KEY;
  delete process.env.AWS_LAMBDA_FUNCTION_NAME;
  clearSecretCache();
});
afterEach(() => {
  process.env = { ...saved };
  useKmsClient(undefined);
  vi.useRealTimers();
});

/** Opens a sealed value with the cache emptied first (what another process would see). */
const openFresh = (sealed: string, context: Record<string, string>) => {
  clearSecretCache();
  return openSecret(sealed, context);
};

describe('local keyring (AES-256-GCM)', () => {
  it('seals to a text that holds neither the secret nor its encodings, and opens it back', async () => {
    const sealed = await sealSecret(SECRET, ctx('110000'));
    expect(isSealed(sealed)).toBe(true);
    expect(sealed).toMatch(/^hpfs1\.local\.[A-Za-z0-9_-]+$/);
    for (const form of [SECRET, Buffer.from(SECRET).toString('base64'), Buffer.from(SECRET).toString('base64url'), Buffer.from(SECRET).toString('hex')]) expect(sealed).not.toContain(form);
    expect(await openFresh(sealed, ctx('110000'))).toBe(SECRET);
    // a fresh IV each time: the same secret seals to different texts
    expect(await sealSecret(SECRET, ctx('110000'))).not.toBe(sealed);
  });

  it('does not open under another context (subject, purpose, an extra entry), even after a successful open was cached', async () => {
    const sealed = await sealSecret(SECRET, ctx('110000'));
    expect(await openSecret(sealed, ctx('110000'))).toBe(SECRET); // cached now
    await expect(openSecret(sealed, ctx('120000'))).rejects.toThrow(SealedSecretError);
    await expect(openSecret(sealed, ctx('110000', 'bank-secret'))).rejects.toThrow(SealedSecretError);
    await expect(openSecret(sealed, { ...ctx('110000'), extra: 'x' })).rejects.toThrow(SealedSecretError);
    // the order of the entries does not matter
    expect(await openFresh(sealed, { subject: '110000', purpose: 'partner-secret' })).toBe(SECRET);
  });

  it('refuses a tampered, truncated or malformed value', async () => {
    const sealed = await sealSecret(SECRET, ctx('110000'));
    const payload = Buffer.from(sealed.split('.')[2], 'base64url');
    for (const i of [0, 5, 20, payload.length - 1]) {
      const bad = Buffer.from(payload);
      bad[i] ^= 0x01;
      await expect(openFresh(`hpfs1.local.${bad.toString('base64url')}`, ctx('110000'))).rejects.toThrow(SealedSecretError);
    }
    await expect(openFresh(`hpfs1.local.${payload.subarray(0, 20).toString('base64url')}`, ctx('110000'))).rejects.toThrow(SealedSecretError);
    for (const v of ['', SECRET, 'hpfs1.local.', 'hpfs2.local.AAAA', 'hpfs1.other.AAAA', 'hpfs1.local.AA AA']) await expect(openFresh(v, ctx('110000'))).rejects.toThrow(SealedSecretError);
  });

  it('another local key does not open it; HPF_LOCAL_SEALING_KEY is used when set and must be 32 bytes of hex', async () => {
    const sealed = await sealSecret(SECRET, ctx('110000'));
    process.env.HPF_LOCAL_SEALING_KEY = randomBytes(32).toString('hex');
    await expect(openFresh(sealed, ctx('110000'))).rejects.toThrow(/another local key/);
    const mine = await sealSecret(SECRET, ctx('110000'));
    expect(await openFresh(mine, ctx('110000'))).toBe(SECRET);
    process.env.HPF_LOCAL_SEALING_KEY = 'not-hex';
    await expect(sealSecret(SECRET, ctx('110000'))).rejects.toThrow(/64 hex/);
    delete process.env.HPF_LOCAL_SEALING_KEY;
    expect(await openFresh(sealed, ctx('110000'))).toBe(SECRET);
  });

  it('is AES-256-GCM under the documented default key with the canonical context as AAD', async () => {
    const sealed = await sealSecret(SECRET, ctx('110000'));
    const payload = Buffer.from(sealed.split('.')[2], 'base64url');
    const d = createDecipheriv('aes-256-gcm', Buffer.from(DEFAULT_LOCAL_SEALING_KEY, 'hex'), payload.subarray(4, 16));
    d.setAAD(Buffer.from(JSON.stringify([['purpose', 'partner-secret'], ['subject', '110000']])));
    d.setAuthTag(payload.subarray(16, 32));
    expect(Buffer.concat([d.update(payload.subarray(32)), d.final()]).toString()).toBe(SECRET);
  });

  it('refuses a context without purpose, with odd entries, an empty or oversized secret', async () => {
    await expect(sealSecret(SECRET, { subject: '110000' })).rejects.toThrow(/purpose/);
    await expect(sealSecret(SECRET, { purpose: 'partner-secret', subject: '' })).rejects.toThrow(SealedSecretError);
    await expect(sealSecret(SECRET, { purpose: 'partner secret\n' })).rejects.toThrow(SealedSecretError);
    await expect(sealSecret('', ctx('1'))).rejects.toThrow(SealedSecretError);
    await expect(sealSecret('x'.repeat(4097), ctx('1'))).rejects.toThrow(SealedSecretError);
  });

  it('in Lambda without HPF_SEALING_KEY_ID it refuses rather than use the development key', async () => {
    const sealed = await sealSecret(SECRET, ctx('110000'));
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'interprovincial-http';
    await expect(sealSecret(SECRET, ctx('110000'))).rejects.toThrow(/HPF_SEALING_KEY_ID/);
    await expect(openFresh(sealed, ctx('110000'))).rejects.toThrow(/HPF_SEALING_KEY_ID/);
  });
});

describe('cache', () => {
  it('answers a repeated open from memory for a bounded time, then opens again', async () => {
    const calls = { decrypt: 0 };
    useKmsClient(fakeKms(calls));
    process.env.HPF_SEALING_KEY_ID = 'arn:aws:kms:cn-north-1:111122223333:key/test';
    const sealed = await sealSecret(SECRET, ctx('110000'));
    clearSecretCache();
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    for (let i = 0; i < 5; i++) expect(await openSecret(sealed, ctx('110000'))).toBe(SECRET);
    expect(calls.decrypt).toBe(1);
    vi.setSystemTime(Date.now() + SECRET_CACHE_TTL_MS + 1);
    expect(await openSecret(sealed, ctx('110000'))).toBe(SECRET);
    expect(calls.decrypt).toBe(2);
  });
});

/** A KMS stand-in: AES-GCM under its own key with the EncryptionContext bound, errors named as KMS names them. */
function fakeKms(calls = { decrypt: 0 }, keyId = 'arn:aws:kms:cn-north-1:111122223333:key/test'): KmsLike & { key: Buffer } {
  const key = randomBytes(32);
  const aad = (c: Record<string, string>) => Buffer.from(JSON.stringify(Object.entries(c).sort()));
  const fail = (name: string) => Object.assign(new Error(name), { name });
  return {
    key,
    async encrypt({ KeyId, Plaintext, EncryptionContext }) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      c.setAAD(aad(EncryptionContext));
      const ct = Buffer.concat([c.update(Plaintext), c.final()]);
      return { CiphertextBlob: Buffer.concat([Buffer.from(KeyId.padEnd(64)), iv, c.getAuthTag(), ct]) };
    },
    async decrypt({ KeyId, CiphertextBlob, EncryptionContext }) {
      calls.decrypt++;
      const blob = Buffer.from(CiphertextBlob);
      if (blob.subarray(0, 64).toString().trim() !== KeyId || KeyId !== keyId) throw fail('IncorrectKeyException');
      const d = createDecipheriv('aes-256-gcm', key, blob.subarray(64, 76));
      d.setAAD(aad(EncryptionContext));
      d.setAuthTag(blob.subarray(76, 92));
      try {
        return { Plaintext: Buffer.concat([d.update(blob.subarray(92)), d.final()]) };
      } catch {
        throw fail('InvalidCiphertextException');
      }
    },
  };
}

describe('KMS keyring (the same code path, KMS in place of the local key)', () => {
  it('sends the key id and the context to KMS, stores only its ciphertext, and opens only under that context', async () => {
    const seen: unknown[] = [];
    const k = fakeKms();
    useKmsClient({ encrypt: (i) => (seen.push(i), k.encrypt(i)), decrypt: (i) => (seen.push(i), k.decrypt(i)) });
    process.env.HPF_SEALING_KEY_ID = 'arn:aws:kms:cn-north-1:111122223333:key/test';
    const sealed = await sealSecret(SECRET, ctx('110000'));
    expect(sealed).toMatch(/^hpfs1\.kms\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain(SECRET);
    expect(seen[0]).toMatchObject({ KeyId: 'arn:aws:kms:cn-north-1:111122223333:key/test', EncryptionContext: { purpose: 'partner-secret', subject: '110000' } });
    expect(await openFresh(sealed, ctx('110000'))).toBe(SECRET);
    expect(seen[1]).toMatchObject({ KeyId: 'arn:aws:kms:cn-north-1:111122223333:key/test', EncryptionContext: { purpose: 'partner-secret', subject: '110000' } });
    await expect(openFresh(sealed, ctx('120000'))).rejects.toThrow(SealedSecretError);
    process.env.HPF_SEALING_KEY_ID = 'arn:aws:kms:cn-north-1:111122223333:key/other';
    await expect(openFresh(sealed, ctx('110000'))).rejects.toThrow(SealedSecretError);
  });

  it('a value sealed by one keyring is refused by the other', async () => {
    const local = await sealSecret(SECRET, ctx('110000'));
    useKmsClient(fakeKms());
    process.env.HPF_SEALING_KEY_ID = 'arn:aws:kms:cn-north-1:111122223333:key/test';
    await expect(openFresh(local, ctx('110000'))).rejects.toThrow(/local keyring/);
    const cloud = await sealSecret(SECRET, ctx('110000'));
    delete process.env.HPF_SEALING_KEY_ID;
    await expect(openFresh(cloud, ctx('110000'))).rejects.toThrow(/kms keyring/);
  });

  it('a KMS outage is not reported as a bad value (it propagates as is)', async () => {
    process.env.HPF_SEALING_KEY_ID = 'arn:aws:kms:cn-north-1:111122223333:key/test';
    const k = fakeKms();
    useKmsClient(k);
    const sealed = await sealSecret(SECRET, ctx('110000'));
    useKmsClient({ encrypt: k.encrypt, decrypt: async () => Promise.reject(Object.assign(new Error('slow down'), { name: 'ThrottlingException' })) });
    const err = await openFresh(sealed, ctx('110000')).catch((e) => e);
    expect(err).not.toBeInstanceOf(SealedSecretError);
    expect(err.name).toBe('ThrottlingException');
  });
});
