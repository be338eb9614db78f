// The randomized workload's world (workload.test.ts): what this run has created (branches, units,
// accounts, loans, transfers), the operations drawn from a seeded generator, and the business records
// their answers report (remittances, deposits, withdrawals, prepayments, repayments, transfers), from
// which the money that entered and left is summed independently of the ledger.
//
// Every call states the problem codes it may legitimately get; anything else is an anomaly: a 500 in
// a call where no fault was injected, a 400 to a well-formed request, a replay that differs from the
// first answer, two effects for one Idempotency-Key, a message that keeps failing.
import { AsyncLocalStorage } from 'node:async_hooks';
import { SELLER } from '../support/seller.ts';
import { randomUUID } from 'node:crypto';
import { addDays, addMonths, businessDate, periodOf } from '../../shared/clock.ts';
import { fenToYuan, yuanToFen } from '../../shared/money.ts';
import type { ProblemCode } from '../../shared/errors.ts';
import { runDailyForLoan } from '../../functions/loans/usecases/batch.ts';
import { getLoan, loanWriteItems } from '../../functions/loans/store.ts';
import { commit } from '../../shared/tx.ts';
import { api, member, partnerApi, staff, unitAgent, uniqueResidentId, type ApiOptions, type ApiResult, type Claims } from './workload-support.ts';
import type { Random } from '../../infra/local/random.ts';
import type { BankSimulator } from '../../infra/local/bank-simulator.ts';

/** Faults injected while a call (or a delivery) ran: a 500 is expected only when one was. */
export interface FaultContext {
  injected: number;
}
export const faultContext = new AsyncLocalStorage<FaultContext>();

export interface Acct {
  accountNo: string;
  idNumber: string;
  name: string;
  branch: string;
  kind: 'FLEXIBLE' | 'EMPLOYEE';
  unitId?: string;
  /** As this run last saw it (the system decides; a stale view only earns a refusal). */
  status: 'NORMAL' | 'SEALED' | 'CLOSED';
  /** Flexible accounts: the monthly deposit (yuan) and the periods paid. */
  monthlyAmount?: string;
  paid: Set<string>;
  loanId?: string;
  /** A transfer out or a closing withdrawal was asked for. */
  leaving?: boolean;
}

interface UnitRec {
  unitId: string;
  branch: string;
  nextPeriod: string;
  /** Periods skipped, to be back-paid (BACKPAY). */
  skipped: string[];
  busy: boolean;
}

interface LoanRec {
  loanId: string;
  accountNo: string;
  coAccountNo?: string;
  branch: string;
  status: 'APPLIED' | 'APPROVED' | 'ACTIVE' | 'CLOSED' | 'REJECTED';
  offset: boolean;
  /** The loan's own calendar for the daily run: its first due date (maybe past: caught up today), then ahead. */
  clock?: string;
  busy: boolean;
}

interface TransferIn {
  transferId: string;
  accountNo: string;
  final: boolean;
}

interface Replayable {
  method: string;
  path: string;
  as: Claims;
  body: Record<string, unknown>;
  key: string;
  status: number;
  raw: string;
}

const PAYEE = '6222021234567890';
/** A payee account the banks do not know (ending in 0000, issue 16): the payment order fails and the money comes back. */
const FAILING_PAYEE = '6222021234560000';
/** The account units pay their remittances from at the bank. */
const UNIT_PAYER = '6228480012345678';
/**
 * Loans are disbursed up to this many days back (a money event is dated from the policy history's
 * start to today, issue 14), their approval back-dated in the store to the disbursement date: up to a
 * year of installments falls due by today. The daily run catches those up on today, then walks each
 * loan's calendar ahead; bank repayments (dated up to today) pay the installments due by today it left
 * unpaid (no offset, or a short balance).
 */
const DISBURSE_DAYS_BACK = 365;

/** Dates an approved loan's application and approval `date` (a fixture: the API dates both today). */
async function backdateApproval(loanId: string, date: string) {
  await commit({
    plan: async () => {
      const loan = await getLoan(loanId);
      if (!loan || loan.status !== 'APPROVED') return { items: [], body: null };
      return { items: loanWriteItems(loan, { ...loan, appliedOn: date, decision: { ...loan.decision!, on: date } }), body: null };
    },
  });
}
const PROPERTIES = Array.from({ length: 24 }, (_, i) => `WL-FC-${String(i).padStart(3, '0')}`);
const PERMITS = Array.from({ length: 12 }, (_, i) => `WL-JZ-${String(i).padStart(3, '0')}`);

export class World {
  readonly today = businessDate();
  readonly currentPeriod = periodOf(this.today);
  readonly accounts = new Map<string, Acct>();
  readonly units: UnitRec[] = [];
  readonly loans = new Map<string, LoanRec>();
  readonly transfersIn = new Map<string, TransferIn>();
  /** Business records, keyed by their ids: a replayed answer names the same record. */
  readonly records = {
    remittances: new Set<string>(),
    depositsFen: new Map<string, number>(),
    withdrawals: new Set<string>(),
    pendingWithdrawals: new Set<string>(),
    prepayments: new Map<string, { fen: number; source: 'BANK' | 'ACCOUNT' }>(),
    repaymentsFen: new Map<string, number>(),
    transfersOut: new Set<string>(),
    /** RETIREMENT_WITHDRAWAL and PURCHASE_WITHDRAWAL requests of the partner. */
    partnerWithdrawals: new Set<string>(),
    inquiries: new Set<string>(),
    /** The amounts this run's partner reported for the transfers it completed. */
    transfersInFen: new Map<string, number>(),
    fixturesFen: 0,
    /** Arrival notices this run's bank sent, and those that matched nothing (待查款项). */
    notices: new Set<string>(),
    unmatchedNotices: new Set<string>(),
    /** Suspense items of this run refunded (a payment order to the payer). */
    refunds: new Set<string>(),
  };
  /** This run's bank (issue 16): pays the withdrawals of this run's branches, receives units' payments. */
  bank?: BankSimulator;
  /** Accounts many operations aim at at once (optimistic concurrency under contention). */
  readonly hot = new Set<string>();
  readonly anomalies: string[] = [];
  readonly counts = { operations: 0, calls: 0, retries: 0, duplicates: 0, replays: 0, refusals: 0, injected500s: 0 };
  private readonly replayable: Replayable[] = [];

