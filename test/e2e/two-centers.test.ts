// Two centers end to end (跨省转移接续): center A is the test runtime (330100); center B (110000) is a
// second local runtime started here as a child process. A member moved from A to B: B's staff ask A
// for the transfer; A settles interest, moves the whole balance out and closes the account (04); A's
// signed callback makes B credit the member exactly once. Money is conserved but for A's interest.
// Each center keeps the pair's secret sealed (shared/secrets.ts): signatures still verify both ways.
// Then every service type (api.md v1.1 "Inter-provincial services, completed"): center B asks A about
// a member of A and gets exactly what A's own API says of that member; B's full prepayment closes A's
// loan and B receives the payoff certificate; a purchase withdrawal through B beyond A's property cap
// is refused; a transfer B withdraws (TRANSFER_CANCEL) moves no money on either side.
// B's requests for services are signed by the test as B's system would (B's API has no route that
// sends them); A's callbacks reach B's system through a small sink here, which hands the callbacks of
// transfers (ours to track) on to B's runtime unchanged. A, as B sees it, sits behind a gate that can
// refuse B's transfer requests (A unreachable) while letting everything else through.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { SELLER } from '../support/seller.ts';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { baseUrl, adminToken, staffToken, memberToken } from '../support/http.ts';
import { openFundedAccount, randomResidentId } from '../support/fixtures.ts';
import { freePort } from '../../infra/local/ports.ts';
import { ledgerWrite, listEntries, mustGetAccount, type Account } from '../../shared/ledger/ledger.ts';
import { signedHeaders, signatureMatches } from '../../shared/signature.ts';
import { fenToYuan, yuanToFen } from '../../shared/money.ts';
import { commit } from '../../shared/tx.ts';
import { addDays, addMonths, businessDate, periodOf } from '../../shared/clock.ts';
import { getLoan as storedLoan, loanWriteItems } from '../../functions/loans/store.ts';
import { getOutbox, getRequest, getRequestIdClaim } from '../../functions/interprovincial/store.ts';
import { transferPaymentId } from '../../functions/interprovincial/usecases/inbound.ts';
import { getPayment } from '../../functions/settlement/store.ts';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../../shared/ddb.ts';
import { tableName } from '../../shared/config.ts';

const A_CODE = '330100';
const B_CODE = '110000';
/** B's settlement account as A registers it: a transfer out of A pays the amount there (api.md v1.1). */
const B_SETTLEMENT = '6222020300001100001';
const secret = `pair-secret-${randomUUID()}`;
const root = fileURLToPath(new URL('../../', import.meta.url));
let child: ChildProcess;
let bUrl: string;

/** A's signed callbacks as B's system received them (every type). */
const sink: { headers: Record<string, string>; body: any }[] = [];
let sinkServer: Server;
/** While set, the gate answers B's TRANSFER_REQUESTs with 503 (A unreachable); everything else goes through. */
let holdTransfers = false;
let gateServer: Server;

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
const signedHeadersOf = (req: IncomingMessage) => Object.fromEntries(Object.entries(req.headers).filter(([k]) => k.startsWith('x-hpf-') || k === 'content-type')) as Record<string, string>;
const listen = async (server: Server) => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
};
/** Forwards a request as received (path, signed headers, body) to `base`, and its answer back. */
async function forward(base: string, req: IncomingMessage, raw: string) {
  const res = await fetch(`${base}${req.url}`, { method: req.method, headers: signedHeadersOf(req), body: raw || undefined });
  return { status: res.status, text: await res.text() };
}

