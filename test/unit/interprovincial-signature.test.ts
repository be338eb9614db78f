// The inter-provincial signature scheme (api.md): the published test vector, literally, and the
// header checks (timestamp window, nonce length) that come before the HMAC.
import { describe, it, expect } from 'vitest';
import { bodyHash, signature, signatureMatches, readSignatureHeaders, signedHeaders } from '../../shared/signature.ts';

const vector = {
  secret: 'partner-secret-0001',
  method: 'POST',
  path: '/v1/interprovincial/requests',
  timestamp: '1795000000',
  nonce: 'a1b2c3d4e5f60718293a4b5c',
  rawBody: '{"requestId":"R-0001","type":"BALANCE_INQUIRY","payload":{"idNumber":"510104199001010078","name":"张三"}}',
};

describe('signature (api.md test vector)', () => {
  it('hashes the body and signs exactly as published', () => {
    expect(bodyHash(vector.rawBody)).toBe('dd8e5878f3ccbc25bd238ad51de55037da9dc62908ef2efd9bedb242cbd45d92');
    expect(signature(vector.secret, vector)).toBe('ccd3b527675614b4ab3cc3522532792d0986bfb696be6bb9386bcd9b55039596');
    expect(signatureMatches(vector.secret, vector, 'ccd3b527675614b4ab3cc3522532792d0986bfb696be6bb9386bcd9b55039596')).toBe(true);
  });

  it('hashes the raw bytes: the same JSON re-serialised, another secret, path or nonce does not match', () => {
    const sig = 'ccd3b527675614b4ab3cc3522532792d0986bfb696be6bb9386bcd9b55039596';
    expect(signatureMatches(vector.secret, { ...vector, rawBody: JSON.stringify(JSON.parse(vector.rawBody), null, 1) }, sig)).toBe(false);
    expect(signatureMatches('partner-secret-0002', vector, sig)).toBe(false);
    expect(signatureMatches(vector.secret, { ...vector, path: '/v1/interprovincial/callbacks' }, sig)).toBe(false);
    expect(signatureMatches(vector.secret, { ...vector, nonce: 'a1b2c3d4e5f60718293a4b5d' }, sig)).toBe(false);
    expect(signatureMatches(vector.secret, vector, sig.toUpperCase())).toBe(false);
    expect(signatureMatches(vector.secret, vector, 'abc')).toBe(false);
  });

  it('an empty body hashes the empty string', () => {
    expect(bodyHash('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('accepts timestamps within 300 s either way and nonces of 16–64 characters', () => {
    const h = (over: Record<string, string>) => ({ 'x-hpf-center': '110000', 'x-hpf-timestamp': '1795000000', 'x-hpf-nonce': vector.nonce, 'x-hpf-signature': 'a'.repeat(64), ...over });
    expect(readSignatureHeaders(h({}), 1795000300)).toBeDefined();
    expect(readSignatureHeaders(h({}), 1794999700)).toBeDefined();
    expect(readSignatureHeaders(h({}), 1795000301)).toBeUndefined();
    expect(readSignatureHeaders(h({}), 1794999699)).toBeUndefined();
    expect(readSignatureHeaders(h({ 'x-hpf-nonce': 'x'.repeat(15) }), 1795000000)).toBeUndefined();
    expect(readSignatureHeaders(h({ 'x-hpf-nonce': 'x'.repeat(16) }), 1795000000)).toBeDefined();
    expect(readSignatureHeaders(h({ 'x-hpf-nonce': 'x'.repeat(64) }), 1795000000)).toBeDefined();
    expect(readSignatureHeaders(h({ 'x-hpf-nonce': 'x'.repeat(65) }), 1795000000)).toBeUndefined();
    expect(readSignatureHeaders(h({ 'x-hpf-center': '' }), 1795000000)).toBeUndefined();
    expect(readSignatureHeaders(h({ 'x-hpf-timestamp': '1795000000.5' }), 1795000000)).toBeUndefined();
  });

  it('signs outgoing calls so that the receiver verifies them', () => {
    const headers = signedHeaders('330100', vector.secret, { method: 'POST', path: vector.path, rawBody: vector.rawBody }, 1795000000);
    expect(headers['x-hpf-center']).toBe('330100');
    expect(headers['x-hpf-timestamp']).toBe('1795000000');
    const parsed = readSignatureHeaders(headers, 1795000000)!;
    expect(signatureMatches(vector.secret, { method: 'POST', path: vector.path, timestamp: parsed.timestamp, nonce: parsed.nonce, rawBody: vector.rawBody }, parsed.signature)).toBe(true);
  });
});
