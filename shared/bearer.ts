// Bearer-token verification for routes that accept either a JWT or a partner signature
// (`jwt-or-partner`): API Gateway's JWT authoriser cannot make a token optional, so these
// handlers verify it themselves, with the same rules as the authoriser — iss, aud, exp, a named
// algorithm. In the cloud the keys come from the issuer's JWKS (HPF_JWT_JWKS_URL); locally the
// HS256 development secret (HPF_JWT_SECRET, default below). The local gateway uses this too.
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';

export const DEFAULT_DEV_SECRET = 'hpf-local-dev-secret-do-not-use-in-production';
export const LOCAL_ISSUER = 'hpf-local';
export const AUDIENCE = 'hpf-api';

let jwks: { url: string; get: JWTVerifyGetKey } | undefined;

/** The verified claims, or undefined for a forged, expired, `alg: none` or foreign token. */
export async function verifyBearer(token: string, secret?: string): Promise<Record<string, unknown> | undefined> {
  const issuer = process.env.HPF_JWT_ISSUER ?? LOCAL_ISSUER;
  const audience = process.env.HPF_JWT_AUDIENCE ?? AUDIENCE;
  const jwksUrl = process.env.HPF_JWT_JWKS_URL;
  try {
    if (jwksUrl) {
      if (jwks?.url !== jwksUrl) jwks = { url: jwksUrl, get: createRemoteJWKSet(new URL(jwksUrl)) };
      const { payload } = await jwtVerify(token, jwks.get, { issuer, audience, algorithms: ['RS256', 'ES256'], requiredClaims: ['exp', 'sub'] });
      return payload as Record<string, unknown>;
    }
    const key = new TextEncoder().encode(secret ?? process.env.HPF_JWT_SECRET ?? DEFAULT_DEV_SECRET);
    const { payload } = await jwtVerify(token, key, { issuer, audience, algorithms: ['HS256'], requiredClaims: ['exp', 'sub'] });
    return payload as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** `Authorization: Bearer <token>` → the token, or undefined. */
export const bearerToken = (authorization: string | undefined) => /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
