// Helpers of the deposits tests: valid credit codes and units registered over HTTP.
import { randomInt } from 'node:crypto';
import { expect } from 'vitest';
import { call, staffToken } from '../support/http.ts';
import { creditCodeOf, cryptoRandom } from '../../infra/local/random.ts';

/** A valid random unified social credit code (GB 32100). */
export const randomCreditCode = (): string => creditCodeOf(cryptoRandom(), '91330106');

export const uniqueBranch = (tag: string) => `${tag}${Date.now().toString(36)}${randomInt(0, 1e6).toString(36)}`.slice(0, 32);

/** Registers a unit (12% + 12%, start 2025-01 unless overridden) and returns it. */
export async function registerUnit(branch: string, overrides: Record<string, unknown> = {}) {
  const res = await call('POST', '/v1/units', {
    token: await staffToken(branch),
    body: { name: '测试单位', creditCode: randomCreditCode(), branch, payDay: 10, employerRate: '12', employeeRate: '12', startPeriod: '2025-01', ...overrides },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { unitId: string; branch: string; [k: string]: unknown };
}

/** Polls a GET until `done(body)` or the deadline. */
export async function pollUntil<T>(fetcher: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fetcher();
    if (done(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 150));
  }
}