  constructor(
    readonly rng: Random,
    readonly branches: readonly string[],
    readonly partner: { code: string; secret: string },
  ) {}

  // ---------- calls ----------

  private anomaly(what: string) {
    if (this.anomalies.length < 200) this.anomalies.push(what);
  }

  /** One attempt inside its own fault context; a 500 is retried (same key) when a fault caused it. */
  private async attempt(op: string, send: () => Promise<ApiResult>): Promise<ApiResult> {
    for (let retry = 0; ; retry++) {
      const ctx: FaultContext = { injected: 0 };
      const res = await faultContext.run(ctx, send);
      this.counts.calls++;
      if (res.status !== 500) return res;
      if (ctx.injected === 0) {
        this.anomaly(`${op}: 500 without an injected fault: ${res.raw}`);
        return res;
      }
      this.counts.injected500s++;
      if (retry >= 10) {
        this.anomaly(`${op}: still 500 after ${retry} retries`);
        return res;
      }
      this.counts.retries++;
      await new Promise((r) => setTimeout(r, 5 * (retry + 1)));
    }
  }

  /**
   * A call (sometimes 2–3 identical copies at once: same Idempotency-Key and body), checked: only
   * `allowed` refusals, every 2xx answer identical, at most one of them not a replay.
   */
  async call(op: string, method: string, path: string, opts: ApiOptions & { as: Claims }, allowed: readonly ProblemCode[], duplicates = true): Promise<ApiResult> {
    const key = method === 'POST' ? randomUUID() : undefined;
    const copies = duplicates && key && this.rng.chance(0.12) ? this.rng.int(2, 3) : 1;
    this.counts.operations += copies;
    if (copies > 1) this.counts.duplicates += copies - 1;
    const results = await Promise.all(Array.from({ length: copies }, () => this.attempt(op, () => api(method, path, { ...opts, idem: key ?? false }))));
    for (const res of results) this.check(op, res, allowed);
    const ok = results.filter((r) => r.status < 300);
    if (new Set(ok.map((r) => `${r.status} ${r.raw}`)).size > 1) this.anomaly(`${op}: concurrent duplicates answered differently: ${ok.map((r) => r.raw).join(' | ')}`);
    if (ok.filter((r) => r.headers['idempotency-replayed'] !== 'true').length > 1) this.anomaly(`${op}: ${ok.length} first answers for one Idempotency-Key`);
    const first = ok[0] ?? results[0];
    if (key && first.status < 300 && opts.body && this.replayable.length < 3000) this.replayable.push({ method, path, as: opts.as, body: opts.body as Record<string, unknown>, key, status: first.status, raw: first.raw });
    return first;
  }

  private check(op: string, res: ApiResult, allowed: readonly ProblemCode[]) {
    if (res.status < 300 || res.status === 500) return;
    if (allowed.includes(res.body?.code)) this.counts.refusals++;
    else this.anomaly(`${op}: unexpected ${res.status} ${res.raw}`);
  }

  /** A partner's signed call (a fresh nonce per copy; the requestId is the idempotency key). */
  private async partnerCall(op: string, path: string, body: Record<string, unknown>, allowed: readonly ProblemCode[], copies = 1): Promise<ApiResult[]> {
    this.counts.operations += copies;
    if (copies > 1) this.counts.duplicates += copies - 1;
    const results = await Promise.all(Array.from({ length: copies }, () => this.attempt(op, () => partnerApi(this.partner.code, this.partner.secret, 'POST', path, body))));
    for (const res of results) this.check(op, res, allowed);
    return results;
  }

  // ---------- picking ----------

  /** A matching account; one time in five one of the few hot accounts, so that requests collide. */
  private pickAccount(match: (a: Acct) => boolean): Acct | undefined {
    const candidates = [...this.accounts.values()].filter(match);
    const hot = candidates.filter((a) => this.hot.has(a.accountNo));
    if (hot.length && this.rng.chance(0.2)) return this.rng.pick(hot);
    return candidates.length ? this.rng.pick(candidates) : undefined;
  }

  private open = (a: Acct) => a.status !== 'CLOSED' && !a.leaving;

  private pickLoan(status: LoanRec['status'], extra: (l: LoanRec) => boolean = () => true): LoanRec | undefined {
    const candidates = [...this.loans.values()].filter((l) => l.status === status && !l.busy && extra(l));
    return candidates.length ? this.rng.pick(candidates) : undefined;
  }

  private yuanBetween(minFen: number, maxFen: number) {
    return fenToYuan(this.rng.int(minFen, maxFen));
  }

  // ---------- setup ----------

