// The OpenAPI document is generated from the zod schemas, covers every topology route, validates as
// OpenAPI 3.1, and the served copy is not stale.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { buildOpenApi, OPENAPI_FILE } from '../../infra/openapi.ts';
import { routes } from '../../infra/topology.ts';
import { call } from '../support/http.ts';

describe('OpenAPI', () => {
  it('validates as OpenAPI 3.1 and documents every route', async () => {
    const doc = await buildOpenApi();
    const result = await new Validator().validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    for (const r of routes) expect(doc.paths[r.path]?.[r.method.toLowerCase()], `${r.method} ${r.path}`).toBeDefined();
    const documented = Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
    expect(documented).toBe(routes.length);
  });

  it('the served document is the generated one (run `npm run openapi` after changing a schema)', async () => {
    const generated = JSON.parse(JSON.stringify(await buildOpenApi()));
    expect(JSON.parse(readFileSync(OPENAPI_FILE, 'utf8'))).toEqual(generated);
    const served = await call('GET', '/v1/openapi.json');
    expect(served.status).toBe(200);
    expect(served.body).toEqual(generated);
  });
});