async function http(base: string, method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string } = {}) {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const raw = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  if (raw !== undefined) headers['content-type'] = 'application/json';
  if (method === 'POST' && opts.token) headers['idempotency-key'] = randomUUID();
  const res = await fetch(`${base}${path}`, { method, headers, body: raw });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const until = async <T>(what: string, fn: () => Promise<T | undefined>, ms = 40_000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
};

beforeAll(async () => {
  const port = await freePort();
  bUrl = `http://127.0.0.1:${port}`;
  // a clean environment: none of the test runtime's endpoints, tables, queues or center code
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TABLE_|QUEUE_|AWS_ENDPOINT_URL|HPF_)/.test(k)));
  child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/main.ts', '--port', String(port), '--center', B_CODE, '--no-scheduler'], {
    cwd: root,
    env: { ...env, LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  await until(
    'center B to start',
    async () => {
      if (child.exitCode !== null) throw new Error(`center B exited: ${output}`);
      const ok = await fetch(`${bUrl}/v1/health`).then((r) => r.ok, () => false);
      return ok || undefined;
    },
    90_000,
  );
  sinkServer = createServer(async (req, res) => {
    const raw = await readBody(req);
    const body = JSON.parse(raw);
    sink.push({ headers: req.headers as Record<string, string>, body });
    if (body.type === 'TRANSFER_REQUEST' || body.type === 'TRANSFER_CANCEL') {
      const out = await forward(bUrl, req, raw);
      res.writeHead(out.status, { 'content-type': 'application/json' }).end(out.text);
      return;
    }
    const h = req.headers as Record<string, string>;
    const ok = h['x-hpf-center'] === A_CODE && signatureMatches(secret, { method: 'POST', path: req.url ?? '', timestamp: h['x-hpf-timestamp'], nonce: h['x-hpf-nonce'], rawBody: raw }, h['x-hpf-signature']);
    res.writeHead(ok ? 200 : 401).end();
  });
  gateServer = createServer(async (req, res) => {
    const raw = await readBody(req);
    if (holdTransfers && raw.includes('"type":"TRANSFER_REQUEST"')) return void res.writeHead(503).end();
    const out = await forward(baseUrl(), req, raw);
    res.writeHead(out.status, { 'content-type': 'application/json' }).end(out.text);
  });
  const [sinkUrl, gateUrl] = [await listen(sinkServer), await listen(gateServer)];
  // each center registers the other with the pair's shared secret: A calls B's system back through
  // the sink; B reaches A through the gate
  for (const [self, callbackBase, apiBase, code] of [[baseUrl(), sinkUrl, bUrl, B_CODE], [bUrl, baseUrl(), gateUrl, A_CODE]]) {
    const res = await http(self, 'PUT', `/v1/interprovincial/partners/${code}`, {
      token: await adminToken(),
      body: { name: `Center ${code}`, callbackUrl: `${callbackBase}/v1/interprovincial/callbacks`, apiBaseUrl: apiBase, settlementAccount: code === B_CODE ? B_SETTLEMENT : '6222020300001112223', sharedSecret: secret },
    });
    expect([200, 201]).toContain(res.status);
  }
}, 120_000);

