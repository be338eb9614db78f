// A small HTTP client for end-to-end tests against the local runtime's gateway.
import { inject } from 'vitest';
import { randomUUID } from 'node:crypto';
import { mintToken, type TokenClaims } from '../../infra/local/jwt.ts';

export const baseUrl = () => inject('baseUrl');

export interface Res<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export async function call<T = any>(method: string, path: string, opts: { token?: string; body?: unknown; rawBody?: string; idem?: string | false; headers?: Record<string, string> } = {}): Promise<Res<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined || opts.rawBody !== undefined) headers['content-type'] ??= 'application/json';
  if (opts.idem !== false && method !== 'GET') headers['idempotency-key'] ??= opts.idem ?? randomUUID();
  const res = await fetch(`${baseUrl()}${path}`, { method, headers, body: opts.rawBody ?? (opts.body !== undefined ? JSON.stringify(opts.body) : undefined) });
  const text = await res.text();
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body, headers: res.headers };
}

export const token = (claims: Partial<TokenClaims> & { role: TokenClaims['role'] }) => mintToken({ sub: claims.sub ?? `${claims.role}-${randomUUID()}`, ...claims });
export const staffToken = (branch = '*') => token({ role: 'staff', branch });
export const adminToken = () => token({ role: 'admin' });
export const auditorToken = () => token({ role: 'auditor' });
export const memberToken = (accountNo: string) => token({ role: 'member', accountNo, sub: `member-${accountNo}` });
export const unitToken = (unitId: string) => token({ role: 'unit', unitId, sub: `unit-${unitId}` });
