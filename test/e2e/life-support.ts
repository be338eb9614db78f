// Helpers of the whole-life tests (member-life, fund-month): everything goes through the public API
// of the running local runtime, and time moves only through its schedule control.
import { expect } from 'vitest';
import { createServer, type Server } from 'node:http';
import { call, baseUrl, staffToken, unitToken, memberToken, auditorToken, adminToken } from '../support/http.ts';
import { randomResidentId } from '../support/fixtures.ts';
import { registerUnit, pollUntil } from './deposits-fixtures.ts';
import { yuanToFen } from '../../shared/money.ts';
import { signedHeaders } from '../../shared/signature.ts';

export { call, staffToken, unitToken, memberToken, auditorToken, adminToken, registerUnit, pollUntil, randomResidentId, yuanToFen };

/** Fen of a (signed) yuan string of the API. */
export const fen = (y: string | null | undefined): number => (y === null || y === undefined ? 0 : y.startsWith('-') ? -yuanToFen(y.slice(1)) : yuanToFen(y));
export const yuan = (amountFen: number) => `${amountFen < 0 ? '-' : ''}${Math.floor(Math.abs(amountFen) / 100)}.${String(Math.abs(amountFen) % 100).padStart(2, '0')}`;

/** Expects a status, showing the body when it differs. */
export function ok<T = any>(res: { status: number; body: T }, status = 200): T {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return res.body;
}

/** Runs a schedule for a business day and waits until every queue it fed has drained. */
export async function runSchedule(name: string, date: string) {
  const res = await fetch(`${baseUrl()}/_local/schedules/${name}?wait=true`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ date }) });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  expect(body).toMatchObject({ schedule: name, date, drained: true });
  return body;
}

/** Hires a person into a unit and returns the account number. */
export async function hire(unitId: string, name: string, monthlyBase: string, startPeriod: string, idNumber = randomResidentId(`199${Math.floor(Math.random() * 10)}-0${1 + Math.floor(Math.random() * 9)}-1${Math.floor(Math.random() * 10)}`)) {
  const body = ok(await call('POST', `/v1/units/${unitId}/employees`, { token: await unitToken(unitId), body: { idNumber, name, monthlyBase, startPeriod } }), 201);
  return { accountNo: body.accountNo as string, idNumber, name };
}

/** Creates a unit's remittance list for a period and pays it; waits until it is POSTED. */
export async function remit(unitId: string, branch: string, period: string, kind: 'REGULAR' | 'BACKPAY' = 'REGULAR') {
  const created = ok(await call('POST', `/v1/units/${unitId}/remittances`, { token: await unitToken(unitId), body: { period, kind } }), 201);
  await settle(created.remittanceId, branch, created.totalAmount);
  return created;
}

export async function settle(remittanceId: string, branch: string, amount: string) {
  ok(await call('POST', `/v1/remittances/${remittanceId}/settlements`, { token: await staffToken(branch), body: { amount, bankRef: `BANK-${remittanceId}` } }), 202);
  const token = await staffToken(branch);
  const done = await pollUntil(() => call('GET', `/v1/remittances/${remittanceId}`, { token }), (r) => r.body?.status === 'POSTED', 60_000);
  expect(done.body.status).toBe('POSTED');
  return done.body;
}

/** Every entry of an account through the statement route (all pages), oldest first. */
export async function statement(accountNo: string, token: string) {
  const items: any[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: any[]; nextCursor: string | null } = ok(await call('GET', `/v1/accounts/${accountNo}/entries?limit=200${cursor ? `&cursor=${cursor}` : ''}`, { token }));
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items.reverse();
}

/** The account equals its entries: balance = Σ amounts, and each entry's balanceAfter is the running sum. */
export async function expectAccountEqualsEntries(accountNo: string) {
  const token = await staffToken();
  const account = ok(await call('GET', `/v1/accounts/${accountNo}`, { token }));
  const entries = await statement(accountNo, token);
  let running = 0;
  for (const e of entries) {
    running += fen(e.amount);
    expect(fen(e.balanceAfter), `entry ${e.entryId}`).toBe(running);
  }
  expect(fen(account.balance)).toBe(running);
  return { account, entries };
}

/** A partner center played by the test: its callbacks land here. */
export async function startPartner(code: string, secret: string) {
  const callbacks: any[] = [];
  const server: Server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      try {
        callbacks.push(JSON.parse(data));
      } catch {
        callbacks.push({ raw: data });
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const registered = await call('PUT', `/v1/interprovincial/partners/${code}`, { token: await adminToken(), body: { name: `Center ${code}`, callbackUrl: `http://127.0.0.1:${port}/callbacks`, settlementAccount: '6222020300009876543', sharedSecret: secret } });
  expect([200, 201], JSON.stringify(registered.body)).toContain(registered.status);
  const send = async (requestId: string, type: string, payload: unknown) => {
    const path = '/v1/interprovincial/requests';
    const rawBody = JSON.stringify({ requestId, type, payload });
    return call('POST', path, { rawBody, idem: false, headers: signedHeaders(code, secret, { method: 'POST', path, rawBody }) });
  };
  const poll = async (trackingId: string) => {
    const path = `/v1/interprovincial/requests/${trackingId}`;
    return call('GET', path, { idem: false, headers: signedHeaders(code, secret, { method: 'GET', path, rawBody: '' }) });
  };
  return { callbacks, send, poll, stop: () => new Promise<void>((r) => server.close(() => r())) };
}
