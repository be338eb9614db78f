// A pretend commissioned bank (委托银行) for the local runtime, speaking the protocol of api.md →
// "Banks (委托银行) and settlement", so that the settlement code cannot tell it from a real bank:
//   POST /v1/payments          our signed payment order → 202, idempotent by paymentId; after
//                              `settleDelayMs` the result is POSTed, signed by the bank, to
//                              {centerUrl}/v1/bank/payment-results (a payee account ending in 0000
//                              fails with ACCOUNT_NOT_FOUND), retried with back-off until a 2xx
//   GET  /v1/statements        our signed call: ?accountNo=&date= → { lines }
//   POST /_local/bank/arrivals a unit paid: a CREDIT line and a signed arrival notice to
//                              {centerUrl}/v1/bank/notifications (also `arrive()`)
// and, for tests only, unsigned control routes on its own server:
//   GET  /_local/bank/payments                          what it received and what it answered
//   POST /_local/bank/payments/{paymentId}/resend-result the same result delivered once more
//   POST /_local/bank/notifications/{id}/resend           the same arrival notice once more
//   POST /_local/bank/statement-lines                     a line no notice or payment made
// Loopback only; state in memory. Our calls are verified with shared/signature.ts.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { readSignatureHeaders, signatureMatches, signedHeaders, TIMESTAMP_WINDOW_SECONDS } from '../../shared/signature.ts';
import { MAX_AMOUNT_FEN, YUAN_PATTERN, yuanToFen, fenToYuan } from '../../shared/money.ts';
import { businessDate } from '../../shared/clock.ts';

export type AccountPurpose = 'COLLECTION' | 'PAYMENT';
export interface StatementLine { lineId: string; direction: 'CREDIT' | 'DEBIT'; amount: string; reference: string; valueDate: string; accountNo: string }
export interface PaymentOrder { paymentId: string; fromAccountNo: string; payeeName: string; payeeAccount: string; amount: string; purpose: string; reference: string }
export interface PaymentResult { paymentId: string; status: 'SETTLED' | 'FAILED'; bankRef: string; settledAt?: string; failure?: { code: 'ACCOUNT_NOT_FOUND'; message: string } }
/** Delivery of one signed POST to the center: attempts so far, the last HTTP status (0: no answer). */
export interface Delivery { attempts: number; lastStatus: number; delivered: boolean; gaveUp: boolean }
export interface ReceivedPayment { order: PaymentOrder; receivedAt: string; timesReceived: number; result?: PaymentResult; delivery: Delivery }
export interface ArrivalInput { accountNo?: string; amount: string; reference: string; payerName: string; payerAccount: string; valueDate?: string }
export interface BankSimulator {
  url: string;
  bankCode: string;
  sharedSecret: string;
  accounts: { accountNo: string; purpose: AccountPurpose }[];
  arrive(input: ArrivalInput): Promise<{ status: number; body: unknown; notificationId: string }>;
  payments(): readonly ReceivedPayment[];
  statement(accountNo: string, date: string): StatementLine[];
  /** Delivers a payment's result once more (a bank sending it twice); the center's HTTP status. */
  resendResult(paymentId: string): Promise<number>;
  /** Delivers an arrival notice once more; the center's answer. */
  resendNotice(notificationId: string): Promise<{ status: number; body: unknown }>;
  /** A statement line no notice or payment made (a stray line for reconciliation). */
  addStatementLine(line: Omit<StatementLine, 'lineId'>): StatementLine;
  stop(): Promise<void>;
}
export interface BankSimulatorOptions {
  port?: number; centerUrl: string; centerCode: string; bankCode?: string; sharedSecret?: string; host?: string;
  /** How long a payment takes to settle (ms; a function draws it per payment, so results come back out of order). */
  settleDelayMs?: number | (() => number);
  accounts?: { accountNo: string; purpose: AccountPurpose }[];
  /** Bounded retry of a result or notice POST: attempts (default 8) and first back-off (default 100 ms, doubling, ≤ 2 s). */
  maxDeliveryAttempts?: number; retryBaseMs?: number;
}

export const DEFAULT_ACCOUNTS = [
  { accountNo: '6222020000000001001', purpose: 'COLLECTION' as const },
  { accountNo: '6222020000000002001', purpose: 'PAYMENT' as const },
];
const MAX_BODY_BYTES = 64 * 1024;
const id = (prefix: string) => `${prefix}${Date.now().toString(36).toUpperCase()}${randomBytes(5).toString('hex').toUpperCase()}`;

