import { describe, it, expect } from 'vitest';
import { call } from '../support/http.ts';

describe('GET /v1/health', () => {
  it('reports the store and the queues', async () => {
    const res = await call('GET', '/v1/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', checks: { store: 'ok', queues: 'ok' } });
    expect(typeof res.body.version).toBe('string');
  });
});
