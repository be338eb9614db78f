// Use cases of the loans domain: they read (store, ledger), decide with the pure domain and commit
// one transaction (loan + schedule + ledger + loan totals + idempotency record).
import { commit, type IdempotencyContext } from '../../shared/tx.ts';
import { DomainError } from '../../shared/errors.ts';
import { staffCovers, notFound, forbidden, type Caller } from '../../shared/auth.ts';
import { businessDate, periodOf } from '../../shared/clock.ts';
import { newId } from '../../shared/ids.ts';
import { canonicalJson } from '../../shared/http.ts';
import { fenToYuan, percentString } from '../../shared/money.ts';
import { loanAnnualRate, policyOn } from '../../shared/policy.ts';
import { parseResidentId } from '../../shared/validators.ts';
import { consecutiveDepositMonths, unitDeferrals } from '../../shared/contributions.ts';
import { debitsAllowed, getAccounts, ledgerWrite, mustGetAccount, type Account, type AccountChanges, type AccountWrite, type FundFlow, type Posting } from '../../shared/ledger/ledger.ts';
import { assertStatus, decide, ineligibilities, quoteInput, type Loan, type LoanApplication } from './domain/loan.ts';
import { quoteLoan } from './domain/quote.ts';
import { monthlyDueDate, scheduleFor } from './domain/schedule.ts';
import { defer, markOverdue, newRows, noAllocation, offset, payOff, prepayPartial, refreshLoan, repay, reprice, allocatedFen, type Allocation, type PenaltyRates, type ScheduleRow } from './domain/installments.ts';
import type { RecalculationMode } from './domain/prepayment.ts';
import { installmentView, loanView, quoteView } from './domain/views.ts';
import { bankRefItem, bankRefUsed, getLoan, getSchedule, loanWriteItems, loansDueBy, DUE_SEGMENTS } from './store.ts';
import { send } from '../../shared/sqs.ts';
import type { Logger } from '../../shared/log.ts';

// ---------- access ----------

const isParty = (caller: Caller, loan: Loan) => caller.role === 'member' && !!caller.accountNo && (caller.accountNo === loan.accountNo || caller.accountNo === loan.coBorrowerAccountNo);

function canSee(caller: Caller, loan: Loan): boolean {
  if (caller.role === 'auditor') return true;
  return isParty(caller, loan) || staffCovers(caller, loan.branch);
}

/** The loan if the caller may see it; 404 otherwise (a loan id reveals nothing). */
async function visibleLoan(caller: Caller, loanId: string): Promise<Loan> {
  const loan = await getLoan(loanId);
  if (!loan || !canSee(caller, loan)) return notFound('Loan');
  return loan;
}

/** Staff acting on a loan of their branch (others: 404). */
async function staffLoan(caller: Caller, loanId: string): Promise<Loan> {
  const loan = await getLoan(loanId);
  if (!loan || !staffCovers(caller, loan.branch)) return notFound('Loan');
  return loan;
}

async function ownAccount(caller: Caller, accountNo: string): Promise<Account> {
  const [account] = (await getAccounts([accountNo])).values();
  const mayUse = caller.role === 'member' ? caller.accountNo === accountNo : staffCovers(caller, account?.branch ?? '');
  if (!account || !mayUse) return notFound('Account');
  return account;
}

async function coBorrowerAccount(app: LoanApplication): Promise<Account | undefined> {
  if (!app.coBorrowerAccountNo) return undefined;
  if (app.coBorrowerAccountNo === app.accountNo) {
    throw new DomainError('VALIDATION_FAILED', 'The co-borrower must be another person / 共同借款人不能是借款人本人', [{ path: 'body.coBorrowerAccountNo', message: 'same as accountNo' }]);
  }
  const [account] = (await getAccounts([app.coBorrowerAccountNo])).values();
  if (!account) return notFound('Co-borrower account');
  return account;
}

const partyAccounts = async (loan: Loan): Promise<Account[]> => {
  const byNo = await getAccounts([loan.accountNo, ...(loan.coBorrowerAccountNo ? [loan.coBorrowerAccountNo] : [])]);
  return [loan.accountNo, loan.coBorrowerAccountNo].flatMap((no) => (no && byNo.get(no) ? [byNo.get(no)!] : []));
};

