// Development tokens: HS256 with HPF_JWT_SECRET (a documented default), iss hpf-local, aud hpf-api.
import { SignJWT, jwtVerify, type JWTPayload } from 'jose';

export const DEFAULT_DEV_SECRET = 'hpf-local-dev-secret-do-not-use-in-production';
export const ISSUER = 'hpf-local';
export const AUDIENCE = 'hpf-api';

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

/** Verifies as API Gateway's JWT authoriser would; returns the claims or undefined. `alg: none`, forged, expired, wrong iss/aud: undefined. */
export async function verifyToken(token: string, secret?: string): Promise<Record<string, unknown> | undefined> {
  try {
    const { payload } = await jwtVerify(token, key(secret), { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'], requiredClaims: ['exp', 'sub'] });
    return payload as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
