// Development tokens: HS256 with HPF_JWT_SECRET (a documented default), iss hpf-local, aud hpf-api.
import { SignJWT, type JWTPayload } from 'jose';
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

/** Verifies as API Gateway's JWT authoriser would; returns the claims or undefined. `alg: none`, forged, expired, wrong iss/aud: undefined. */
export const verifyToken = (token: string, secret?: string) => verifyBearer(token, secret);
