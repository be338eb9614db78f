// Money paid into a loan: the bank's repayment report, prepayment (from the bank, or from the member's
// account as an HPF_LOAN_REPAYMENT withdrawal), and the plan the withdrawals domain commits.
import { commit, type IdempotencyContext } from '../../../shared/tx.ts';
import { DomainError } from '../../../shared/errors.ts';
import { notFound, type Caller } from '../../../shared/auth.ts';
import { businessDate } from '../../../shared/clock.ts';
import { newId } from '../../../shared/ids.ts';
import { fenToYuan } from '../../../shared/money.ts';
import type { TxItem } from '../../../shared/ddb.ts';
import { debitsAllowed, ledgerWrite, type Account, type Posting } from '../../../shared/ledger/ledger.ts';
import { withdrawForLoanRepayment } from '../../withdrawals/public.ts';
import { assertStatus, type Loan } from '../domain/loan.ts';
import { paymentFlows, penaltyRates, thresholds, applyPayment, largestPaymentFen, noAllocation, payOff, prepayPartial, refreshLoan, repay, type Allocation, type ScheduleRow } from '../domain/installments.ts';
import type { RecalculationMode } from '../domain/prepayment.ts';
import { loanView } from '../domain/views.ts';
import { bankRefItem, bankRefUsed, getLoan, getSchedule, loanWriteItems, type StoredFlags } from '../store.ts';
import { partyOrStaffLoan, staffLoan } from './access.ts';
import { flagItems, partyFlags, postingWrites } from './parties.ts';
import { loanArchive } from './archive.ts';

export interface BankRepaymentInput {
  amountFen: number;
  paidOn: string;
  bankRef: string;
}

/** What a bank repayment answers (the route's 201 body; stored with the bank reference). */
export interface BankRepaymentResult {
  repaymentId: string;
  loanId: string;
  amount: string;
  paidOn: string;
  bankRef: string;
  principal: string;
  interest: string;
  penaltyInterest: string;
  installments: number[];
  outstandingPrincipal: string;
  loanStatus: string;
}

/**
 * The one code path of a bank repayment report (the staff route and the bank's arrival notice), on
 * the loan as read: ACTIVE (else INVALID_STATE), the bank reference not yet applied to it (CONFLICT),
 * the payable installments paid overdue first (more than is payable: POLICY_VIOLATION). The items
 * (loan, schedule, totals, the bank reference's record, conditioned on not existing: committed twice,
 * it applies once; the parties' flags; the fund flows; the LOAN archive record); commits nothing.
 */