  addAccount(a: Omit<Acct, 'paid'> & { paid?: Set<string> }) {
    this.accounts.set(a.accountNo, { ...a, paid: a.paid ?? new Set() });
  }

  addUnit(unitId: string, branch: string, startPeriod: string) {
    this.units.push({ unitId, branch, nextPeriod: startPeriod, skipped: [], busy: false });
  }

  // ---------- operations ----------

  /** Draws and runs one operation of the mix. */
  async step(): Promise<void> {
    const op = this.rng.weighted({
      withdrawal: 24,
      deposit: 20,
      remittance: 3,
      unmatchedArrival: 0.5,
      suspenseRefund: 0.4,
      hire: 2,
      seal: 1,
      openFlexible: 2,
      review: 1.5,
      loanApply: 1.5,
      loanReview: 1.3,
      loanDisburse: 1.2,
      offsetSign: 1,
      dailyRun: 7,
      prepayment: 2.5,
      bankRepayment: 1.5,
      transferOut: 0.8,
      partnerWithdrawal: 0.6,
      inquiry: 0.8,
      loanDeferral: 0.4,
      transferIn: 1.8,
      partnerCallback: 2.2,
      replay: 6,
      keyReuse: 0.7,
      read: 6,
    });
    await this[op]();
  }

  private async withdrawal() {
    const a = this.pickAccount(this.open);
    if (!a) return this.read();
    const reason = this.rng.weighted({ RENT: 30, ELEVATOR_RETROFIT: 10, COMMERCIAL_LOAN_REPAYMENT: 10, PURCHASE: 12, OFFSITE_PURCHASE: 5, BUILD_REPAIR: 8, HPF_LOAN_REPAYMENT: a.loanId ? 8 : 1, CLOSING: 1.5 });
    const purchase = () => ({
      contractNo: `HT-${this.rng.int(1, 1e6)}`,
      propertyCertificateNo: this.rng.pick(PROPERTIES),
      price: this.yuanBetween(30_000_000, 200_000_000),
      purchaseDate: addDays(this.today, -this.rng.int(0, 300)),
    });
    const evidence: Record<string, Record<string, unknown>> = {
      RENT: this.rng.chance(0.5) ? { housingKind: 'COMMERCIAL', noHouseCertificateNo: `WF-${this.rng.int(1, 1e6)}` } : { housingKind: 'AFFORDABLE_RENTAL', leaseContractNo: `ZL-${this.rng.int(1, 1e6)}`, rentReceiptNo: `SJ-${this.rng.int(1, 1e6)}` },
      ELEVATOR_RETROFIT: { projectFilingNo: `DT-${this.rng.int(1, 1e6)}`, ownerShareAmount: this.yuanBetween(100_000, 5_000_000) },
      COMMERCIAL_LOAN_REPAYMENT: { bankName: '建设银行', loanContractNo: `SD-${this.rng.int(1, 1e6)}`, outstandingAmount: this.yuanBetween(1_000_000, 100_000_000) },
      PURCHASE: purchase(),
      OFFSITE_PURCHASE: { ...purchase(), city: '成都' },
      BUILD_REPAIR: { permitNo: this.rng.pick(PERMITS), budget: '20000' },
      HPF_LOAN_REPAYMENT: a.loanId && this.rng.chance(0.8) ? { loanId: a.loanId } : { centerCode: '110000', loanContractNo: `YD-${this.rng.int(1, 1e6)}` },
    };
    let body: Record<string, unknown>;
    if (reason === 'CLOSING') {
      const closing = this.rng.pick(['RETIREMENT', 'INCAPACITY', 'EMIGRATION', 'DEATH'] as const);
      const closingEvidence = {
        RETIREMENT: { retirementDate: addDays(this.today, -this.rng.int(1, 400)) },
        INCAPACITY: { certificateNo: `SS-${this.rng.int(1, 1e6)}` },
        EMIGRATION: { certificateNo: `CJ-${this.rng.int(1, 1e6)}` },
        DEATH: { heirIdNumber: uniqueResidentId(), heirName: '继承人', deathCertificateNo: `SW-${this.rng.int(1, 1e6)}` },
      }[closing];
      body = { accountNo: a.accountNo, reason: closing, full: true, payeeBankAccount: this.payee(), evidence: closingEvidence };
    } else {
      const size = this.rng.weighted({ small: 60, medium: 22, full: 10, overdraw: 8 });
      const amount = size === 'small' ? this.yuanBetween(100, 50_000) : size === 'medium' ? this.yuanBetween(50_000, 500_000) : size === 'overdraw' ? '9999999.99' : undefined;
      body = { accountNo: a.accountNo, reason, ...(amount ? { amount } : { full: true }), payeeBankAccount: this.payee(), evidence: evidence[reason] };
    }
    const res = await this.call('withdrawal', 'POST', '/v1/withdrawals', { as: member(a.accountNo), body }, ['INSUFFICIENT_BALANCE', 'INVALID_STATE', 'POLICY_VIOLATION', 'NOT_ELIGIBLE']);
    if (res.status === 201) {
      this.records.withdrawals.add(res.body.withdrawalId);
      if (res.body.status === 'PENDING_REVIEW') this.records.pendingWithdrawals.add(res.body.withdrawalId);
      if (res.body.accountClosed) a.status = 'CLOSED';
    } else if (res.body?.code === 'INVALID_STATE') a.status = 'CLOSED';
  }

