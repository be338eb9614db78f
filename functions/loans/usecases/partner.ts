// What a partner center (跨省通办, api.md v1.1 "Inter-provincial services, completed") gets of our
// member's loans, through public.ts: the loan facts, the payoff certificate, and a full prepayment
// whose money arrived through the partner center, planned (never committed) for the interprovincial
// worker's one transaction.
import type { TxItem } from '../../../shared/ddb.ts';
import { fenToYuan } from '../../../shared/money.ts';
import { penaltyRates, payoffAmount, type ScheduleRow } from '../domain/installments.ts';
import type { Loan } from '../domain/loan.ts';
import { partnerLoanRefusal, payoffAmountRefusal } from '../domain/partner.ts';
import { loanFactsView, payoffCertificateView } from '../domain/views.ts';
import { getLoan, getLoanAndSchedule, getPartnerPrepayment, loansOfBorrower, partnerPrepaymentItem } from '../store.ts';
import { partyFlags } from './parties.ts';
import { loanArchive } from './archive.ts';
import { planBankPrepayment } from './repayments.ts';

export interface LoanFacts {
  loanId: string;
  status: 'ACTIVE' | 'CLOSED';
  /** Yuan strings, as GET /v1/loans/{loanId} shows them. */
  principal: string;
  outstandingPrincipal: string;
  /** The payoff amount of the day (what a full prepayment that day pays); "0.00" once CLOSED. */
  payoffAmountToday: string;
  /** GET /v1/loans/{loanId} `overdue.installments`. */
  overdueInstallments: number;
}

export interface PayoffCertificate {
  certificateNo: string;
  loanId: string;
  principal: string;
  disbursedOn: string;
  closedOn: string;
}

export interface PartnerFullPrepaymentInput {
  accountNo: string;
  loanId: string;
  amountFen: number;
  bankRef: string;
  /** The partner center's code (the archive's actor). */
  partner: string;
  /** The partner request's tracking id: the prepayment applies once per trackingId. */
  trackingId: string;
  /** Business date of the prepayment. */
  today: string;
  at: Date;
}

export type PartnerFullPrepaymentResult = { loanId: string; paidAmount: string; closedOn: string; certificateNo: string };

export type PartnerFullPrepaymentPlan =
  | { ok: true; items: TxItem[]; result: PartnerFullPrepaymentResult }
  | { ok: false; code: 'AMOUNT_MISMATCH' | 'NO_ACTIVE_LOAN'; message: string };

const disbursed = (l: Loan) => l.status === 'ACTIVE' || l.status === 'CLOSED';

/** The payoff amount of `date` of an ACTIVE loan: exactly what planBankPrepayment's full prepayment of that day pays. */
const payoffFenOn = (loan: Loan, rows: readonly ScheduleRow[], date: string) => (loan.status === 'ACTIVE' ? payoffAmount(rows, date, penaltyRates(loan, date), loan).totalFen : 0);

/** The facts of a loan as of one version of it (an ACTIVE loan: with its schedule of that version). */
async function factsOf(read: Loan, today: string): Promise<LoanFacts> {
  const { loan, rows } = read.status === 'ACTIVE' ? (await getLoanAndSchedule(read.loanId, read))! : { loan: read, rows: [] };
  return loanFactsView(loan, payoffFenOn(loan, rows, today)) as LoanFacts;
}

/** The member's loans as borrower that were disbursed (ACTIVE and CLOSED), oldest application first. */
export async function loanFactsOfAccount(accountNo: string, today: string): Promise<LoanFacts[]> {
  const loans = (await loansOfBorrower(accountNo)).filter(disbursed);
  return Promise.all(loans.map((l) => factsOf(l, today)));
}

/**
 * The payoff certificate of the member's CLOSED loan as borrower (the one GET
 * /v1/loans/{loanId}/payoff-certificate states): `loanId`'s, or without it the loan closed last;
 * undefined when there is none (no such loan, not the member's, not CLOSED).
 */