// ---------- shared pieces of the writes ----------

const thresholds = (date: string) => {
  const p = policyOn(date).loans;
  return { consecutive: p.overdueFindingConsecutive, cumulative: p.overdueFindingCumulative };
};
const penaltyRates = (loan: Loan, date: string): PenaltyRates => {
  const p = policyOn(date).loans;
  return { annualRate: loan.annualRate, multiplier: p.penaltyMultiplier, dayBasis: p.penaltyDayBasis };
};

/** Fund flows of money paid into the loan (principal, interest, penalty interest). */
function paymentFlows(loan: Loan, paid: Allocation, date: string): FundFlow[] {
  const flows: FundFlow[] = [
    { kind: 'LOAN_REPAYMENT', amountFen: paid.principalFen, branch: loan.branch, period: periodOf(date) },
    { kind: 'LOAN_INTEREST', amountFen: paid.interestFen, branch: loan.branch, period: periodOf(date) },
    { kind: 'PENALTY_INTEREST', amountFen: paid.penaltyFen, branch: loan.branch, period: periodOf(date) },
  ];
  return flows.filter((f) => f.amountFen !== 0);
}

/**
 * The account writes of a loan change: postings per account, plus the flags the loans domain keeps on
 * the parties' accounts (activeLoanId until payoff, hasOverdueLoan while an installment is overdue).
 */
function accountWrites(after: Loan, accounts: readonly Account[], postings: ReadonlyMap<string, Posting[]> = new Map()): AccountWrite[] {
  const writes: AccountWrite[] = [];
  for (const account of accounts) {
    const changes: AccountChanges = {};
    const overdue = after.overdueInstallments > 0;
    if ((account.hasOverdueLoan ?? false) !== overdue) changes.hasOverdueLoan = overdue;
    if (after.status === 'ACTIVE' && account.activeLoanId !== after.loanId) changes.activeLoanId = after.loanId;
    if (after.status === 'CLOSED' && account.activeLoanId === after.loanId) changes.activeLoanId = null;
    const p = postings.get(account.accountNo) ?? [];
    if (p.length || Object.keys(changes).length) writes.push({ account, postings: p, changes });
  }
  return writes;
}

const changed = (a: unknown, b: unknown) => canonicalJson(a) !== canonicalJson(b);

// ---------- quote and application ----------

export async function quote(caller: Caller, app: LoanApplication) {
  const borrower = await ownAccount(caller, app.accountNo);
  const co = await coBorrowerAccount(app);
  return quoteView(quoteLoan(quoteInput(app, borrower.balanceFen + (co?.balanceFen ?? 0), policyOn(businessDate()))));
}

export async function applyForLoan(caller: Caller, app: LoanApplication & { amountFen: number }, idempotency: IdempotencyContext | undefined) {
  const loanId = newId('L');
  return commit({
    idempotency,
    plan: async () => {
      const today = businessDate();
      const policy = policyOn(today);
      const borrower = await ownAccount(caller, app.accountNo);
      const co = await coBorrowerAccount(app);
      const q = quoteLoan(quoteInput(app, borrower.balanceFen + (co?.balanceFen ?? 0), policy));
      const person = parseResidentId(borrower.idNumber);
      const reasons = ineligibilities(
        {
          borrower,
          coBorrower: co,
          consecutiveDepositMonths: consecutiveDepositMonths(borrower.paidPeriods ?? [], await unitDeferrals(borrower.unitId), periodOf(today)),
          birthDate: person.birthDate,
          gender: person.gender,
          today,
          termMonths: app.termMonths,
          amountFen: app.amountFen,
          maxAmountFen: q.maxAmountFen,
        },
        policy.loans,
      );
      if (reasons.length) throw new DomainError('NOT_ELIGIBLE', `Not eligible for an HPF loan: ${reasons.map((r) => r.reason).join(', ')} / 不符合贷款条件`, reasons);
      const now = new Date().toISOString();
      const loan: Loan = {
        loanId,
        accountNo: app.accountNo,
        coBorrowerAccountNo: app.coBorrowerAccountNo,
        branch: borrower.branch,
        status: 'APPLIED',
        principalFen: app.amountFen,
        outstandingPrincipalFen: 0,
        annualRate: q.annualRate,
        termMonths: app.termMonths,
        repaymentMethod: app.repaymentMethod,
        housePriceFen: app.housePriceFen,
        firstHome: app.firstHome,
        monthlyIncomeFen: app.monthlyIncomeFen,
        borrowerCategory: app.borrowerCategory,
        location: app.location,
        quote: { maxAmountFen: q.maxAmountFen, binding: q.binding },
        appliedOn: today,
        appliedBy: caller.sub,
        offsetEnabled: false,
        deferrals: [],
        prepaidPrincipalFen: 0,
        overdueInstallments: 0,
        overdueAmountFen: 0,
        overduePrincipalFen: 0,
        penaltyOutstandingFen: 0,
        consecutiveOverdue: 0,
        cumulativeOverdue: 0,
        riskClass: 'NORMAL',
        overdueFinding: false,
        version: 0,
        createdAt: now,
        updatedAt: now,
      };
      return {
        items: loanWriteItems(undefined, loan),
        body: { loanId, status: loan.status, amount: fenToYuan(loan.principalFen), annualRate: percentString(loan.annualRate), termMonths: loan.termMonths, maxAmount: fenToYuan(q.maxAmountFen) },
      };
    },
  });
}