// ---------- pure helpers ----------
const str = (v: unknown, max: number): v is string => typeof v === 'string' && v.trim().length > 0 && v.length <= max;
/** A yuan amount the bank accepts: strict form, > 0, ≤ the API maximum. */
export const validAmount = (v: unknown): v is string => typeof v === 'string' && YUAN_PATTERN.test(v) && yuanToFen(v) > 0 && yuanToFen(v) <= MAX_AMOUNT_FEN;
const validAccountNo = (v: unknown): v is string => typeof v === 'string' && /^[0-9]{8,32}$/.test(v);
/** The problem of a payment order body, or undefined when it is well formed. */
export function orderProblem(b: unknown): string | undefined {
  if (typeof b !== 'object' || b === null || Array.isArray(b)) return 'body must be an object';
  const o = b as Record<string, unknown>;
  if (!str(o.paymentId, 64)) return 'paymentId';
  if (!validAccountNo(o.fromAccountNo)) return 'fromAccountNo';
  if (!str(o.payeeName, 100)) return 'payeeName';
  if (!validAccountNo(o.payeeAccount)) return 'payeeAccount';
  if (!validAmount(o.amount)) return 'amount';
  if (!str(o.purpose, 64)) return 'purpose';
  if (!str(o.reference, 128)) return 'reference';
  return undefined;
}
/** A payee account ending in 0000 does not exist at the receiving bank. */
export const payeeFails = (payeeAccount: string): boolean => payeeAccount.endsWith('0000');
const sameOrder = (a: PaymentOrder, b: PaymentOrder) =>
  a.fromAccountNo === b.fromAccountNo && a.payeeName === b.payeeName && a.payeeAccount === b.payeeAccount && yuanToFen(a.amount) === yuanToFen(b.amount) && a.purpose === b.purpose && a.reference === b.reference;
const backoffMs = (base: number, attempt: number) => Math.min(base * 2 ** (attempt - 1), 2_000);

