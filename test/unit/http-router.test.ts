// shared/http/router.ts alone: the route key names the spec; an unknown one is a 404.
import { describe, expect, it } from 'vitest';
import { router } from '../../shared/http/router.ts';
import { httpEvent, httpState, middyRequest, refusal, spec } from '../support/http-middleware.ts';

describe('http router middleware', () => {
  const units = spec({ roles: ['staff'] });
  const routes = { 'POST /v1/units': units, 'GET /v1/units/{unitId}': spec() };

  it('puts the spec of the route key on the state', () => {
    const state = httpState();
    router(routes).before!(middyRequest(httpEvent('POST /v1/units'), state));
    expect(state.spec).toBe(units);
  });

  it('answers an unknown route key NOT_FOUND, naming the method and path', async () => {
    const err = await refusal(() => router(routes).before!(middyRequest(httpEvent('DELETE /v1/units'), httpState())));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toBe('No route DELETE /v1/units / 路由不存在');
    expect(err.errors).toEqual([]);
  });

  it('names what it can when the event lacks its request context and path', async () => {
    const err = await refusal(() => router(routes).before!(middyRequest({ routeKey: '$default' } as never, httpState())));
    expect(err.message).toBe('No route   / 路由不存在');
  });
});