afterAll(async () => {
  for (const server of [sinkServer, gateServer]) {
    if (!server) continue;
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
});

describe('two centers', () => {
  it('A keeps B\'s shared secret sealed: its partner record holds no trace of it', async () => {
    const item = (await ddb.send(new GetCommand({ TableName: tableName('interprovincial'), Key: { pk: `PARTNER#${B_CODE}`, sk: 'PARTNER' }, ConsistentRead: true }))).Item;
    expect(item?.sealedSecret).toMatch(/^hpfs1\./);
    expect(item?.sharedSecret).toBeUndefined();
    for (const form of [secret, Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('hex')]) expect(JSON.stringify(item)).not.toContain(form);
  });

  it('moves a member from A to B: A closes with 04, B is credited once with the amount that left A', async () => {
    const name = '李雷';
    const a = await openFundedAccount({ balanceFen: 3_456_789, status: 'SEALED', name, openedOn: '2025-01-01' });

    // center B: the member opens an account there (flexible employment)
    const bStaff = await staffToken();
    const opened = await http(bUrl, 'POST', '/v1/flexible-accounts', { token: bStaff, body: { idNumber: a.idNumber, name, monthlyBase: '8000', rate: '12' } });
    expect(opened.status).toBe(201);
    const bAccountNo: string = opened.body.accountNo;
    const bBefore = await http(bUrl, 'GET', `/v1/accounts/${bAccountNo}`, { token: bStaff });
    expect(bBefore.status).toBe(200);

    const requested = await http(bUrl, 'POST', '/v1/interprovincial/transfer-requests', { token: bStaff, body: { idNumber: a.idNumber, name, fromCenter: A_CODE, toAccountNo: bAccountNo } });
    expect(requested.status).toBe(202);
    expect(requested.body).toEqual({ transferId: expect.any(String), status: 'QUEUED' });
    const transferId: string = requested.body.transferId;

    // A received B's request (requestId = the transferId) and completed it
    const claim = await until('A to receive the request', () => getRequestIdClaim(B_CODE, transferId));
    const atA = await until('A to complete the request', async () => {
      const r = await getRequest(claim.trackingId!);
      return r?.status === 'COMPLETED' || r?.status === 'REJECTED' ? r : undefined;
    });
    expect(atA).toMatchObject({ status: 'COMPLETED', type: 'TRANSFER_REQUEST', partner: B_CODE });
    // A pays the amount to B's settlement account: one payment order, in the completion's transaction
    const paymentId = transferPaymentId(claim.trackingId!);
    expect(atA.payment).toMatchObject({ paymentId, payeeAccount: B_SETTLEMENT, amountFen: yuanToFen(String(atA.result!.amount)) });
    expect(await getPayment(paymentId)).toMatchObject({ paymentId, payeeName: `Center ${B_CODE}`, payeeAccount: B_SETTLEMENT, amountFen: yuanToFen(String(atA.result!.amount)), purpose: 'TRANSFER_OUT', reference: transferId, source: { kind: 'TRANSFER_OUT', id: claim.trackingId } });
    const seen = await http(baseUrl(), 'GET', `/v1/interprovincial/requests/${claim.trackingId}`, { token: await staffToken('*') });
    expect(seen.body.payment).toMatchObject({ paymentId, amount: atA.result!.amount, payeeAccount: B_SETTLEMENT });
    expect(['ORDERED', 'SETTLED']).toContain(seen.body.payment.status);

    // B received A's callback and credited the member
    const atB = await until('B to complete the transfer', async () => {
      const t = await http(bUrl, 'GET', `/v1/interprovincial/transfer-requests/${transferId}`, { token: bStaff });
      return t.body?.status === 'COMPLETED' || t.body?.status === 'REJECTED' ? t.body : undefined;
    });
    expect(atB).toMatchObject({ transferId, status: 'COMPLETED', amount: atA.result!.amount, trackingId: claim.trackingId });
    await until('A to mark its callback delivered', async () => ((await getOutbox(`CB-${claim.trackingId}`))?.status === 'DELIVERED' ? true : undefined));

    // A: closed with code 04, balance 0; the amount out = balance + interest settled to today
    const aAfter = await mustGetAccount(a.accountNo);
    expect(aAfter).toMatchObject({ status: 'CLOSED', statusCode: '04', balanceFen: 0 });
    const aEntries = (await listEntries(a.accountNo, 50)).items;
    const interestFen = aEntries.filter((e) => e.type === 'INTEREST').reduce((s, e) => s + e.amountFen, 0);
    const outFen = -aEntries.filter((e) => e.type === 'TRANSFER_OUT').reduce((s, e) => s + e.amountFen, 0);
    expect(interestFen).toBeGreaterThan(0); // opened on 2025-01-01: interest has accrued
    expect(outFen).toBe(3_456_789 + interestFen);
    expect(atA.result).toEqual({ amount: (outFen / 100).toFixed(2), interest: (interestFen / 100).toFixed(2), closedOn: aAfter.closedOn });

    // B: credited exactly the amount that left A, as one TRANSFER_IN
    const bAfter = await http(bUrl, 'GET', `/v1/accounts/${bAccountNo}`, { token: bStaff });
    const bEntries = await http(bUrl, 'GET', `/v1/accounts/${bAccountNo}/entries`, { token: bStaff });
    const transfersIn = bEntries.body.items.filter((e: { type: string }) => e.type === 'TRANSFER_IN');
    expect(transfersIn).toHaveLength(1);
    expect(transfersIn[0].amount).toBe((outFen / 100).toFixed(2));

    // conservation: A's and B's money together grew by exactly the interest A paid
    const before = 3_456_789 + yuanToFen(bBefore.body.balance);
    const after = aAfter.balanceFen + yuanToFen(bAfter.body.balance);
    expect(after - before).toBe(interestFen);

    // A's callback resent (a new nonce): 200, and no second credit
    const callback = JSON.stringify({ trackingId: claim.trackingId, requestId: transferId, type: 'TRANSFER_REQUEST', status: 'COMPLETED', result: atA.result });
    const path = '/v1/interprovincial/callbacks';
    const again = await http(bUrl, 'POST', path, { rawBody: callback, headers: signedHeaders(A_CODE, secret, { method: 'POST', path, rawBody: callback }) });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ transferId, status: 'COMPLETED' });
    const bFinal = await http(bUrl, 'GET', `/v1/accounts/${bAccountNo}`, { token: bStaff });
    expect(bFinal.body.balance).toBe(bAfter.body.balance);

    // accepted: B's staff can no longer withdraw it (409), and a TRANSFER_CANCEL of it is ALREADY_ACCEPTED at A
    const late = await http(bUrl, 'POST', `/v1/interprovincial/transfer-requests/${transferId}/cancel`, { token: bStaff });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('INVALID_STATE');
    const cancel = await answerOf(await askA('TRANSFER_CANCEL', { requestId: transferId }, `${transferId}.CANCEL`));
    expect(cancel).toMatchObject({ status: 'REJECTED', rejection: { code: 'ALREADY_ACCEPTED' } });
    expect((await mustGetAccount(a.accountNo)).balanceFen).toBe(0);
    expect((await http(bUrl, 'GET', `/v1/accounts/${bAccountNo}`, { token: bStaff })).body.balance).toBe(bAfter.body.balance);
    expect((await http(bUrl, 'GET', `/v1/interprovincial/transfer-requests/${transferId}`, { token: bStaff })).body).toMatchObject({ status: 'COMPLETED', cancelRejection: { code: 'ALREADY_ACCEPTED' } });
  });

  it('B refuses a transfer request to an account of another person (422) or from an unknown center (422)', async () => {
    const bStaff = await staffToken();
    const idNumber = (await openFundedAccount({ status: 'SEALED' })).idNumber;
    const opened = await http(bUrl, 'POST', '/v1/flexible-accounts', { token: bStaff, body: { idNumber, name: '韩梅梅', monthlyBase: '8000', rate: '12' } });
    expect(opened.status).toBe(201);
    const other = await http(bUrl, 'POST', '/v1/interprovincial/transfer-requests', { token: bStaff, body: { idNumber, name: '韩梅', fromCenter: A_CODE, toAccountNo: opened.body.accountNo } });
    expect(other.status).toBe(422);
    const unknown = await http(bUrl, 'POST', '/v1/interprovincial/transfer-requests', { token: bStaff, body: { idNumber, name: '韩梅梅', fromCenter: `X${randomBytes(3).toString('hex')}`, toAccountNo: opened.body.accountNo } });
    expect(unknown.status).toBe(422);
  });
});

