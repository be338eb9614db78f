// The route of the request: API Gateway's routeKey (`POST /v1/units`) names it; an unknown one is a
// 404 before anything else is asked of the caller.
import { DomainError } from '../errors.ts';
import type { HttpMiddleware, RouteSpec } from './types.ts';

export function router(routes: Record<string, RouteSpec<any, any>>): HttpMiddleware {
  return {
    before: ({ event, context }) => {
      const spec = routes[event.routeKey];
      if (!spec) throw new DomainError('NOT_FOUND', `No route ${event.requestContext?.http?.method ?? ''} ${event.rawPath ?? ''} / 路由不存在`);
      context.http.spec = spec;
    },
  };
}
