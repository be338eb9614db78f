// The Idempotency-Key contract of an idempotent route: the key is required and of a bounded
// alphabet; the request's hash (method, path, canonical body) and the caller's scope go to `commit`,
// which stores the first answer and replays it (shared/tx.ts). Stored records hold this hash: its
// recipe must not change.
import { createHash } from 'node:crypto';
import { idempotencyScope, type Caller } from '../auth.ts';
import { canonicalJson } from '../canonical.ts';
import { DomainError } from '../errors.ts';
import { isEmptyObject } from './parse.ts';
import { specOf, type HttpEvent, type HttpMiddleware, type RouteSpec } from './types.ts';

export const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{1,128}$/;

/** SHA-256 of method, path and the canonical JSON of the body as sent (null for none or a bodiless route's `{}`). */
export function requestHash(event: HttpEvent, spec: RouteSpec<any, any>, value: unknown): string {
  return createHash('sha256').update(`${event.requestContext.http.method}\n${event.rawPath}\n${canonicalJson(spec.body || !isEmptyObject(value) ? (value ?? null) : null)}`).digest('hex');
}

/**
 * Whose keys these are: scoped by who calls AND what the token says they are (a token of the same
 * `sub` with other claims, another branch, never meets the stored answer of a record it may not
 * see); a partner's by its center code.
 */
export const scopeOf = (caller: Caller | undefined, headers: Record<string, string>) => (caller ? idempotencyScope(caller) : `partner:${headers['x-hpf-center'] ?? 'anonymous'}`);

export function idempotency(): HttpMiddleware {
  return {
    before: ({ event, context }) => {
      const state = context.http;
      const spec = specOf(state);
      if (!spec.idempotent) return;
      const key = state.headers['idempotency-key'];
      if (!key) throw new DomainError('IDEMPOTENCY_KEY_MISSING', 'Idempotency-Key header is required / 缺少幂等键');
      if (!IDEMPOTENCY_KEY.test(key)) throw new DomainError('VALIDATION_FAILED', 'Idempotency-Key must be 1–128 of [A-Za-z0-9_.:-]', [{ path: 'Idempotency-Key', message: 'invalid format' }]);
      const hash = requestHash(event, spec, state.value);
      state.idempotency = { scope: scopeOf(state.caller, state.headers), key, hash, status: spec.idempotent.status };
    },
  };
}