// ---------- services B asks of A (api.md v1.1) ----------

const REQUESTS = '/v1/interprovincial/requests';

/** B's system sends A a signed request about a member of A: the tracking id. */
async function askA(type: string, payload: Record<string, unknown>, requestId = `B-${randomUUID()}`): Promise<string> {
  const rawBody = JSON.stringify({ requestId, type, payload });
  const res = await http(baseUrl(), 'POST', REQUESTS, { rawBody, headers: signedHeaders(B_CODE, secret, { method: 'POST', path: REQUESTS, rawBody }) });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.trackingId;
}

/** A's request as B polls it (signed), once final; and its signed callback as B's system received it, the same outcome. */
async function answerOf(trackingId: string): Promise<any> {
  const polled = await until(`A to decide ${trackingId}`, async () => {
    const path = `${REQUESTS}/${trackingId}`;
    const r = await http(baseUrl(), 'GET', path, { headers: signedHeaders(B_CODE, secret, { method: 'GET', path, rawBody: '' }) });
    expect(r.status).toBe(200);
    return r.body.status === 'COMPLETED' || r.body.status === 'REJECTED' ? r.body : undefined;
  });
  const cb = await until(`A's callback of ${trackingId}`, async () => sink.find((c) => c.body.trackingId === trackingId));
  expect(cb.headers['x-hpf-center']).toBe(A_CODE);
  expect(cb.body).toEqual({ trackingId, requestId: polled.requestId, type: polled.type, status: polled.status, ...(polled.result ? { result: polled.result } : {}), ...(polled.rejection ? { rejection: polled.rejection } : {}) });
  return polled;
}

const aStaff = () => staffToken();
const aGet = async (path: string) => {
  const res = await http(baseUrl(), 'GET', path, { token: await aStaff() });
  expect(res.status, `${path} ${JSON.stringify(res.body)}`).toBe(200);
  return res.body;
};

