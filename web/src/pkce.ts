// Authorization code + PKCE (RFC 7636) against the configured OpenID Connect issuer: pure helpers.
// The verifier lives in sessionStorage only for the redirect round trip; tokens stay in memory.

const b64url = (bytes: Uint8Array) => {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};

/** A random code verifier: 32 random bytes, base64url (43 characters, within RFC 7636's 43–128). */
export function newVerifier(random: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n))): string {
  return b64url(random(32));
}

/** S256 challenge: BASE64URL(SHA-256(ASCII(verifier))). */
export async function challengeOf(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return b64url(new Uint8Array(digest));
}

export interface AuthorizeParams {
  authorizationEndpoint: string;
  clientId: string;
  redirectUri: string;
  challenge: string;
  state: string;
  scope?: string;
  /** The API the access token is for (its `aud`, the API's JWT authoriser checks it): issuers such as Auth0 or Keycloak ask for it. */
  audience?: string;
}

/** The authorization request URL (response_type=code, code_challenge_method=S256, and the token's audience when given). */
export function authorizeUrl(p: AuthorizeParams): string {
  const u = new URL(p.authorizationEndpoint);
  u.searchParams.set('response_type', 'code');
  u.searchParams.set('client_id', p.clientId);
  u.searchParams.set('redirect_uri', p.redirectUri);
  u.searchParams.set('scope', p.scope ?? 'openid');
  u.searchParams.set('state', p.state);
  u.searchParams.set('code_challenge', p.challenge);
  u.searchParams.set('code_challenge_method', 'S256');
  if (p.audience) u.searchParams.set('audience', p.audience);
  return u.toString();
}

/** The token request body exchanging the code (form-encoded). */
export function tokenRequestBody(p: { code: string; verifier: string; clientId: string; redirectUri: string }): string {
  return new URLSearchParams({ grant_type: 'authorization_code', code: p.code, code_verifier: p.verifier, client_id: p.clientId, redirect_uri: p.redirectUri }).toString();
}

/** The claims of a JWT (not verified: the API verifies; the console only decides what to show). */
export function decodeClaims(token: string): Record<string, unknown> {
  const part = token.split('.')[1] ?? '';
  const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
}