// ---------- review and disbursement ----------

export async function review(caller: Caller, loanId: string, decision: 'APPROVED' | 'REJECTED', note: string | undefined, idempotency: IdempotencyContext | undefined) {
  return commit({
    idempotency,
    plan: async () => {
      const loan = await staffLoan(caller, loanId);
      const today = businessDate();
      const after = decide(loan, decision, caller.sub, today, policyOn(today).loans, note);
      return { items: loanWriteItems(loan, after), body: loanView(after) };
    },
  });
}

export async function disburse(caller: Caller, loanId: string, input: { disbursedOn: string; dueDay?: number }, idempotency: IdempotencyContext | undefined) {
  return commit({
    idempotency,
    plan: async () => {
      const loan = await staffLoan(caller, loanId);
      assertStatus(loan, 'APPROVED');
      if (input.disbursedOn < loan.decision!.on) {
        throw new DomainError('POLICY_VIOLATION', `disbursedOn is before the approval on ${loan.decision!.on} / 放款日期早于审批日期`, [{ path: 'body.disbursedOn', message: 'before the approval date' }]);
      }
      const accounts = await partyAccounts(loan);
      const blocked = accounts.filter((a) => a.activeLoanId || a.hasOverdueLoan || a.status !== 'NORMAL');
      if (blocked.length) {
        throw new DomainError('NOT_ELIGIBLE', 'A party now has another loan, an overdue record or an account not NORMAL / 借款人状态已变化，不能放款', blocked.map((a) => ({ path: a.accountNo === loan.accountNo ? 'loan.accountNo' : 'loan.coBorrowerAccountNo', message: `account ${a.accountNo}: ${a.activeLoanId ? 'active loan' : a.hasOverdueLoan ? 'overdue loan' : a.status}` })));
      }
      const dueDay = input.dueDay ?? Number(input.disbursedOn.slice(8, 10));
      const rows = newRows(scheduleFor(loan.repaymentMethod, { principalFen: loan.principalFen, annualRate: loan.annualRate, termMonths: loan.termMonths, firstDueDate: monthlyDueDate(input.disbursedOn, 1, dueDay), dueDay }));
      const after = refreshLoan({ ...loan, status: 'ACTIVE', disbursedOn: input.disbursedOn, disbursedBy: caller.sub, dueDay }, rows, input.disbursedOn, thresholds(input.disbursedOn));
      const ledger = ledgerWrite(accountWrites(after, accounts), { fundFlows: [{ kind: 'LOAN_DISBURSEMENT', amountFen: loan.principalFen, branch: loan.branch, period: periodOf(input.disbursedOn) }] });
      return { items: [...loanWriteItems(loan, after, [], rows), ...ledger.items], body: loanView(after) };
    },
  });
}

// ---------- reads ----------

export async function readLoan(caller: Caller, loanId: string) {
  return loanView(await visibleLoan(caller, loanId));
}

export async function readSchedule(caller: Caller, loanId: string) {
  const loan = await visibleLoan(caller, loanId);
  return { loanId: loan.loanId, installments: (await getSchedule(loanId)).map(installmentView) };
}