/** A member of A with six consecutive monthly remittances up to last month (loan-eligible). */
async function depositorOfA(branch: string, name: string): Promise<Account> {
  const acc = await openFundedAccount({ branch, idNumber: randomResidentId('1995-03-15'), name });
  const current = periodOf(businessDate());
  await commit({
    plan: async () => {
      const account = await mustGetAccount(acc.accountNo);
      const postings = Array.from({ length: 6 }, (_, i) => ({ amountFen: 500_000, type: 'REMITTANCE' as const, period: addMonths(current, i - 6), ref: 'fixture-remittance', valueDate: businessDate() }));
      return { items: ledgerWrite([{ account, postings }]).items, body: null };
    },
  });
  return mustGetAccount(acc.accountNo);
}

/** A loan at A: applied by the member, approved and disbursed by staff `daysAgo` days back (the approval back-dated in the store first: issue 14). */
async function loanAtA(account: Account, daysAgo: number): Promise<string> {
  const body = { accountNo: account.accountNo, housePrice: '2000000', firstHome: true, termMonths: 360, monthlyIncome: '20000', borrowerCategory: 'TALENT', location: 'DISTRICT', repaymentMethod: 'EQUAL_INSTALLMENT', amount: '100000' };
  const applied = await http(baseUrl(), 'POST', '/v1/loans', { token: await memberToken(account.accountNo), body });
  expect(applied.status, JSON.stringify(applied.body)).toBe(201);
  const loanId: string = applied.body.loanId;
  expect((await http(baseUrl(), 'POST', `/v1/loans/${loanId}/approve`, { token: await aStaff() })).status).toBe(200);
  const disbursedOn = addDays(businessDate(), -daysAgo);
  await commit({
    plan: async () => {
      const loan = (await storedLoan(loanId))!;
      return { items: loanWriteItems(loan, { ...loan, appliedOn: disbursedOn, ...(loan.decision ? { decision: { ...loan.decision, on: disbursedOn } } : {}) }), body: null };
    },
  });
  const disbursed = await http(baseUrl(), 'POST', `/v1/loans/${loanId}/disburse`, { token: await aStaff(), body: { payee: SELLER, disbursedOn } });
  expect(disbursed.status, JSON.stringify(disbursed.body)).toBe(200);
  return loanId;
}

const loanFactsOf = (l: any, payoffAmountToday: string) => ({ loanId: l.loanId, status: l.status, principal: l.principal, outstandingPrincipal: l.outstandingPrincipal, payoffAmountToday, overdueInstallments: l.overdue.installments });