  /** Where a withdrawal is paid: one time in ten an account the bank cannot pay. */
  private payee() {
    return this.rng.chance(0.1) ? FAILING_PAYEE : PAYEE;
  }

  private async review() {
    const [withdrawalId] = this.records.pendingWithdrawals;
    if (!withdrawalId) return this.read();
    this.records.pendingWithdrawals.delete(withdrawalId);
    const approve = this.rng.chance(0.7);
    await this.call(
      approve ? 'withdrawal.approve' : 'withdrawal.reject',
      'POST',
      `/v1/withdrawals/${withdrawalId}/${approve ? 'approve' : 'reject'}`,
      { as: staff('*'), body: approve ? {} : { note: '证明材料不足' } },
      ['INVALID_STATE', 'INSUFFICIENT_BALANCE', 'POLICY_VIOLATION', 'NOT_ELIGIBLE'],
    );
  }

  private async deposit() {
    const a = this.pickAccount((x) => x.kind === 'FLEXIBLE' && x.status !== 'CLOSED' && !!x.monthlyAmount);
    if (!a) return this.read();
    const recent = Array.from({ length: 9 }, (_, i) => addMonths(this.currentPeriod, -i)).filter((p) => !a.paid.has(p));
    const period = recent.length && this.rng.chance(0.75) ? recent[recent.length - 1] : addMonths(this.currentPeriod, -this.rng.int(0, 47));
    const amount = this.rng.chance(0.04) ? fenToYuan(yuanToFen(a.monthlyAmount!) + 1) : a.monthlyAmount!;
    const res = await this.call('deposit', 'POST', `/v1/accounts/${a.accountNo}/deposits`, { as: staff(a.branch), body: { period, amount, bankRef: `WL-${this.rng.int(1, 1e9)}` } }, [
      'CONFLICT',
      'POLICY_VIOLATION',
      'INVALID_STATE',
      'NOT_FOUND',
    ]);
    if (res.status === 201) this.records.depositsFen.set(res.body.entryId, yuanToFen(res.body.amount));
    if (res.status === 201 || res.body?.code === 'CONFLICT') a.paid.add(period);
  }

  /**
   * A remittance of a unit for its next period (now and then skipping one, back-paid later as
   * BACKPAY), settled for its total; sometimes first for a wrong amount, sometimes with an employee
   * leaving (sealed and transferred out) between the list and the settlement.
   */
  private async remittance() {
    const unit = this.rng.pick(this.units);
    const backpay = unit.skipped.length > 0 && this.rng.chance(0.3);
    if (unit.busy || (!backpay && unit.nextPeriod > this.currentPeriod)) return this.read();
    unit.busy = true;
    try {
      if (!backpay && unit.nextPeriod < this.currentPeriod && this.rng.chance(0.08)) {
        unit.skipped.push(unit.nextPeriod);
        unit.nextPeriod = addMonths(unit.nextPeriod, 1);
      }
      const period = backpay ? unit.skipped.shift()! : unit.nextPeriod;
      const body = { period, kind: backpay ? 'BACKPAY' : 'REGULAR' };
      const created = await this.call('remittance.create', 'POST', `/v1/units/${unit.unitId}/remittances`, { as: unitAgent(unit.unitId), body }, ['CONFLICT', 'POLICY_VIOLATION']);
      if (created.status !== 201 && created.body?.code !== 'CONFLICT') {
        if (backpay) unit.skipped.push(period);
        return;
      }
      if (!backpay) unit.nextPeriod = addMonths(period, 1);
      if (created.status !== 201) return;
      const remittanceId: string = created.body.remittanceId;
      this.records.remittances.add(remittanceId);
      if (this.rng.chance(0.1)) await this.leaver(unit);
      const path = `/v1/remittances/${remittanceId}/settlements`;
      if (this.rng.chance(0.05)) {
        const wrong = await this.call('remittance.settle-wrong-amount', 'POST', path, { as: staff(unit.branch), body: { amount: fenToYuan(yuanToFen(created.body.totalAmount) + 1), bankRef: 'WL-WRONG' } }, ['POLICY_VIOLATION']);
        if (wrong.status < 300) this.anomaly(`settlement of ${remittanceId} accepted an amount other than the total`);
      }
      // half the units pay at the bank (its arrival notice settles the remittance, no clerk); the others' payment is confirmed by staff
      if (this.bank && yuanToFen(created.body.totalAmount) > 0 && this.rng.chance(0.5)) await this.payAtBank(remittanceId, created.body.totalAmount);
      else await this.call('remittance.settle', 'POST', path, { as: staff(unit.branch), body: { amount: created.body.totalAmount, bankRef: `WL-${remittanceId}` } }, ['INVALID_STATE']);
    } finally {
      unit.busy = false;
    }
  }

  /** A bank call the run makes as the bank (the notice reaches the center signed, through the runtime's gateway). */
  private async bankCall<T>(op: string, send: () => Promise<T>): Promise<T | undefined> {
    this.counts.operations++;
    this.counts.calls++;
    try {
      return await send();
    } catch (error) {
      this.anomaly(`${op}: ${(error as Error).message}`);
      return undefined;
    }
  }