export async function payoffCertificate(caller: Caller, loanId: string) {
  const loan = await visibleLoan(caller, loanId);
  assertStatus(loan, 'CLOSED');
  const borrower = await mustGetAccount(loan.accountNo);
  return { loanId: loan.loanId, accountNo: loan.accountNo, name: borrower.name, principal: fenToYuan(loan.principalFen), paidOffOn: loan.paidOffOn, certificateNo: loan.certificateNo };
}

// ---------- repayment, prepayment, offset agreement, deferral ----------

export async function repayFromBank(caller: Caller, loanId: string, input: { amountFen: number; paidOn: string; bankRef: string }, idempotency: IdempotencyContext | undefined) {
  const repaymentId = newId('P');
  return commit({
    idempotency,
    plan: async () => {
      const loan = await staffLoan(caller, loanId);
      assertStatus(loan, 'ACTIVE');
      if (await bankRefUsed(loanId, input.bankRef)) throw new DomainError('CONFLICT', `Bank report ${input.bankRef} was already applied to this loan / 该银行流水已入账`);
      const rows = await getSchedule(loanId);
      const out = repay(rows, input.amountFen, input.paidOn, penaltyRates(loan, input.paidOn));
      const after = refreshLoan(loan, out.rows, input.paidOn, thresholds(input.paidOn));
      const ledger = ledgerWrite(accountWrites(after, await partyAccounts(loan)), { fundFlows: paymentFlows(loan, out.paid, input.paidOn) });
      const body = {
        repaymentId,
        loanId,
        amount: fenToYuan(input.amountFen),
        paidOn: input.paidOn,
        bankRef: input.bankRef,
        principal: fenToYuan(out.paid.principalFen),
        interest: fenToYuan(out.paid.interestFen),
        penaltyInterest: fenToYuan(out.paid.penaltyFen),
        installments: out.paidNos,
        outstandingPrincipal: fenToYuan(after.outstandingPrincipalFen),
        loanStatus: after.status,
      };
      return { items: [...loanWriteItems(loan, after, rows, out.rows), bankRefItem(loanId, input.bankRef, { ...body, by: caller.sub }), ...ledger.items], body };
    },
  });
}

export interface PrepaymentInput {
  amountFen?: number;
  full: boolean;
  recalculation?: RecalculationMode;
  source: 'BANK' | 'ACCOUNT';
}

export async function prepay(caller: Caller, loanId: string, input: PrepaymentInput, idempotency: IdempotencyContext | undefined) {
  const prepaymentId = newId('Q');
  return commit({
    idempotency,
    plan: async () => {
      const loan = await getLoan(loanId);
      if (!loan || !(isParty(caller, loan) || staffCovers(caller, loan.branch))) return notFound('Loan');
      assertStatus(loan, 'ACTIVE');
      const today = businessDate();
      const rows = await getSchedule(loanId);
      let next: ScheduleRow[];
      let paid: Allocation;
      let prepaidFen: number;
      if (input.full) {
        ({ rows: next, paid, prepaidPrincipalFen: prepaidFen } = payOff(rows, today, penaltyRates(loan, today)));
      } else {
        next = prepayPartial(loan, rows, input.amountFen!, input.recalculation!, today);
        paid = { ...noAllocation(), principalFen: input.amountFen! };
        prepaidFen = input.amountFen!;
      }
      const amountFen = allocatedFen(paid);
      const after = refreshLoan({ ...loan, prepaidPrincipalFen: loan.prepaidPrincipalFen + prepaidFen }, next, today, thresholds(today));
      const postings = new Map<string, Posting[]>();
      if (input.source === 'ACCOUNT') {
        const payer = caller.role === 'member' ? caller.accountNo! : loan.accountNo;
        postings.set(payer, [{ amountFen: -amountFen, type: 'WITHDRAWAL', ref: loanId, valueDate: today, memo: `HPF_LOAN_REPAYMENT/${policyOn(today).withdrawals.reasons.HPF_LOAN_REPAYMENT.code}` }]);
      }
      const ledger = ledgerWrite(accountWrites(after, await partyAccounts(loan), postings), { fundFlows: paymentFlows(loan, paid, today) });
      const body = {
        prepaymentId,
        loanId,
        kind: input.full ? 'FULL' : 'PARTIAL',
        amount: fenToYuan(amountFen),
        recalculation: input.full ? null : input.recalculation,
        source: input.source,
        loanStatus: after.status,
        outstandingPrincipal: fenToYuan(after.outstandingPrincipalFen),
        remainingInstallments: next.filter((r) => r.status !== 'PAID').length,
        nextDue: loanView(after).nextDue,
        paidOffOn: after.paidOffOn ?? null,
      };
      return { items: [...loanWriteItems(loan, after, rows, next), ...ledger.items], body };
    },
  });
}