describe('services B asks of A', () => {
  const branch = `IP${randomUUID().slice(0, 6)}`;

  it('BALANCE_INQUIRY and DEPOSIT_CERTIFICATE: exactly A\'s account and loan; FULL_PREPAYMENT closes A\'s loan and B receives the payoff certificate; LOAN_PAYOFF_CERTIFICATE is A\'s certificate', async () => {
    const q = await depositorOfA(branch, '周八');
    const loanId = await loanAtA(q, 10);
    const who = { idNumber: q.idNumber, name: q.name };

    // the balance inquiry: A's account as A's own API shows it, and the loan with its payoff amount of the day
    const inquiry = await answerOf(await askA('BALANCE_INQUIRY', who));
    const account = await aGet(`/v1/accounts/${q.accountNo}`);
    const loan = await aGet(`/v1/loans/${loanId}`);
    expect(inquiry.status).toBe('COMPLETED');
    expect(Object.keys(inquiry.result).sort()).toEqual(['balance', 'lastPaidPeriod', 'loans', 'monthlyAmount', 'monthlyBase', 'status']);
    expect(inquiry.result).toMatchObject({ status: account.status, balance: account.balance, monthlyBase: account.monthlyBase, monthlyAmount: account.monthlyAmount, lastPaidPeriod: account.lastPaidPeriod ?? null });
    expect(inquiry.result.loans).toHaveLength(1);
    const payoff: string = inquiry.result.loans[0].payoffAmountToday;
    expect(inquiry.result.loans[0]).toEqual(loanFactsOf(loan, payoff));
    expect(loan.status).toBe('ACTIVE');
    // ten days of interest on top of the outstanding principal
    expect(yuanToFen(payoff)).toBeGreaterThan(yuanToFen(loan.outstandingPrincipal));

    // the deposit certificate: the same facts, a certificate number, the loans used
    const certificate = await answerOf(await askA('DEPOSIT_CERTIFICATE', { ...who, purpose: '异地购房贷款' }));
    expect(certificate.status).toBe('COMPLETED');
    expect(certificate.result).toMatchObject({ certificateNo: expect.any(String), status: account.status, openedOn: account.openedOn, balance: account.balance, monthlyBase: account.monthlyBase, monthlyAmount: account.monthlyAmount, lastPaidPeriod: account.lastPaidPeriod ?? null, monthsDeposited: 6, consecutiveMonths: 6 });
    expect(certificate.result.loans).toEqual(inquiry.result.loans);
    // anyone verifies it by its code (issue 17): what it states, the holder masked, the purpose B gave
    expect(certificate.result.verificationCode).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$/);
    const verified = await http(baseUrl(), 'GET', `/v1/certificates/${certificate.result.verificationCode}`);
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ kind: 'DEPOSIT', certificateNo: certificate.result.certificateNo, valid: true, statement: { balance: account.balance, purpose: '异地购房贷款', holder: { name: '周*' } } });

    // identity, as api.md names it for these two types
    expect((await answerOf(await askA('BALANCE_INQUIRY', { ...who, name: '周九' }))).rejection.code).toBe('NAME_MISMATCH');
    expect((await answerOf(await askA('DEPOSIT_CERTIFICATE', { idNumber: randomResidentId(), name: q.name }))).rejection.code).toBe('NOT_FOUND');

    // no loan closed yet
    expect((await answerOf(await askA('LOAN_PAYOFF_CERTIFICATE', who))).rejection.code).toBe('NO_CLOSED_LOAN');

    // full prepayment: one fen off is AMOUNT_MISMATCH naming the payoff amount; the payoff amount closes the loan
    const off = await answerOf(await askA('FULL_PREPAYMENT', { ...who, loanId, amount: fenToYuan(yuanToFen(payoff) + 1), bankRef: `BK-${randomUUID().slice(0, 8)}` }));
    expect(off).toMatchObject({ status: 'REJECTED', rejection: { code: 'AMOUNT_MISMATCH' } });
    expect(off.rejection.message).toContain(payoff);
    expect((await aGet(`/v1/loans/${loanId}`)).status).toBe('ACTIVE');
    const paid = await answerOf(await askA('FULL_PREPAYMENT', { ...who, loanId, amount: payoff, bankRef: `BK-${randomUUID().slice(0, 8)}` }));
    expect(paid).toMatchObject({ status: 'COMPLETED', result: { loanId, paidAmount: payoff, closedOn: businessDate(), certificateNo: expect.any(String) } });
    const closed = await aGet(`/v1/loans/${loanId}`);
    expect(closed).toMatchObject({ status: 'CLOSED', outstandingPrincipal: '0.00' });
    const aCertificate = await aGet(`/v1/loans/${loanId}/payoff-certificate`);
    expect(aCertificate.certificateNo).toBe(paid.result.certificateNo); // B received A's own certificate (polled and by callback)
    expect((await answerOf(await askA('FULL_PREPAYMENT', { ...who, loanId, amount: payoff, bankRef: `BK-${randomUUID().slice(0, 8)}` }))).rejection.code).toBe('NO_ACTIVE_LOAN');

    // the payoff certificate B asks for is A's, field for field
    const payoffCertificate = await answerOf(await askA('LOAN_PAYOFF_CERTIFICATE', { ...who, loanId }));
    expect(payoffCertificate).toMatchObject({ status: 'COMPLETED' });
    expect(payoffCertificate.result).toEqual({ certificateNo: aCertificate.certificateNo, verificationCode: aCertificate.verificationCode, loanId, principal: aCertificate.principal, disbursedOn: closed.disbursedOn, closedOn: aCertificate.paidOffOn ?? closed.paidOffOn });
    expect((await answerOf(await askA('LOAN_PAYOFF_CERTIFICATE', who))).result.certificateNo).toBe(aCertificate.certificateNo);

    // after the payoff A's loan facts say CLOSED, for B as for A
    const after = await answerOf(await askA('BALANCE_INQUIRY', who));
    expect(after.result.loans).toEqual([expect.objectContaining({ loanId, status: 'CLOSED', outstandingPrincipal: '0.00', overdueInstallments: 0 })]);
  });

  it('the payoff amount B is told is what A\'s own full prepayment of that loan pays today; the certificate B then gets is A\'s', async () => {
    const p = await depositorOfA(branch, '冯五');
    const loanId = await loanAtA(p, 20);
    const who = { idNumber: p.idNumber, name: p.name };
    const inquiry = await answerOf(await askA('BALANCE_INQUIRY', who));
    const facts = inquiry.result.loans.find((l: { loanId: string }) => l.loanId === loanId);
    expect(facts).toEqual(loanFactsOf(await aGet(`/v1/loans/${loanId}`), facts.payoffAmountToday));
    // A's own member-side route: the full prepayment from the bank pays exactly that amount
    const full = await http(baseUrl(), 'POST', `/v1/loans/${loanId}/prepayments`, { token: await aStaff(), body: { full: true, source: 'BANK' } });
    expect(full.status, JSON.stringify(full.body)).toBe(201);
    expect(full.body).toMatchObject({ kind: 'FULL', amount: facts.payoffAmountToday, loanStatus: 'CLOSED' });
    const own = await aGet(`/v1/loans/${loanId}/payoff-certificate`);
    const asked = await answerOf(await askA('LOAN_PAYOFF_CERTIFICATE', { ...who, loanId }));
    expect(asked.result).toEqual({ certificateNo: own.certificateNo, verificationCode: own.verificationCode, loanId, principal: own.principal, disbursedOn: (await aGet(`/v1/loans/${loanId}`)).disbursedOn, closedOn: own.paidOffOn });
    expect((await answerOf(await askA('LOAN_PAYOFF_CERTIFICATE', { ...who, loanId: 'L-NOT-THEIRS' }))).rejection.code).toBe('NO_CLOSED_LOAN');
  });

  it('PURCHASE_WITHDRAWAL goes through A\'s own rules: within the property cap it is paid, beyond what anyone already withdrew for the property it is refused', async () => {
    const recent = addDays(businessDate(), -30);
    const cert = `ZH-${randomUUID()}`;
    const first = await openFundedAccount({ branch, balanceFen: 30_000_000, name: '吴九' });
    const own = await http(baseUrl(), 'POST', '/v1/withdrawals', {
      token: await memberToken(first.accountNo),
      body: { accountNo: first.accountNo, reason: 'PURCHASE', amount: '250000', payeeBankAccount: '6222021234567890123', evidence: { contractNo: 'HT-1', propertyCertificateNo: cert, price: '300000', purchaseDate: recent } },
    });
    expect(own.status, JSON.stringify(own.body)).toBe(201);
    expect(own.body.status).toBe('PAID');

    const r = await openFundedAccount({ branch, balanceFen: 30_000_000, name: '郑十' });
    const over = await answerOf(await askA('PURCHASE_WITHDRAWAL', { idNumber: r.idNumber, name: r.name, amount: '50000.01', contractNo: 'HT-2', propertyCertificateNo: cert, price: '300000', purchaseDate: recent }));
    expect(over).toMatchObject({ status: 'REJECTED', rejection: { code: 'POLICY_VIOLATION' } });
    expect((await mustGetAccount(r.accountNo)).balanceFen).toBe(30_000_000);

    const fresh = await answerOf(await askA('PURCHASE_WITHDRAWAL', { idNumber: r.idNumber, name: r.name, amount: '1000', contractNo: 'HT-3', propertyCertificateNo: `ZH-${randomUUID()}`, price: '300000', purchaseDate: recent, city: '北京' }));
    expect(fresh).toMatchObject({ status: 'COMPLETED', result: { withdrawalId: expect.any(String), amount: '1000.00' } });
    expect((await mustGetAccount(r.accountNo)).balanceFen).toBe(30_000_000 - 100_000);
    const withdrawal = await aGet(`/v1/withdrawals/${fresh.result.withdrawalId}`);
    expect(withdrawal).toMatchObject({ withdrawalId: fresh.result.withdrawalId, accountNo: r.accountNo, reason: expect.stringMatching(/PURCHASE/), status: 'PAID', amount: '1000.00' });
    // a member of A who does not match: the generic answer of these types
    expect((await answerOf(await askA('PURCHASE_WITHDRAWAL', { idNumber: r.idNumber, name: '郑十一', amount: '1', contractNo: 'HT-4', propertyCertificateNo: `ZH-${randomUUID()}`, price: '300000', purchaseDate: recent }))).rejection.code).toBe('MEMBER_NOT_MATCHED');
  });

  it('a transfer B withdraws before A accepted it moves no money on either side; A\'s late callback of it could not credit B', async () => {
    const name = '钱七';
    const a = await openFundedAccount({ balanceFen: 1_234_500, status: 'SEALED', name, openedOn: '2025-01-01' });
    const bStaff = await staffToken();
    const opened = await http(bUrl, 'POST', '/v1/flexible-accounts', { token: bStaff, body: { idNumber: a.idNumber, name, monthlyBase: '8000', rate: '12' } });
    expect(opened.status).toBe(201);
    const bAccountNo: string = opened.body.accountNo;
    const bBefore = (await http(bUrl, 'GET', `/v1/accounts/${bAccountNo}`, { token: bStaff })).body.balance;

    holdTransfers = true; // A is unreachable for B's transfer request
    let transferId: string;
    try {
      const requested = await http(bUrl, 'POST', '/v1/interprovincial/transfer-requests', { token: bStaff, body: { idNumber: a.idNumber, name, fromCenter: A_CODE, toAccountNo: bAccountNo } });
      expect(requested.status).toBe(202);
      transferId = requested.body.transferId;
      // staff of another branch may not withdraw it (they cannot see it: 404); city-level staff may
      expect((await http(bUrl, 'POST', `/v1/interprovincial/transfer-requests/${transferId}/cancel`, { token: await staffToken('NO-SUCH-BRANCH') })).status).toBe(404);
      const cancelled = await http(bUrl, 'POST', `/v1/interprovincial/transfer-requests/${transferId}/cancel`, { token: bStaff });
      expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(202);
      expect(cancelled.body).toEqual({ transferId, status: 'CANCELLING' });
      // A confirms B's TRANSFER_CANCEL; B's transfer is CANCELLED
      const atB = await until('B to see the cancel confirmed', async () => {
        const t = await http(bUrl, 'GET', `/v1/interprovincial/transfer-requests/${transferId}`, { token: bStaff });
        return t.body?.status === 'CANCELLED' ? t.body : undefined;
      });
      expect(atB).toMatchObject({ transferId, status: 'CANCELLED' });
    } finally {
      holdTransfers = false;
    }
    const cancelCallback = sink.find((c) => c.body.type === 'TRANSFER_CANCEL' && c.body.requestId === `${transferId}.CANCEL`);
    expect(cancelCallback?.body).toMatchObject({ status: 'COMPLETED', result: { requestId: transferId, status: 'CANCELLED' } });

    // B's transfer request, had an attempt reached A after all, is refused there: the id was withdrawn
    const rawBody = JSON.stringify({ requestId: transferId, type: 'TRANSFER_REQUEST', payload: { idNumber: a.idNumber, name } });
    const late = await http(baseUrl(), 'POST', REQUESTS, { rawBody, headers: signedHeaders(B_CODE, secret, { method: 'POST', path: REQUESTS, rawBody }) });
    expect(late.status).toBe(409);
    // a COMPLETED callback of the cancelled transfer is refused by B and credits nothing
    const forged = JSON.stringify({ trackingId: `T-${randomUUID()}`, requestId: transferId, type: 'TRANSFER_REQUEST', status: 'COMPLETED', result: { amount: '12345.00' } });
    const callbacks = '/v1/interprovincial/callbacks';
    const refused = await http(bUrl, 'POST', callbacks, { rawBody: forged, headers: signedHeaders(A_CODE, secret, { method: 'POST', path: callbacks, rawBody: forged }) });
    expect(refused.status).toBe(409);

    // no money moved on either side
    expect(await mustGetAccount(a.accountNo)).toMatchObject({ status: 'SEALED', balanceFen: 1_234_500 });
    expect((await listEntries(a.accountNo, 50)).items.filter((e) => e.type === 'TRANSFER_OUT' || e.type === 'INTEREST')).toEqual([]);
    expect((await http(bUrl, 'GET', `/v1/accounts/${bAccountNo}`, { token: bStaff })).body.balance).toBe(bBefore);
    const bEntries = await http(bUrl, 'GET', `/v1/accounts/${bAccountNo}/entries`, { token: bStaff });
    expect(bEntries.body.items.filter((e: { type: string }) => e.type === 'TRANSFER_IN')).toEqual([]);
    // a cancelled transfer cannot be cancelled into anything else
    expect((await http(bUrl, 'POST', `/v1/interprovincial/transfer-requests/${transferId}/cancel`, { token: bStaff })).body).toEqual({ transferId, status: 'CANCELLED' });
  });
});