  /** A unit pays its remittance at the bank: the arrival notice names it and settles it; now and then the bank sends the notice twice. */
  private async payAtBank(remittanceId: string, totalAmount: string) {
    const arrived = await this.bankCall('arrival', () => this.bank!.arrive({ amount: totalAmount, reference: remittanceId, payerName: '压测单位', payerAccount: UNIT_PAYER }));
    if (!arrived) return;
    this.records.notices.add(arrived.notificationId);
    const expected = JSON.stringify({ matched: { kind: 'REMITTANCE', id: remittanceId } });
    if (arrived.status !== 200 || JSON.stringify(arrived.body) !== expected) return this.anomaly(`arrival for ${remittanceId}: ${arrived.status} ${JSON.stringify(arrived.body)}`);
    if (!this.rng.chance(0.15)) return;
    this.counts.duplicates++;
    const again = await this.bankCall('arrival.again', () => this.bank!.resendNotice(arrived.notificationId));
    if (again && (again.status !== 200 || JSON.stringify(again.body) !== expected)) this.anomaly(`the same notice for ${remittanceId} again: ${again.status} ${JSON.stringify(again.body)}`);
  }

  /** Money arrives that names nothing of ours: it waits in suspense, credited to nobody. */
  private async unmatchedArrival() {
    if (!this.bank) return this.read();
    const payerAccount = this.rng.chance(0.3) ? FAILING_PAYEE : UNIT_PAYER;
    const arrived = await this.bankCall('arrival.unmatched', () => this.bank!.arrive({ amount: this.yuanBetween(100, 500_000), reference: `WL-不明-${randomUUID().slice(0, 8)}`, payerName: '不明付款人', payerAccount }));
    if (!arrived) return;
    this.records.notices.add(arrived.notificationId);
    if (arrived.status !== 200 || JSON.stringify(arrived.body) !== JSON.stringify({ matched: null })) return this.anomaly(`an unmatched arrival: ${arrived.status} ${JSON.stringify(arrived.body)}`);
    this.records.unmatchedNotices.add(arrived.notificationId);
  }

