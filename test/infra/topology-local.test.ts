// Every route of the topology is served by the local runtime: the gateway matches it and the named
// function's handler has the route; no function serves a route the topology lacks.
import { describe, it, expect } from 'vitest';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { routes, functions, routeKey, schedules, queues } from '../../infra/topology.ts';
import { matchRoute } from '../../infra/local/gateway.ts';
import { firesAt } from '../../infra/local/scheduler.ts';

const load = async (entry: string) => import(pathToFileURL(resolve(entry)).href);

describe('topology ↔ local runtime', () => {
  it('the gateway matches every route to its function', () => {
    for (const r of routes) {
      const concrete = r.path.replace(/\{(\w+)\}/g, 'X1');
      expect(matchRoute(r.method, concrete)?.def, routeKey(r)).toBe(r);
    }
  });

  it('each HTTP function serves exactly the routes the topology gives it', async () => {
    for (const f of functions.filter((x) => x.kind === 'http')) {
      const mod = await load(f.entry);
      const served = [...(mod[f.handler].routeKeys as string[])].sort();
      const declared = routes.filter((r) => r.fn === f.name).map(routeKey).sort();
      expect(served, f.name).toEqual(declared);
    }
  });

  it('every queue and schedule entry point exists', async () => {
    for (const f of functions.filter((x) => x.kind !== 'http')) {
      const mod = await load(f.entry);
      expect(typeof mod[f.handler], `${f.entry}#${f.handler}`).toBe('function');
    }
    for (const q of queues) expect(functions.some((f) => f.name === q.consumer && f.kind === 'queue')).toBe(true);
    for (const s of schedules) expect(functions.some((f) => f.name === s.target && f.kind === 'schedule')).toBe(true);
  });

  it('the local scheduler reads the cron expressions in Asia/Shanghai', () => {
    const started = new Date('2026-01-01T00:00:00Z');
    // 02:00 in Shanghai is 18:00 UTC the day before
    expect(firesAt('cron(0 2 * * ? *)', new Date('2026-03-09T18:00:00Z'), started)).toBe(true);
    expect(firesAt('cron(0 2 * * ? *)', new Date('2026-03-10T02:00:00Z'), started)).toBe(false);
    // June 30, 23:00 Shanghai = 15:00 UTC
    expect(firesAt('cron(0 23 30 6 ? *)', new Date('2026-06-30T15:00:00Z'), started)).toBe(true);
    expect(firesAt('cron(0 23 30 6 ? *)', new Date('2026-07-30T15:00:00Z'), started)).toBe(false);
    expect(firesAt('rate(1 minute)', new Date('2026-01-01T00:03:00Z'), started)).toBe(true);
  });
});