export async function payoffCertificateOfAccount(accountNo: string, loanId?: string): Promise<PayoffCertificate | undefined> {
  if (loanId !== undefined) {
    const loan = await getLoan(loanId);
    return loan && loan.accountNo === accountNo && loan.status === 'CLOSED' ? payoffCertificateView(loan) : undefined;
  }
  const closed = (await loansOfBorrower(accountNo)).filter((l) => l.status === 'CLOSED');
  const latest = closed.reduce<Loan | undefined>((best, l) => (!best || l.paidOffOn! > best.paidOffOn! || (l.paidOffOn === best.paidOffOn && l.updatedAt >= best.updatedAt) ? l : best), undefined);
  return latest ? payoffCertificateView(latest) : undefined;
}

/**
 * A partner's full prepayment (跨省通办 FULL_PREPAYMENT): one of our own full prepayments with source
 * BANK (planBankPrepayment, the rules of POST /v1/loans/{loanId}/prepayments `full: true`), the money
 * having arrived through the partner center. `amountFen` must be the payoff amount of `today`
 * (AMOUNT_MISMATCH, whose message names it); the loan must be the member's (borrower) and ACTIVE
 * (NO_ACTIVE_LOAN). The items (for the caller's ONE transaction; nothing is committed here): the loan
 * closing with its schedule, totals and the parties' flags, the ledger's fund flows, the record of this
 * trackingId (conditional: it applies once) and the LOAN archive record with the partner as actor.
 * Idempotent: once a plan of this trackingId has committed, planning it again returns the SAME result
 * with NO items (the loan is not closed twice); two plans racing before either commits conflict on the
 * loan's version and the trackingId record, so only one commits.
 */
export async function planPartnerFullPrepayment(input: PartnerFullPrepaymentInput): Promise<PartnerFullPrepaymentPlan> {
  const snapshot = await getLoanAndSchedule(input.loanId);
  const loan = snapshot?.loan;
  const notActive = partnerLoanRefusal(loan, input);
  if (notActive || !loan) {
    // closed by this very request (a redelivery)? The record is written in the closing's transaction,
    // so read after the loan it is there whenever the loan read was already CLOSED by it
    const done = loan?.status === 'CLOSED' ? await getPartnerPrepayment(input.loanId, input.trackingId) : undefined;
    if (done && done.accountNo === input.accountNo) return { ok: true, items: [], result: done.result };
    return { ok: false, ...notActive! };
  }
  // the refusal below is taken on the loan and schedule of one version: no write of the loan's would fail it
  const flags = await partyFlags(loan);
  const p = planBankPrepayment(loan, snapshot!.rows, flags, { full: true }, input.today, input.at);
  const mismatch = payoffAmountRefusal(input.amountFen, p.amountFen, input.today);
  if (mismatch) return { ok: false, ...mismatch };
  if (p.after.status !== 'CLOSED') throw new Error(`a full prepayment left loan ${loan.loanId} ${p.after.status}`);
  const result: PartnerFullPrepaymentResult = { loanId: loan.loanId, paidAmount: fenToYuan(p.amountFen), closedOn: p.after.paidOffOn!, certificateNo: payoffCertificateView(p.after).certificateNo };
  const at = input.at.toISOString();
  const submitted = { partner: input.partner, trackingId: input.trackingId, loanId: input.loanId, amountFen: input.amountFen, bankRef: input.bankRef, full: true, source: 'BANK' };
  return {
    ok: true,
    items: [
      ...p.items,
      partnerPrepaymentItem({ loanId: loan.loanId, accountNo: input.accountNo, partner: input.partner, trackingId: input.trackingId, bankRef: input.bankRef, amountFen: p.amountFen, result, at }),
      loanArchive(loan, 'PREPAYMENT', { sub: input.partner, role: 'partner' }, submitted, { status: p.after.status, amountFen: p.amountFen, paid: p.paid, ...result }, `PARTNER_PREPAYMENT#${input.trackingId}`, input.at),
    ],
    result,
  };
}
