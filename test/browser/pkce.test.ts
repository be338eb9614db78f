// The console's sign-in in the cloud: authorization code + PKCE (RFC 7636), pure helpers.
import { describe, expect, it } from 'vitest';
import { authorizeUrl, challengeOf, decodeClaims, newVerifier, tokenRequestBody } from '../../web/src/pkce.ts';

describe('console PKCE helpers', () => {
  it('computes the S256 challenge of RFC 7636 appendix B', async () => {
    // the RFC's own example pair
    expect(await challengeOf('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('makes 43-character base64url verifiers, different each time', () => {
    const a = newVerifier();
    const b = newVerifier();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(newVerifier(() => new Uint8Array(32).fill(255))).toBe('_'.repeat(42) + '8');
  });

  it('builds the authorization request and the token request', () => {
    const u = new URL(authorizeUrl({ authorizationEndpoint: 'https://id.example.gov.cn/oauth2/authorize?tenant=hz', clientId: 'console', redirectUri: 'https://hpf.example.gov.cn/', challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', state: 's1' }));
    expect(u.origin + u.pathname).toBe('https://id.example.gov.cn/oauth2/authorize');
    expect(Object.fromEntries(u.searchParams)).toEqual({ tenant: 'hz', response_type: 'code', client_id: 'console', redirect_uri: 'https://hpf.example.gov.cn/', scope: 'openid', state: 's1', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' });
    // the token's audience (the API's JWT authoriser checks `aud`) and the configured scope
    const withAudience = new URL(authorizeUrl({ authorizationEndpoint: 'https://id.example.gov.cn/authorize', clientId: 'console', redirectUri: 'https://hpf.example.gov.cn/', challenge: 'c', state: 's2', audience: 'hpf-api', scope: 'openid profile' }));
    expect(withAudience.searchParams.get('audience')).toBe('hpf-api');
    expect(withAudience.searchParams.get('scope')).toBe('openid profile');
    const body = new URLSearchParams(tokenRequestBody({ code: 'c&1', verifier: 'v', clientId: 'console', redirectUri: 'https://hpf.example.gov.cn/' }));
    expect(Object.fromEntries(body)).toEqual({ grant_type: 'authorization_code', code: 'c&1', code_verifier: 'v', client_id: 'console', redirect_uri: 'https://hpf.example.gov.cn/' });
  });

  it('reads a token\'s claims, Chinese included', () => {
    const part = Buffer.from(JSON.stringify({ role: 'member', accountNo: '123456789012', name: '张三' })).toString('base64url');
    expect(decodeClaims(`h.${part}.s`)).toEqual({ role: 'member', accountNo: '123456789012', name: '张三' });
  });
});
