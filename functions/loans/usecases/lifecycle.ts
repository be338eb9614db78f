// Review, disbursement and the reads of a loan.
import { commit, type IdempotencyContext } from '../../../shared/tx.ts';
import { DomainError } from '../../../shared/errors.ts';
import { forbidden, type Caller } from '../../../shared/auth.ts';
import { businessDate, now, periodOf } from '../../../shared/clock.ts';
import { policyOn } from '../../../shared/policy.ts';
import { accountCheck, ledgerWrite, mustGetAccount } from '../../../shared/ledger/ledger.ts';
import { assertStatus, decide } from '../domain/loan.ts';
import { monthlyDueDate, scheduleFor } from '../domain/amortization.ts';
import { thresholds, newRows, refreshLoan } from '../domain/installments.ts';
import { installmentView, loanQueueView, loanView, payoffCertificateView } from '../domain/views.ts';
import { LOAN_FLOWS } from '../domain/policy.ts';
import { getSchedule, listLoanQueue, loanWriteItems, type LoanQueueStatus } from '../store.ts';
import { staffLoan, visibleLoan } from './access.ts';
import { flagItems, partyAccounts, partyFlags } from './parties.ts';
import { loanArchive } from './archive.ts';
import { firstDisbursement, type LoanPayee } from '../domain/disbursement.ts';
import { disbursementOrder, runAfterCommit } from './disbursement-payments.ts';

export async function review(caller: Caller, loanId: string, decision: 'APPROVED' | 'REJECTED', note: string | undefined, idempotency: IdempotencyContext | undefined) {
  return commit({
    idempotency,
    plan: async () => {
      const loan = await staffLoan(caller, loanId);
      const today = businessDate();
      const after = decide(loan, decision, caller.sub, today, policyOn(today).loans, note);
      return { items: [...loanWriteItems(loan, after), loanArchive(loan, decision, caller, { note: note ?? null }, { status: decision, note, late: after.decision!.late })], body: loanView(after) };
    },
  });
}

/**
 * Disburses an APPROVED loan: the schedule, the parties' flags, the disbursement's fund flow and the
 * payment order to the seller (`payee`, api.md v1.1) in one transaction; the order is sent to the bank
 * after the commit (not after a replay: the first request sent it, and the settlement sweeper re-sends
 * an order whose send was lost).
 */
export async function disburse(caller: Caller, loanId: string, input: { disbursedOn: string; dueDay?: number; payee: LoanPayee }, idempotency: IdempotencyContext | undefined) {
  let after_: (() => Promise<void>) | undefined;
  const out = await commit({
    idempotency,
    plan: async () => {
      const loan = await staffLoan(caller, loanId);
      assertStatus(loan, 'APPROVED');
      if (input.disbursedOn < loan.decision!.on) {
        throw new DomainError('POLICY_VIOLATION', `disbursedOn is before the approval on ${loan.decision!.on} / 放款日期早于审批日期`, [{ path: 'body.disbursedOn', message: 'before the approval date' }]);
      }
      const [accounts, flags] = await Promise.all([partyAccounts(loan), partyFlags(loan)]);
      const flagsOf = new Map(flags.map((f) => [f.accountNo, f]));
      const blocked = accounts.map((a) => ({ a, f: flagsOf.get(a.accountNo)! })).filter(({ a, f }) => f.activeLoanId || f.hasOverdueLoan || a.status !== 'NORMAL');
      if (blocked.length) {
        throw new DomainError('NOT_ELIGIBLE', 'A party now has another loan, an overdue record or an account not NORMAL / 借款人状态已变化，不能放款', blocked.map(({ a, f }) => ({ path: a.accountNo === loan.accountNo ? 'loan.accountNo' : 'loan.coBorrowerAccountNo', message: `account ${a.accountNo}: ${f.activeLoanId ? 'active loan' : f.hasOverdueLoan ? 'overdue loan' : a.status}` })));
      }
      const dueDay = input.dueDay ?? Number(input.disbursedOn.slice(8, 10));
      const rows = newRows(scheduleFor(loan.repaymentMethod, { principalFen: loan.principalFen, annualRate: loan.annualRate, termMonths: loan.termMonths, firstDueDate: monthlyDueDate(input.disbursedOn, 1, dueDay), dueDay }));
      const after = refreshLoan({ ...loan, status: 'ACTIVE', disbursedOn: input.disbursedOn, disbursedBy: caller.sub, dueDay }, rows, input.disbursedOn, thresholds(input.disbursedOn));
      const at = now();
      const disbursed = { ...after, disbursement: firstDisbursement(loan, input.payee, at.toISOString()) };
      const order = await disbursementOrder(disbursed, at);
      after_ = order.afterCommit;
      const ledger = ledgerWrite([], { fundFlows: [{ kind: LOAN_FLOWS.DISBURSEMENT, amountFen: loan.principalFen, branch: loan.branch, period: periodOf(input.disbursedOn) }] });
      // the parties' flags (activeLoanId) are written conditioned on the version read; their accounts,
      // checked NORMAL above, must still be as read
      return {
        items: [
          ...loanWriteItems(loan, disbursed, [], rows),
          ...flagItems(disbursed, flags),
          ...accounts.map(accountCheck),
          ...ledger.items,
          ...order.items,
          loanArchive(loan, 'DISBURSED', caller, input, { status: 'ACTIVE', principalFen: loan.principalFen, maturityDate: after.maturityDate, paymentId: disbursed.disbursement.payment.paymentId }),
        ],
        body: loanView(disbursed),
      };
    },
  });
  if (!out.replayed) await runAfterCommit(after_, loanId);
  return out;
}

export async function readLoan(caller: Caller, loanId: string) {
  return loanView(await visibleLoan(caller, loanId));
}

/**
 * GET /v1/loans?status=APPLIED|APPROVED&branch=: the review queue (APPLIED) or the loans approved and
 * waiting for disbursement (APPROVED), oldest application first. Staff of a branch see their branch
 * (asking for another → 403 FORBIDDEN, as the withdrawals' review queue); city staff (`*`) all, or one
 * branch.
 */
export async function loanQueue(caller: Caller, query: { status: LoanQueueStatus; branch?: string; limit: number; cursor?: string }) {
  if (caller.role !== 'staff' || !caller.branch) return forbidden();
  if (caller.branch !== '*' && query.branch !== undefined && query.branch !== caller.branch) forbidden('Staff see the loan queues of their own branch only / 仅可查看本网点的贷款队列');
  const branch = caller.branch === '*' ? query.branch : caller.branch;
  const page = await listLoanQueue(query.status, branch, query.limit, query.cursor);
  const today = businessDate();
  const approvalDays = policyOn(today).loans.approvalDays;
  return { items: page.items.map((l) => loanQueueView(l, approvalDays, today)), nextCursor: page.nextCursor };
}

export async function readSchedule(caller: Caller, loanId: string) {
  const loan = await visibleLoan(caller, loanId);
  return { loanId: loan.loanId, installments: (await getSchedule(loanId)).map(installmentView) };
}

export async function payoffCertificate(caller: Caller, loanId: string) {
  const loan = await visibleLoan(caller, loanId);
  assertStatus(loan, 'CLOSED');
  const borrower = await mustGetAccount(loan.accountNo);
  return { ...payoffCertificateView(loan), accountNo: loan.accountNo, name: borrower.name, paidOffOn: loan.paidOffOn };
}