export async function setOffset(caller: Caller, loanId: string, enabled: boolean) {
  return commit({
    plan: async () => {
      const loan = await visibleLoan(caller, loanId);
      if (caller.accountNo !== loan.accountNo) forbidden('Only the borrower signs or cancels the monthly offset / 仅借款人可签约或解约月对冲');
      assertStatus(loan, 'APPLIED', 'APPROVED', 'ACTIVE');
      const after: Loan = { ...loan, offsetEnabled: enabled, offsetChangedAt: new Date().toISOString() };
      const body = { loanId, offset: { enabled } };
      return { items: loan.offsetEnabled === enabled ? [] : loanWriteItems(loan, after), body };
    },
  });
}

export async function deferInstallments(caller: Caller, loanId: string, input: { fromPeriod: string; toPeriod: string; reason: string }, idempotency: IdempotencyContext | undefined) {
  return commit({
    idempotency,
    plan: async () => {
      const loan = await staffLoan(caller, loanId);
      assertStatus(loan, 'ACTIVE');
      const today = businessDate();
      const rows = await getSchedule(loanId);
      const out = defer(rows, input.fromPeriod, input.toPeriod);
      if (!out.deferred.length) throw new DomainError('POLICY_VIOLATION', `No unpaid installment falls due in ${input.fromPeriod}–${input.toPeriod} / 该期间无可缓期的期次`);
      const deferral = { ...input, by: caller.sub, at: new Date().toISOString(), installments: out.deferred };
      const after = refreshLoan({ ...loan, deferrals: [...loan.deferrals, deferral] }, out.rows, today, thresholds(today));
      const ledger = ledgerWrite(accountWrites(after, await partyAccounts(loan)));
      return { items: [...loanWriteItems(loan, after, rows, out.rows), ...ledger.items], body: { loanId, fromPeriod: input.fromPeriod, toPeriod: input.toPeriod, reason: input.reason, installments: out.deferred } };
    },
  });
}

// ---------- the daily run (月对冲, overdue, penalty interest) ----------

/**
 * One loan's daily work for `date`, in one transaction: unpaid installments due before it become
 * OVERDUE with penalty interest accrued to it; with the offset signed, installments due by it that the
 * offset has not run for are paid from the borrower's, then the co-borrower's, balance (LOAN_OFFSET,
 * entry key OFFSET-<loanId>-<no>: at most once even if runs repeat or overlap).
 */
export async function runDailyForLoan(loanId: string, date: string) {
  return commit({
    plan: async () => {
      const loan = await getLoan(loanId);
      if (!loan || loan.status !== 'ACTIVE') return { items: [], body: { loanId, changed: false } };
      const rows = await getSchedule(loanId);
      const accounts = await partyAccounts(loan);
      const overdue = markOverdue(rows, date, penaltyRates(loan, date));
      const off = loan.offsetEnabled ? offset(overdue, date, accounts.map((a) => (debitsAllowed(a.status) ? a.balanceFen : 0))) : { rows: overdue, debits: [], paid: noAllocation() };
      const after = refreshLoan(loan, off.rows, date, thresholds(date));
      if (!changed(rows, off.rows) && !changed(loan, after)) return { items: [], body: { loanId, changed: false } };
      const postings = new Map<string, Posting[]>();
      for (const d of off.debits) {
        const accountNo = accounts[d.account].accountNo;
        postings.set(accountNo, [...(postings.get(accountNo) ?? []), { amountFen: -d.amountFen, type: 'LOAN_OFFSET', ref: `${loanId}:${d.no}`, entryKey: `OFFSET-${loanId}-${d.no}`, valueDate: date }]);
      }
      const ledger = ledgerWrite(accountWrites(after, accounts, postings), { fundFlows: paymentFlows(loan, off.paid, date) });
      return { items: [...loanWriteItems(loan, after, rows, off.rows), ...ledger.items], body: { loanId, changed: true } };
    },
  });
}

