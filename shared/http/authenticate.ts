// Who calls, by the route's `auth`: `jwt` (the default) takes the caller from the claims API
// Gateway's JWT authoriser passed on; `jwt-or-partner` verifies a bearer token itself when one came
// (without one the handler verifies the partner's signature); `partner` and `none` ask nothing here.
// A caller must hold one of the route's roles and the claim its role cannot act without.
import { callerFromClaims, callerFromEvent, missingClaim, type Caller } from '../auth.ts';
import { bearerToken, verifyBearer } from '../bearer.ts';
import { DomainError } from '../errors.ts';
import { specOf, type HttpMiddleware, type RouteSpec } from './types.ts';

function admit(caller: Caller | undefined, spec: RouteSpec<any, any>): Caller {
  if (!caller) throw new DomainError('UNAUTHENTICATED', 'A valid bearer token is required / 需要有效的令牌');
  if (spec.roles && !spec.roles.includes(caller.role)) throw new DomainError('FORBIDDEN', 'Not allowed for this role / 当前角色无权办理');
  // deny by default: a staff token without `branch`, a unit token without `unitId` acts nowhere
  const claim = missingClaim(caller);
  if (claim) throw new DomainError('FORBIDDEN', `The token lacks the ${claim} claim its role needs / 令牌缺少该角色所需的 ${claim} 声明`);
  return caller;
}

export function authenticate(): HttpMiddleware {
  return {
    before: async ({ event, context }) => {
      const state = context.http;
      const spec = specOf(state);
      const auth = spec.auth ?? 'jwt';
      if (auth === 'jwt') {
        state.caller = admit(callerFromEvent(event), spec);
      } else if (auth === 'jwt-or-partner' && state.headers.authorization) {
        const token = bearerToken(state.headers.authorization);
        state.caller = admit(token ? callerFromClaims(await verifyBearer(token)) : undefined, spec);
      }
    },
  };
}

/** A call whose body a signature covers (partner, bank): its handler verifies the raw bytes before anything reads them. */
export const isSigned = (spec: RouteSpec<any, any>, caller: Caller | undefined) => spec.auth === 'partner' || (spec.auth === 'jwt-or-partner' && !caller);