  /** City staff refund a suspense item of this run to its payer (a payment order; a payer account the bank cannot pay fails, and the item reopens). */
  private async suspenseRefund() {
    if (!this.records.unmatchedNotices.size) return this.unmatchedArrival();
    let item: { itemId: string; notificationId: string } | undefined;
    let cursor: string | undefined;
    for (let page = 0; page < 20 && !item; page++) {
      this.counts.operations++;
      const res = await this.attempt('suspense.list', () => api('GET', `/v1/bank/suspense?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { as: staff('*') }));
      if (res.status !== 200) return res.status === 500 ? undefined : this.anomaly(`suspense list: ${res.status} ${res.raw}`);
      const ours = (res.body.items as { itemId: string; notificationId: string }[]).filter((i) => this.records.unmatchedNotices.has(i.notificationId) && !this.records.refunds.has(i.itemId));
      item = ours.length ? this.rng.pick(ours) : undefined;
      cursor = res.body.nextCursor;
      if (!cursor) break;
    }
    if (!item) return;
    const res = await this.call('suspense.refund', 'POST', `/v1/bank/suspense/${item.itemId}/assign`, { as: staff('*'), body: { refund: true, note: '退回付款人' } }, ['INVALID_STATE']);
    if (res.status === 200) this.records.refunds.add(item.itemId);
  }

  /** An employee on a remittance's list leaves: sealed, then moved out by a partner's request. */
  private async leaver(unit: UnitRec) {
    const a = this.pickAccount((x) => x.unitId === unit.unitId && x.status === 'NORMAL' && !x.loanId && !x.leaving);
    if (!a) return;
    const sealed = await this.call('seal', 'POST', `/v1/units/${unit.unitId}/employees/${a.accountNo}/seal`, { as: unitAgent(unit.unitId) }, ['INVALID_STATE', 'NOT_FOUND']);
    if (sealed.status !== 200) return;
    a.status = 'SEALED';
    if (await this.partnerRequest(a, 'TRANSFER_REQUEST', {}, this.records.transfersOut)) a.leaving = true;
  }

  private async hire() {
    const unit = this.rng.pick(this.units);
    const rehire = this.rng.chance(0.25) ? this.pickAccount((x) => x.status === 'SEALED' && !x.leaving) : undefined;
    const person = rehire ?? { idNumber: uniqueResidentId(), name: '职工' };
    const monthlyBase = String(this.rng.int(2_000, 24_000));
    const res = await this.call('hire', 'POST', `/v1/units/${unit.unitId}/employees`, { as: unitAgent(unit.unitId), body: { idNumber: person.idNumber, name: person.name, monthlyBase } }, ['CONFLICT', 'INVALID_STATE', 'NOT_ELIGIBLE']);
    if (res.status !== 201) return;
    const existing = this.accounts.get(res.body.accountNo);
    if (existing) Object.assign(existing, { status: 'NORMAL', unitId: unit.unitId, branch: res.body.branch, kind: res.body.kind });
    else this.addAccount({ accountNo: res.body.accountNo, idNumber: person.idNumber, name: person.name, branch: res.body.branch, kind: 'EMPLOYEE', unitId: unit.unitId, status: 'NORMAL' });
  }

  private async seal() {
    const a = this.pickAccount((x) => x.kind === 'EMPLOYEE' && x.status === 'NORMAL' && !!x.unitId);
    if (!a) return this.read();
    const res = await this.call('seal', 'POST', `/v1/units/${a.unitId}/employees/${a.accountNo}/seal`, { as: unitAgent(a.unitId!) }, ['INVALID_STATE', 'NOT_FOUND']);
    if (res.status === 200) a.status = 'SEALED';
  }

  private async openFlexible() {
    const branch = this.rng.pick(this.branches);
    const idNumber = uniqueResidentId();
    const body = { idNumber, name: '灵活就业', monthlyBase: String(this.rng.int(3_000, 20_000)), rate: String(this.rng.int(10, 24)) };
    const res = await this.call('flexible.open', 'POST', '/v1/flexible-accounts', { as: staff(branch), body }, []);
    if (res.status === 201) this.addAccount({ accountNo: res.body.accountNo, idNumber, name: body.name, branch, kind: 'FLEXIBLE', status: 'NORMAL', monthlyAmount: res.body.monthlyAmount });
  }

  private async loanApply() {
    const months = Array.from({ length: 6 }, (_, i) => addMonths(this.currentPeriod, -1 - i));
    const a = this.pickAccount((x) => x.kind === 'FLEXIBLE' && x.status === 'NORMAL' && !x.loanId && !x.leaving && months.every((p) => x.paid.has(p)));
    if (!a) return this.deposit();
    const co = this.rng.chance(0.3) ? this.pickAccount((x) => x !== a && x.kind === 'FLEXIBLE' && x.status === 'NORMAL' && !x.loanId && !x.leaving) : undefined;
    const body = {
      accountNo: a.accountNo,
      ...(co ? { coBorrowerAccountNo: co.accountNo } : {}),
      housePrice: '1000000',
      firstHome: this.rng.chance(0.7),
      termMonths: this.rng.int(36, 120),
      monthlyIncome: '20000',
      borrowerCategory: 'STANDARD',
      location: this.rng.pick(['DISTRICT', 'COUNTY']),
      repaymentMethod: this.rng.pick(['EQUAL_INSTALLMENT', 'EQUAL_PRINCIPAL']),
      amount: this.yuanBetween(500_000, 4_000_000),
    };
    const res = await this.call('loan.apply', 'POST', '/v1/loans', { as: member(a.accountNo), body }, ['NOT_ELIGIBLE']);
    if (res.status !== 201) return;
    a.loanId = res.body.loanId;
    if (co) co.loanId = res.body.loanId;
    this.loans.set(res.body.loanId, { loanId: res.body.loanId, accountNo: a.accountNo, coAccountNo: co?.accountNo, branch: a.branch, status: 'APPLIED', offset: false, busy: false });
  }

  private async loanReview() {
    const loan = this.pickLoan('APPLIED');
    if (!loan) return this.loanApply();
    const approve = this.rng.chance(0.9);
    const res = await this.call('loan.review', 'POST', `/v1/loans/${loan.loanId}/${approve ? 'approve' : 'reject'}`, { as: staff(loan.branch), body: {} }, ['INVALID_STATE']);
    if (res.status === 200) loan.status = res.body.status;
    if (loan.status === 'REJECTED') this.releaseParties(loan);
  }

  private async loanDisburse() {
    const loan = this.pickLoan('APPROVED');
    if (!loan) return this.loanReview();
    loan.busy = true;
    try {
      const disbursedOn = addDays(this.today, -this.rng.int(0, DISBURSE_DAYS_BACK));
      if (disbursedOn < this.today && !(await this.backdate(loan.loanId, disbursedOn))) return;
      const body = { payee: SELLER, disbursedOn, dueDay: this.rng.int(1, 28) };
      const res = await this.call('loan.disburse', 'POST', `/v1/loans/${loan.loanId}/disburse`, { as: staff(loan.branch), body }, ['INVALID_STATE', 'NOT_ELIGIBLE']);
      if (res.status !== 200) return;
      loan.status = 'ACTIVE';
      loan.clock = res.body.nextDue?.dueDate;
    } finally {
      loan.busy = false;
    }
  }

  private async offsetSign() {
    const loan = this.pickLoan('ACTIVE', (l) => !l.offset) ?? this.pickLoan('APPROVED', (l) => !l.offset);
    if (!loan) return this.loanDisburse();
    const res = await this.call('loan.offset', 'PUT', `/v1/loans/${loan.loanId}/offset`, { as: member(loan.accountNo), body: { enabled: true } }, ['INVALID_STATE']);
    if (res.status === 200) loan.offset = true;
  }

  /**
   * The daily run's per-loan step for the loan's next date (sometimes twice at once). A date before
   * today is caught up by the run of today (one run pays or marks overdue every installment due by
   * it): the world's money exists from today on, so no offset is dated before it.
   */
  private async dailyRun() {
    const loan = this.pickLoan('ACTIVE', (l) => !!l.clock);
    if (!loan) return this.offsetSign();
    loan.busy = true;
    try {
      const date = loan.clock! < this.today ? this.today : loan.clock!;
      const copies = this.rng.chance(0.15) ? 2 : 1;
      this.counts.operations += copies;
      if (copies > 1) this.counts.duplicates++;
      await Promise.all(Array.from({ length: copies }, () => this.runDaily(loan.loanId, date)));
      const next = (d: string) => addDays(`${addMonths(periodOf(d), this.rng.chance(0.1) ? 2 : 1)}-01`, Number(d.slice(8, 10)) - 1);
      let clock = next(loan.clock!);
      while (clock <= date) clock = next(clock);
      loan.clock = clock;
    } finally {
      loan.busy = false;
    }
  }

  /** The back-dating fixture of an approval, retried when a fault was injected into it (as the daily run is). */
  private async backdate(loanId: string, date: string): Promise<boolean> {
    for (let retry = 0; ; retry++) {
      const ctx: FaultContext = { injected: 0 };
      try {
        await faultContext.run(ctx, () => backdateApproval(loanId, date));
        return true;
      } catch (error) {
        if (ctx.injected === 0 || retry >= 10) {
          this.anomaly(`back-dating the approval of ${loanId} to ${date}: ${(error as Error).message}`);
          return false;
        }
      }
    }
  }

  private async runDaily(loanId: string, date: string) {
    for (let retry = 0; ; retry++) {
      const ctx: FaultContext = { injected: 0 };
      try {
        await faultContext.run(ctx, () => runDailyForLoan(loanId, date));
        this.counts.calls++;
        return;
      } catch (error) {
        this.counts.calls++;
        if (ctx.injected === 0 || retry >= 10) return this.anomaly(`daily run of ${loanId} for ${date}: ${(error as Error).message}`);
        this.counts.retries++;
      }
    }
  }

  private async prepayment() {
    const loan = this.pickLoan('ACTIVE');
    if (!loan) return this.loanDisburse();
    const full = this.rng.chance(0.08);
    const source = this.rng.chance(0.6) ? 'ACCOUNT' : 'BANK';
    const body = full ? { full: true, source } : { amount: this.yuanBetween(10_000, 500_000), recalculation: this.rng.pick(['REDUCE_TERM', 'REDUCE_PAYMENT']), source };
    const as = this.rng.chance(0.3) ? staff(loan.branch) : member(loan.coAccountNo && this.rng.chance(0.3) ? loan.coAccountNo : loan.accountNo);
    const res = await this.call('loan.prepay', 'POST', `/v1/loans/${loan.loanId}/prepayments`, { as, body }, ['INVALID_STATE', 'POLICY_VIOLATION', 'INSUFFICIENT_BALANCE']);
    if (res.status !== 201) return;
    this.records.prepayments.set(res.body.prepaymentId, { fen: yuanToFen(res.body.amount), source: res.body.source });
    if (res.body.loanStatus === 'CLOSED') this.closeLoan(loan);
  }

  private closeLoan(loan: LoanRec) {
    loan.status = 'CLOSED';
    this.releaseParties(loan);
  }

  private releaseParties(loan: LoanRec) {
    for (const no of [loan.accountNo, loan.coAccountNo]) if (no) this.accounts.get(no)!.loanId = undefined;
  }

  private async bankRepayment() {
    const loan = this.pickLoan('ACTIVE');
    if (!loan) return this.loanDisburse();
    const view = await this.attempt('loan.read', () => api('GET', `/v1/loans/${loan.loanId}`, { as: staff(loan.branch) }));
    this.counts.operations++;
    const due = view.body?.nextDue;
    if (view.status !== 200 || !due) return;
    // the bank reports what it received: on a day up to today (an installment due later is not paid yet)
    if (due.dueDate > this.today) return this.dailyRun();
    const body = { amount: due.amount, paidOn: due.dueDate, bankRef: `WLB-${randomUUID()}` };
    const res = await this.call('loan.repay', 'POST', `/v1/loans/${loan.loanId}/repayments`, { as: staff(loan.branch), body }, ['POLICY_VIOLATION', 'INVALID_STATE']);
    if (res.status !== 201) return;
    this.records.repaymentsFen.set(res.body.repaymentId, yuanToFen(res.body.amount));
    if (res.body.loanStatus === 'CLOSED') this.closeLoan(loan);
  }

  /** A partner's request about one of our members (a fresh nonce per copy, the same requestId). */
  private async partnerRequest(a: Acct, type: string, extra: Record<string, unknown>, into: Set<string>) {
    const body = { requestId: `WLR-${randomUUID()}`, type, payload: { idNumber: a.idNumber, name: a.name, ...extra } };
    const results = await this.partnerCall(type, '/v1/interprovincial/requests', body, [], this.rng.chance(0.12) ? 2 : 1);
    const ids = new Set(results.filter((r) => r.status === 202).map((r) => r.body.trackingId));
    if (ids.size > 1) this.anomaly(`${type}: one requestId got ${ids.size} tracking ids`);
    for (const id of ids) into.add(id);
    return ids.size > 0;
  }

  private async transferOut() {
    // now and then an account still active under its unit: the partner gets a rejection
    const a = this.rng.chance(0.1) ? this.pickAccount((x) => this.open(x) && x.kind === 'EMPLOYEE' && x.status === 'NORMAL') : this.pickAccount((x) => this.open(x) && !x.loanId && !(x.kind === 'EMPLOYEE' && x.status === 'NORMAL'));
    if (!a) return this.read();
    if (await this.partnerRequest(a, 'TRANSFER_REQUEST', {}, this.records.transfersOut)) a.leaving = true;
  }

  /** A member of ours withdraws in the partner's city: retirement (closes the account) or a purchase. */
  private async partnerWithdrawal() {
    const a = this.pickAccount(this.open);
    if (!a) return this.read();
    if (this.rng.chance(0.35)) {
      if (await this.partnerRequest(a, 'RETIREMENT_WITHDRAWAL', { retirementDate: addDays(this.today, -this.rng.int(1, 300)) }, this.records.partnerWithdrawals)) a.leaving = true;
      return;
    }
    const extra = { amount: this.yuanBetween(1_000, 300_000), contractNo: `YDHT-${this.rng.int(1, 1e6)}`, propertyCertificateNo: `YDFC-${this.rng.int(1, 1e6)}`, price: '800000', purchaseDate: addDays(this.today, -this.rng.int(0, 200)), city: '成都' };
    await this.partnerRequest(a, 'PURCHASE_WITHDRAWAL', extra, this.records.partnerWithdrawals);
  }

  private async inquiry() {
    const a = this.pickAccount(() => true);
    if (!a) return this.read();
    const type = this.rng.pick(['BALANCE_INQUIRY', 'DEPOSIT_CERTIFICATE', 'LOAN_PAYOFF_CERTIFICATE', 'FULL_PREPAYMENT']);
    // a full prepayment of 0.01 is never the payoff amount: the partner is told AMOUNT_MISMATCH (or
    // NO_ACTIVE_LOAN) and no money moves, so the model's balances stay exact
    const extra = type === 'FULL_PREPAYMENT' ? { loanId: a.loanId ?? `L-NONE-${this.rng.int(1, 1e6)}`, amount: '0.01', bankRef: `WLP-${this.rng.int(1, 1e9)}` } : {};
    await this.partnerRequest(a, type, extra, this.records.inquiries);
  }

  /** Staff defer a borrower's installments (缓期还贷) around the loan's calendar: no money moves. */
  private async loanDeferral() {
    const loan = this.pickLoan('ACTIVE', (l) => !!l.clock);
    if (!loan) return this.loanDisburse();
    const fromPeriod = periodOf(loan.clock!);
    const body = { fromPeriod, toPeriod: addMonths(fromPeriod, this.rng.int(0, 2)), reason: '失业困难' };
    await this.call('loan.deferral', 'POST', `/v1/loans/${loan.loanId}/deferrals`, { as: staff(loan.branch), body }, ['POLICY_VIOLATION', 'INVALID_STATE']);
  }

  private async transferIn() {
    const a = this.pickAccount(this.open);
    if (!a) return this.read();
    const res = await this.call('transfer-in.request', 'POST', '/v1/interprovincial/transfer-requests', { as: staff(a.branch), body: { idNumber: a.idNumber, name: a.name, fromCenter: this.partner.code, toAccountNo: a.accountNo } }, [
      'INVALID_STATE',
      'NOT_FOUND',
    ]);
    if (res.status === 202) this.transfersIn.set(res.body.transferId, { transferId: res.body.transferId, accountNo: a.accountNo, final: false });
  }

  /** The partner's outcome of one of our transfer requests, sometimes sent twice at once. */
  private async partnerCallback() {
    const open = [...this.transfersIn.values()].filter((t) => !t.final);
    if (!open.length) return this.transferIn();
    const t = this.rng.pick(open);
    t.final = true;
    const completed = this.rng.chance(0.85);
    const amount = this.yuanBetween(1_000, 3_000_000);
    const body = {
      trackingId: `PT-${randomUUID()}`,
      requestId: t.transferId,
      type: 'TRANSFER_REQUEST',
      status: completed ? 'COMPLETED' : 'REJECTED',
      ...(completed ? { result: { amount, interest: '0.00', closedOn: this.today } } : { rejection: { code: 'ACCOUNT_FROZEN', message: '账户已冻结' } }),
    };
    // a closed receiving account cannot be credited: 409, the transfer stays open
    const results = await this.partnerCall('transfer-in.callback', '/v1/interprovincial/callbacks', body, ['INVALID_STATE'], this.rng.chance(0.15) ? 2 : 1);
    if (completed && results.some((r) => r.status === 200)) this.records.transfersInFen.set(t.transferId, yuanToFen(amount));
  }

  /** An earlier request sent again with its Idempotency-Key: the same answer, byte for byte. */
  private async replay() {
    if (!this.replayable.length) return this.read();
    const r = this.rng.pick(this.replayable);
    this.counts.operations++;
    this.counts.replays++;
    const res = await this.attempt('replay', () => api(r.method, r.path, { as: r.as, body: r.body, idem: r.key }));
    if (res.status !== r.status || res.raw !== r.raw || res.headers['idempotency-replayed'] !== 'true') this.anomaly(`replay of ${r.method} ${r.path}: ${res.status} ${res.raw} (first: ${r.status} ${r.raw})`);
  }

  /** The same Idempotency-Key with another (valid) body: 422 IDEMPOTENCY_KEY_REUSED, nothing done. */
  private async keyReuse() {
    const candidates = this.replayable.filter((r) => 'bankRef' in r.body || 'payeeBankAccount' in r.body);
    if (!candidates.length) return this.read();
    const r = this.rng.pick(candidates);
    const other = 'bankRef' in r.body ? { bankRef: `WL-OTHER-${this.rng.int(1, 1e9)}` } : { payeeBankAccount: '6222029999999999' };
    this.counts.operations++;
    const res = await this.attempt('key-reuse', () => api(r.method, r.path, { as: r.as, body: { ...r.body, ...other }, idem: r.key }));
    if (res.status !== 422 || res.body?.code !== 'IDEMPOTENCY_KEY_REUSED') this.anomaly(`key reuse on ${r.method} ${r.path}: ${res.status} ${res.raw}`);
  }

  private async read() {
    const a = this.pickAccount(() => true);
    if (!a) return;
    const path = this.rng.chance(0.5) ? `/v1/accounts/${a.accountNo}` : `/v1/accounts/${a.accountNo}/entries?limit=20`;
    this.counts.operations++;
    const res = await this.attempt('read', () => api('GET', path, { as: member(a.accountNo) }));
    if (res.status !== 200 && res.status !== 500) this.anomaly(`read ${path}: ${res.status} ${res.raw}`);
  }
}
