// Development tokens: HS256 with HPF_JWT_SECRET (a documented default), iss hpf-local, aud hpf-api;
// and, for tests of the console's OIDC sign-in, tokens of an issuer on this machine trusted by its JWKS.
import { SignJWT, createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { DEFAULT_DEV_SECRET, LOCAL_ISSUER as ISSUER, AUDIENCE, verifyBearer } from '../../shared/bearer.ts';

export { DEFAULT_DEV_SECRET, ISSUER, AUDIENCE };

const key = (secret?: string) => new TextEncoder().encode(secret ?? process.env.HPF_JWT_SECRET ?? DEFAULT_DEV_SECRET);

export interface TokenClaims {
  sub: string;
  role: string;
  accountNo?: string;
  unitId?: string;
  branch?: string;
}

export async function mintToken(claims: TokenClaims, opts: { secret?: string; ttlSeconds?: number; issuer?: string; audience?: string } = {}): Promise<string> {
  const payload: JWTPayload = Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined));
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(opts.issuer ?? ISSUER)
    .setAudience(opts.audience ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${opts.ttlSeconds ?? 8 * 3600}s`)
    .sign(key(opts.secret));
}

/**
 * OpenID Connect issuers the local gateway trusts besides its own HS256 tokens, each by its JWKS on
 * this machine (POST /_local/oidc-issuers, local runtime only): how a test signs the console in
 * through a real authorization-code round trip. Their tokens are checked as the cloud's JWT
 * authoriser checks an issuer's: RS256/ES256 from the JWKS, `iss`, `aud` (hpf-api), `exp`, `sub`.
 */
const trusted = new Map<string, JWTVerifyGetKey>();

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Trusts `issuer`'s keys at `jwksUri` (a loopback http(s) URL), or stops trusting it (`jwksUri` undefined). */
export function trustIssuer(issuer: string, jwksUri?: string) {
  if (jwksUri === undefined) {
    trusted.delete(issuer);
    return;
  }
  const u = new URL(jwksUri);
  if (!/^https?:$/.test(u.protocol) || !LOOPBACK.has(u.hostname)) throw new Error('jwksUri must be an http(s) URL on this machine (127.0.0.1, localhost)');
  trusted.set(issuer, createRemoteJWKSet(u));
}

/** Verifies as API Gateway's JWT authoriser would; returns the claims or undefined. `alg: none`, forged, expired, wrong iss/aud: undefined. */
export async function verifyToken(token: string, secret?: string): Promise<Record<string, unknown> | undefined> {
  const own = await verifyBearer(token, secret);
  if (own || trusted.size === 0) return own;
  let iss: string | undefined;
  try {
    iss = decodeJwt(token).iss;
  } catch {
    return undefined;
  }
  const keys = iss ? trusted.get(iss) : undefined;
  if (!keys) return undefined;
  try {
    const { payload } = await jwtVerify(token, keys, { issuer: iss, audience: process.env.HPF_JWT_AUDIENCE ?? AUDIENCE, algorithms: ['RS256', 'ES256'], requiredClaims: ['exp', 'sub'] });
    return payload as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