// ---------- the annual repricing (existing loans reprice on the next January 1) ----------

/**
 * One loan's repricing for the year of `date`: a loan disbursed before that year's January 1 takes
 * the rate the policy in force on that day gives its home (first/second) and contract term; its
 * untouched installments due from January 1 are recalculated (domain/installments.ts `reprice`).
 * The same rate changes nothing, so a repeated or late run is harmless. No money moves.
 */
export async function runRepriceForLoan(loanId: string, date: string) {
  const january1 = `${date.slice(0, 4)}-01-01`;
  return commit<{ loanId: string; changed: boolean; from?: string; to?: string }>({
    plan: async () => {
      const loan = await getLoan(loanId);
      if (!loan || loan.status !== 'ACTIVE' || !loan.disbursedOn || loan.disbursedOn >= january1) return { items: [], body: { loanId, changed: false } };
      const annualRate = loanAnnualRate(policyOn(january1), loan);
      if (annualRate === loan.annualRate) return { items: [], body: { loanId, changed: false } };
      const rows = await getSchedule(loanId);
      const repriced = reprice(loan, rows, annualRate, january1);
      const after = refreshLoan({ ...loan, annualRate, repricedOn: january1 }, repriced, date, thresholds(date));
      return { items: loanWriteItems(loan, after, rows, repriced), body: { loanId, changed: true, from: loan.annualRate, to: annualRate } };
    },
  });
}

// ---------- the batch runs' fan-out over the loan index ----------

const DAILY_PAGE_LOANS = 25;
/** Beyond every due date: the whole index (every active loan with an installment to pay). */
const ALL_DUE = '9999-12-31';

export interface DailySegmentMessage {
  /** `daily` (default): the loans due by `date`; `reprice`: every active loan, for the year of `date`. */
  task?: 'daily' | 'reprice';
  segment: number;
  date: string;
  cursor?: string;
}

/** The daily run's fan-out: one message per segment of the due-loan index to the loan-batch queue. */
export async function startDailyRun(date: string) {
  const messages = Array.from({ length: DUE_SEGMENTS }, (_, segment) => ({ body: { segment, date } satisfies DailySegmentMessage }));
  await send('loan-batch', ...messages);
  return { date, segments: DUE_SEGMENTS };
}

/** The annual repricing's fan-out (January 1), over the same index and queue. */
export async function startRepricingRun(date: string) {
  const messages = Array.from({ length: DUE_SEGMENTS }, (_, segment) => ({ body: { task: 'reprice', segment, date } satisfies DailySegmentMessage }));
  await send('loan-batch', ...messages);
  return { date, segments: DUE_SEGMENTS };
}

/**
 * One page of a segment: each loan due by the date gets its daily run (or, for `reprice`, each
 * active loan its repricing); the next page goes back to the queue first (progress for the others),
 * then a failed loan fails the message so that SQS redelivers it (every loan's run is idempotent).
 */
export async function runDailySegment(msg: DailySegmentMessage, log: Logger) {
  const task = msg.task ?? 'daily';
  const page = await loansDueBy(msg.segment, task === 'reprice' ? ALL_DUE : msg.date, DAILY_PAGE_LOANS, msg.cursor);
  if (page.nextCursor) await send('loan-batch', { body: { ...msg, cursor: page.nextCursor } satisfies DailySegmentMessage });
  const failed: string[] = [];
  for (const loanId of page.items) {
    try {
      await (task === 'reprice' ? runRepriceForLoan(loanId, msg.date) : runDailyForLoan(loanId, msg.date));
    } catch (error) {
      log.error(`${task} run of a loan failed`, { loanId, date: msg.date, error });
      failed.push(loanId);
    }
  }
  log.info(`${task} segment page done`, { segment: msg.segment, date: msg.date, loans: page.items.length, failed: failed.length });
  if (failed.length) throw new Error(`${task} run failed for ${failed.length} loans`);
}