export async function planBankRepayment(loan: Loan, input: BankRepaymentInput, actor: { sub: string; role: string }, repaymentId: string, at?: Date): Promise<{ items: TxItem[]; body: BankRepaymentResult }> {
  assertStatus(loan, 'ACTIVE');
  const loanId = loan.loanId;
  const [used, rows, flags] = await Promise.all([bankRefUsed(loanId, input.bankRef), getSchedule(loanId), partyFlags(loan)]);
  if (used) throw new DomainError('CONFLICT', `Bank report ${input.bankRef} was already applied to this loan / 该银行流水已入账`);
  const out = repay(rows, input.amountFen, input.paidOn, penaltyRates(loan, input.paidOn));
  const after = refreshLoan(loan, out.rows, input.paidOn, thresholds(input.paidOn));
  const ledger = ledgerWrite([], { fundFlows: paymentFlows(loan, out.paid, input.paidOn), ...(at ? { now: at } : {}) });
  const body: BankRepaymentResult = {
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
  return {
    items: [...loanWriteItems(loan, after, rows, out.rows), bankRefItem(loanId, input.bankRef, { ...body, by: actor.sub }), ...flagItems(after, flags), ...ledger.items, loanArchive(loan, 'BANK_REPAYMENT', actor, input, { status: 'APPLIED', repaymentId, installments: out.paidNos, paid: out.paid }, undefined, at)],
    body,
  };
}

export async function repayFromBank(caller: Caller, loanId: string, input: BankRepaymentInput, idempotency: IdempotencyContext | undefined) {
  const repaymentId = newId('P');
  return commit({
    idempotency,
    plan: async () => planBankRepayment(await staffLoan(caller, loanId), input, caller, repaymentId),
  });
}

export interface PrepaymentInput {
  amountFen?: number;
  full: boolean;
  recalculation?: RecalculationMode;
  source: 'BANK' | 'ACCOUNT';
}

/** The prepayment's response from the loan after it (and the rows). */
function prepaymentBody(prepaymentId: string, after: Loan, rows: readonly ScheduleRow[], amountFen: number, input: PrepaymentInput) {
  return {
    prepaymentId,
    loanId: after.loanId,
    kind: input.full ? 'FULL' : 'PARTIAL',
    amount: fenToYuan(amountFen),
    recalculation: input.full ? null : (input.recalculation ?? null),
    source: input.source,
    loanStatus: after.status,
    outstandingPrincipal: fenToYuan(after.outstandingPrincipalFen),
    remainingInstallments: rows.filter((r) => r.status !== 'PAID').length,
    nextDue: loanView(after).nextDue,
    paidOffOn: after.paidOffOn ?? null,
  };
}

/**
 * POST /v1/loans/{loanId}/prepayments. `source: "BANK"`: money the bank received (a partial one only
 * while nothing is due; full = the payoff amount of today, interest to the day). `source: "ACCOUNT"`:
 * the withdrawal flow (api.md v1.1): an HPF_LOAN_REPAYMENT withdrawal from the caller's account
 * (member) or the borrower's (staff), committed by the withdrawals domain with our plan.
 */
export async function prepay(caller: Caller, loanId: string, input: PrepaymentInput, idempotency: IdempotencyContext | undefined) {
  if (input.source === 'ACCOUNT') return prepayFromAccount(caller, loanId, input, idempotency);
  const prepaymentId = newId('Q');
  return commit({
    idempotency,
    plan: async () => {
      const loan = await partyOrStaffLoan(caller, loanId);
      assertStatus(loan, 'ACTIVE');
      const today = businessDate();
      const [rows, flags] = await Promise.all([getSchedule(loanId), partyFlags(loan)]);
      const p = planBankPrepayment(loan, rows, flags, input, today);
      const body = prepaymentBody(prepaymentId, p.after, p.rows, p.amountFen, input);
      return { items: [...p.items, loanArchive(loan, 'PREPAYMENT', caller, input, { status: p.after.status, prepaymentId, amountFen: p.amountFen, paid: p.paid })], body };
    },
  });
}

/**
 * A prepayment of money the bank received (`source: "BANK"`), the rules of POST
 * /v1/loans/{loanId}/prepayments (and of a partner's full prepayment, usecases/partner.ts): full = the
 * payoff of `today` (every unpaid installment with penalty to the day, the principal not yet due with
 * interest to the day), closing the loan; partial = principal prepaid with the recalculation, only
 * while nothing is due. The loan (ACTIVE, as read with its rows and parties' flags) after it and the
 * items (loan, schedule, totals, the parties' flags that change, the ledger's fund flows); the caller
 * adds its archive record.
 */
export function planBankPrepayment(loan: Loan, rows: readonly ScheduleRow[], flags: readonly StoredFlags[], input: Pick<PrepaymentInput, 'full' | 'amountFen' | 'recalculation'>, today: string, at?: Date) {
  let next: ScheduleRow[];
  let paid: Allocation;
  let prepaidFen: number;
  if (input.full) {
    ({ rows: next, paid, prepaidPrincipalFen: prepaidFen } = payOff(rows, today, penaltyRates(loan, today), loan));
  } else {
    next = prepayPartial(loan, rows, input.amountFen!, input.recalculation!, today);
    paid = { ...noAllocation(), principalFen: input.amountFen! };
    prepaidFen = input.amountFen!;
  }
  const amountFen = paid.principalFen + paid.interestFen + paid.penaltyFen;
  const after = refreshLoan({ ...loan, prepaidPrincipalFen: loan.prepaidPrincipalFen + prepaidFen }, next, today, thresholds(today));
  const ledger = ledgerWrite([], { fundFlows: paymentFlows(loan, paid, today), ...(at ? { now: at } : {}) });
  return { after, rows: next, paid, amountFen, items: [...loanWriteItems(loan, after, rows, next), ...flagItems(after, flags), ...ledger.items] };
}

async function prepayFromAccount(caller: Caller, loanId: string, input: PrepaymentInput, idempotency: IdempotencyContext | undefined) {
  const loan = await partyOrStaffLoan(caller, loanId);
  const accountNo = caller.role === 'member' ? caller.accountNo! : loan.accountNo;
  const out = await withdrawForLoanRepayment(
    caller,
    { accountNo, loanId, amountFen: input.full ? undefined : input.amountFen, full: input.full || undefined, recalculation: input.recalculation ?? 'REDUCE_TERM' },
    idempotency,
  );
  // built from the withdrawal's answer alone: it is what the idempotency record holds, so a replay
  // answers exactly what the first request got
  const w = out.body;
  const r = w.loanRepayment;
  const body = {
    prepaymentId: w.withdrawalId,
    loanId,
    kind: input.full ? 'FULL' : 'PARTIAL',
    amount: w.amount,
    recalculation: input.full ? null : (input.recalculation ?? 'REDUCE_TERM'),
    source: input.source,
    loanStatus: r?.loanStatus ?? null,
    outstandingPrincipal: r?.outstandingPrincipal ?? null,
    remainingInstallments: r?.remainingInstallments ?? null,
    nextDue: r?.nextDue ?? null,
    paidOffOn: r?.paidOffOn ?? null,
    withdrawalId: w.withdrawalId,
    withdrawalStatus: w.status,
    principalPrepaid: r?.principalPrepaid ?? null,
    installmentsPaid: r?.installmentsPaid ?? [],
  };
  return { status: out.status, body, replayed: out.replayed };
}

// ---------- the plan the withdrawals domain commits (public.ts planAccountRepayment) ----------

export interface AccountRepaymentInput {
  loanId: string;
  /** shared/ledger Account as read in this attempt (must be the loan's borrower or co-borrower, else NOT_FOUND). */
  payer: Account;
  /** Exactly this much; or */
  amountFen?: number;
  /** as much as possible: min(payer.balanceFen, the payoff amount of `date`). */
  full?: boolean;
  recalculation: 'REDUCE_TERM' | 'REDUCE_PAYMENT';
  /** The withdrawal id: ref of the ledger debit (type WITHDRAWAL). */
  ref: string;
  memo?: string;
  /** Business date. */
  date: string;
  actor: { sub: string; role: string };
}

export interface AccountRepaymentPlan {
  /** Loan + schedule + loan totals + the parties' flags (changes; else the payer's checked as read) + the ledger write (payer debit) + the LOAN archive record. */
  items: TxItem[];
  /** Ledger entries created. */
  entryIds: string[];
  /** Debited and applied. */
  amountFen: number;
  loanRepayment: {
    loanId: string;
    installmentsPaid: number[];
    principalPrepaidFen: number;
    outstandingPrincipalFen: number;
    loanStatus: 'ACTIVE' | 'CLOSED';
    /** The loan after the repayment, as of its commit (a replay answers with these, never a fresh read). */
    remainingInstallments: number;
    nextDue: { no: number; dueDate: string; amountFen: number } | null;
    paidOffOn: string | null;
  };
}

/**
 * A repayment from a party's account (api.md v1.1): overdue installments with their penalty first,
 * then installments due, then the rest prepays principal with `recalculation`; the payoff amount
 * closes the loan (certificate). Returns the items for the caller's one transaction; commits nothing.
 * Errors: NOT_FOUND (no loan / payer not a party), INVALID_STATE (loan not ACTIVE, account cannot be
 * debited), INSUFFICIENT_BALANCE, POLICY_VIOLATION (above the payoff amount).
 */
export async function planAccountRepayment(input: AccountRepaymentInput): Promise<AccountRepaymentPlan> {
  const loan = await getLoan(input.loanId);
  if (!loan || (input.payer.accountNo !== loan.accountNo && input.payer.accountNo !== loan.coBorrowerAccountNo)) return notFound('Loan');
  assertStatus(loan, 'ACTIVE');
  if (!debitsAllowed(input.payer.status)) throw new DomainError('INVALID_STATE', `Account ${input.payer.accountNo} is ${input.payer.status}: no debits / 账户状态不允许支取`);
  const [rows, flags] = await Promise.all([getSchedule(loan.loanId), partyFlags(loan)]);
  const rates = penaltyRates(loan, input.date);
  const amountFen = input.full ? largestPaymentFen(loan, rows, input.payer.balanceFen, input.date, rates) : input.amountFen ?? 0;
  if (!Number.isSafeInteger(amountFen) || amountFen <= 0) {
    if (input.full) throw new DomainError('INSUFFICIENT_BALANCE', `Balance ${input.payer.balanceFen} fen pays nothing of the loan / 余额不足`);
    throw new DomainError('VALIDATION_FAILED', 'amount must be positive / 金额须大于零', [{ path: 'body.amount', message: 'not positive' }]);
  }
  const out = applyPayment(loan, rows, amountFen, input.recalculation, input.date, rates);
  const after = refreshLoan({ ...loan, prepaidPrincipalFen: loan.prepaidPrincipalFen + out.prepaidPrincipalFen }, out.rows, input.date, thresholds(input.date));
  // the memo is the withdrawal's (it names its reason): the loans domain does not know withdrawal reasons
  const postings = new Map<string, Posting[]>([[input.payer.accountNo, [{ amountFen: -amountFen, type: 'WITHDRAWAL', ref: input.ref, valueDate: input.date, memo: input.memo }]]]);
  const ledger = ledgerWrite(postingWrites([input.payer], postings), { fundFlows: paymentFlows(loan, out.paid, input.date) });
  const loanRepayment = {
    loanId: loan.loanId,
    installmentsPaid: out.paidNos,
    principalPrepaidFen: out.prepaidPrincipalFen,
    outstandingPrincipalFen: after.outstandingPrincipalFen,
    loanStatus: after.status as 'ACTIVE' | 'CLOSED',
    remainingInstallments: out.rows.filter((r) => r.status !== 'PAID').length,
    nextDue: after.nextDue ?? null,
    paidOffOn: after.paidOffOn ?? null,
  };
  const submitted = { withdrawalId: input.ref, payerAccountNo: input.payer.accountNo, amountFen: input.amountFen ?? null, full: input.full ?? false, recalculation: input.recalculation };
  return {
    items: [...loanWriteItems(loan, after, rows, out.rows), ...flagItems(after, flags, input.payer.accountNo), ...ledger.items, loanArchive(loan, 'ACCOUNT_REPAYMENT', input.actor, submitted, { status: after.status, amountFen, paid: out.paid, ...loanRepayment })],
    entryIds: ledger.entries.map((e) => e.entryId),
    amountFen,
    loanRepayment,
  };
}