export async function startBankSimulator(opts: BankSimulatorOptions): Promise<BankSimulator> {
  const bankCode = opts.bankCode ?? 'SIMBANK';
  const sharedSecret = opts.sharedSecret ?? randomBytes(32).toString('hex');
  const accounts = (opts.accounts ?? DEFAULT_ACCOUNTS).map((a) => ({ ...a }));
  const settleDelay = opts.settleDelayMs ?? 50;
  const settleDelayMs = () => (typeof settleDelay === 'function' ? settleDelay() : settleDelay);
  const maxAttempts = opts.maxDeliveryAttempts ?? 8;
  const retryBaseMs = opts.retryBaseMs ?? 100;
  const centerUrl = opts.centerUrl.replace(/\/+$/, '');
  const received = new Map<string, ReceivedPayment>();
  const notices = new Map<string, Record<string, string>>();
  const lines: StatementLine[] = [];
  const nonces = new Map<string, number>(); // nonce → expiry (Unix seconds)
  const timers = new Map<NodeJS.Timeout, () => void>(); // pending waits, released by stop()
  let stopping = false;

  const isAccount = (no: unknown, purpose: AccountPurpose) => accounts.some((a) => a.accountNo === no && a.purpose === purpose);
  const addLine = (l: Omit<StatementLine, 'lineId'>): StatementLine => {
    const line = { lineId: id('L'), ...l, amount: fenToYuan(yuanToFen(l.amount)) };
    lines.push(line);
    return line;
  };
  const later = (ms: number) => new Promise<void>((r) => { const t = setTimeout(() => { timers.delete(t); r(); }, ms); timers.set(t, r); });

  /** One signed POST by the bank to the center: the HTTP status (0: no answer) and the parsed body. */
  async function post(path: string, payload: unknown): Promise<{ status: number; body: unknown }> {
    const rawBody = JSON.stringify(payload);
    const { 'x-hpf-center': _, ...sig } = signedHeaders(bankCode, sharedSecret, { method: 'POST', path, rawBody });
    try {
      const res = await fetch(centerUrl + path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hpf-bank': bankCode, ...sig }, body: rawBody });
      const text = await res.text();
      let body: unknown = text;
      try { body = text ? JSON.parse(text) : undefined; } catch { /* not JSON: kept as text */ }
      return { status: res.status, body };
    } catch {
      return { status: 0, body: undefined };
    }
  }
  /** POSTs until a 2xx, with back-off, at most `maxAttempts` times; a 400 or 422 (the center refused
   *  these bytes: sending them again changes nothing) ends it at once. */
  async function deliver(path: string, payload: unknown, d: Delivery): Promise<{ status: number; body: unknown }> {
    let last = { status: 0, body: undefined as unknown };
    while (!stopping && d.attempts < maxAttempts) {
      d.attempts += 1;
      last = await post(path, payload);
      d.lastStatus = last.status;
      if (last.status >= 200 && last.status < 300) { d.delivered = true; return last; }
      if (last.status === 400 || last.status === 422) break;
      await later(backoffMs(retryBaseMs, d.attempts));
    }
    d.gaveUp = !d.delivered;
    return last;
  }

  async function settle(p: ReceivedPayment) {
    await later(settleDelayMs());
    if (stopping) return;
    const at = new Date();
    const bankRef = id('SIM');
    if (payeeFails(p.order.payeeAccount)) {
      p.result = { paymentId: p.order.paymentId, status: 'FAILED', bankRef, failure: { code: 'ACCOUNT_NOT_FOUND', message: `收款账户不存在: ${p.order.payeeAccount}` } };
    } else {
      p.result = { paymentId: p.order.paymentId, status: 'SETTLED', bankRef, settledAt: at.toISOString() };
      addLine({ accountNo: p.order.fromAccountNo, direction: 'DEBIT', amount: p.order.amount, reference: p.order.paymentId, valueDate: businessDate(at) });
    }
    await deliver('/v1/bank/payment-results', p.result, p.delivery);
  }

  async function arrive(input: ArrivalInput) {
    const accountNo = input.accountNo ?? accounts.find((a) => a.purpose === 'COLLECTION')?.accountNo;
    if (!isAccount(accountNo, 'COLLECTION')) throw new ArrivalError(422, 'accountNo is not a COLLECTION account of this bank');
    if (!validAmount(input.amount)) throw new ArrivalError(400, 'amount');
    if (!str(input.reference, 128) || !str(input.payerName, 100) || !str(input.payerAccount, 64)) throw new ArrivalError(400, 'reference, payerName and payerAccount are required');
    const valueDate = input.valueDate ?? businessDate();
    if (!/^\d{4}-\d{2}-\d{2}$/.test(valueDate)) throw new ArrivalError(400, 'valueDate');
    const notificationId = id('N');
    const amount = fenToYuan(yuanToFen(input.amount));
    addLine({ accountNo: accountNo!, direction: 'CREDIT', amount, reference: notificationId, valueDate });
    const notice = { notificationId, accountNo: accountNo!, amount, valueDate, payerName: input.payerName, payerAccount: input.payerAccount, reference: input.reference };
    notices.set(notificationId, notice);
    const answer = await deliver('/v1/bank/notifications', notice, { attempts: 0, lastStatus: 0, delivered: false, gaveUp: false });
    return { ...answer, notificationId };
  }

  /** Our signature over the request (the bank's shared secret, our center code, a fresh nonce). */
  function verified(req: IncomingMessage, path: string, rawBody: string): boolean {
    const nowS = Math.floor(Date.now() / 1000);
    const h = readSignatureHeaders(req.headers as Record<string, string | undefined>, nowS);
    if (!h || h.center !== opts.centerCode) return false;
    if (!signatureMatches(sharedSecret, { method: req.method ?? '', path, timestamp: h.timestamp, nonce: h.nonce, rawBody }, h.signature)) return false;
    for (const [n, exp] of nonces) if (exp < nowS) nonces.delete(n);
    if (nonces.has(h.nonce)) return false;
    nonces.set(h.nonce, nowS + 2 * TIMESTAMP_WINDOW_SECONDS);
    return true;
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const send = (status: number, body: unknown) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
    const error = (status: number, code: string, message: string) => send(status, { error: { code, message } });
    const url = new URL(req.url ?? '/', 'http://bank.local');
    const path = url.pathname;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) { size += (c as Buffer).length; if (size > MAX_BODY_BYTES) return error(413, 'VALIDATION_ERROR', 'body too large'); chunks.push(c as Buffer); }
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const json = (): unknown => { try { return JSON.parse(rawBody); } catch { return undefined; } };

    if (req.method === 'POST' && path === '/v1/payments') {
      if (!verified(req, path, rawBody)) return error(401, 'SIGNATURE_INVALID', 'signature invalid');
      const body = json();
      const problem = orderProblem(body);
      if (problem) return error(400, 'VALIDATION_ERROR', `invalid payment order: ${problem}`);
      const b = body as PaymentOrder;
      const order: PaymentOrder = { paymentId: b.paymentId, fromAccountNo: b.fromAccountNo, payeeName: b.payeeName, payeeAccount: b.payeeAccount, amount: b.amount, purpose: b.purpose, reference: b.reference };
      if (!isAccount(order.fromAccountNo, 'PAYMENT')) return error(422, 'ACCOUNT_NOT_FOUND', 'fromAccountNo is not a PAYMENT account of this bank');
      const known = received.get(order.paymentId);
      if (known) {
        if (!sameOrder(known.order, order)) return error(409, 'CONFLICT', 'paymentId already used for another order');
        known.timesReceived += 1;
        return send(202, { paymentId: order.paymentId, status: 'ACCEPTED' });
      }
      const p: ReceivedPayment = { order, receivedAt: new Date().toISOString(), timesReceived: 1, delivery: { attempts: 0, lastStatus: 0, delivered: false, gaveUp: false } };
      received.set(order.paymentId, p);
      void settle(p);
      return send(202, { paymentId: order.paymentId, status: 'ACCEPTED' });
    }
    if (req.method === 'GET' && path === '/v1/statements') {
      if (!verified(req, path, rawBody)) return error(401, 'SIGNATURE_INVALID', 'signature invalid');
      const accountNo = url.searchParams.get('accountNo') ?? '';
      const date = url.searchParams.get('date') ?? '';
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return error(400, 'VALIDATION_ERROR', 'date');
      if (!accounts.some((a) => a.accountNo === accountNo)) return error(404, 'NOT_FOUND', 'account');
      return send(200, { lines: sim.statement(accountNo, date).map(({ accountNo: _, ...l }) => l) });
    }
    if (req.method === 'POST' && path === '/_local/bank/arrivals') {
      try {
        const r = await arrive((json() ?? {}) as ArrivalInput);
        return send(200, { notificationId: r.notificationId, centerStatus: r.status, centerAnswer: r.body });
      } catch (e) {
        if (e instanceof ArrivalError) return error(e.status, e.status === 422 ? 'ACCOUNT_NOT_FOUND' : 'VALIDATION_ERROR', e.message);
        throw e;
      }
    }
    if (req.method === 'GET' && path === '/_local/bank/payments') return send(200, { payments: sim.payments() });
    const resend = /^\/_local\/bank\/(payments|notifications)\/([^/]+)\/(resend-result|resend)$/.exec(path);
    if (req.method === 'POST' && resend) {
      const key = decodeURIComponent(resend[2]!);
      if (resend[1] === 'payments' && resend[3] === 'resend-result') {
        if (!received.get(key)?.result) return error(404, 'NOT_FOUND', 'no result for this payment yet');
        return send(200, { centerStatus: await sim.resendResult(key) });
      }
      if (resend[1] === 'notifications' && resend[3] === 'resend') {
        if (!notices.has(key)) return error(404, 'NOT_FOUND', 'notification');
        const r = await sim.resendNotice(key);
        return send(200, { centerStatus: r.status, centerAnswer: r.body });
      }
    }
    if (req.method === 'POST' && path === '/_local/bank/statement-lines') {
      const b = (json() ?? {}) as Omit<StatementLine, 'lineId'>;
      if (!accounts.some((a) => a.accountNo === b.accountNo) || (b.direction !== 'CREDIT' && b.direction !== 'DEBIT') || !validAmount(b.amount) || !str(b.reference, 128) || !/^\d{4}-\d{2}-\d{2}$/.test(String(b.valueDate))) {
        return error(400, 'VALIDATION_ERROR', '{ accountNo, direction, amount, reference, valueDate }');
      }
      return send(201, sim.addStatementLine(b));
    }
    return error(404, 'NOT_FOUND', `${req.method} ${path}`);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => { if (!res.headersSent) { res.writeHead(500, { 'content-type': 'application/json' }); res.end(JSON.stringify({ error: { code: 'INTERNAL', message: String(e) } })); } });
  });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve()); });
  const addr = server.address() as AddressInfo;

  const sim: BankSimulator = {
    url: `http://${addr.address}:${addr.port}`,
    bankCode,
    sharedSecret,
    accounts,
    arrive,
    payments: () => [...received.values()].map((p) => structuredClone(p)),
    statement: (accountNo, date) => lines.filter((l) => l.accountNo === accountNo && l.valueDate === date).map((l) => ({ ...l })),
    async resendResult(paymentId) {
      const p = received.get(paymentId);
      if (!p?.result) throw new Error(`no result for payment ${paymentId}`);
      return (await post('/v1/bank/payment-results', p.result)).status;
    },
    async resendNotice(notificationId) {
      const n = notices.get(notificationId);
      if (!n) throw new Error(`no notification ${notificationId}`);
      return post('/v1/bank/notifications', n);
    },
    addStatementLine: addLine,
    async stop() {
      stopping = true;
      for (const [t, release] of timers) { clearTimeout(t); release(); }
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  return sim;
}

class ArrivalError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}
