// The daily run (月对冲, overdue, penalty interest) and the annual repricing, fanned out over the
// due-loan index through the loan-batch queue. The business date always comes from the event.
import { commit } from '../../../shared/tx.ts';
import { loanAnnualRate, policyOn } from '../../../shared/policy.ts';
import { debitsAllowed, ledgerWrite, type Posting } from '../../../shared/ledger/ledger.ts';
import { send } from '../../../shared/sqs.ts';
import type { Logger } from '../../../shared/log.ts';
import { paymentFlows, penaltyRates, thresholds, markOverdue, noAllocation, offset, offsetEntryKey, refreshLoan, reprice } from '../domain/installments.ts';
import { getLoan, getSchedule, loanWriteItems, loansDueBy, DUE_SEGMENTS } from '../store.ts';
import { flagItems, partyAccounts, partyFlags, postingWrites } from './parties.ts';
import { loanArchive, SYSTEM_ACTOR } from './archive.ts';
import type { DailySegmentMessage } from '../queue.ts';
import { canonicalJson } from '../../../shared/canonical.ts';

const changed = (a: unknown, b: unknown) => canonicalJson(a) !== canonicalJson(b);

/**
 * One loan's daily work for `date`, in one transaction: unpaid installments due before it become
 * OVERDUE with penalty interest accrued to it (a moved deferred installment too, once its new date has
 * passed); with the offset signed, installments due by it that the offset has not run for are paid from
 * the borrower's, then the co-borrower's, balance (LOAN_OFFSET, a deterministic entry key per
 * installment: at most once even if runs repeat or overlap).
 */
export async function runDailyForLoan(loanId: string, date: string) {
  return commit({
    plan: async () => {
      const loan = await getLoan(loanId);
      if (!loan || loan.status !== 'ACTIVE') return { items: [], body: { loanId, changed: false } };
      const [rows, accounts, flags] = await Promise.all([getSchedule(loanId), partyAccounts(loan), partyFlags(loan)]);
      const overdue = markOverdue(rows, date, penaltyRates(loan, date));
      const off = loan.offsetEnabled ? offset(overdue, date, accounts.map((a) => (debitsAllowed(a.status) ? a.balanceFen : 0))) : { rows: overdue, debits: [], paid: noAllocation() };
      const after = refreshLoan(loan, off.rows, date, thresholds(date));
      if (!changed(rows, off.rows) && !changed(loan, after)) return { items: [], body: { loanId, changed: false } };
      const postings = new Map<string, Posting[]>();
      for (const d of off.debits) {
        const accountNo = accounts[d.account].accountNo;
        const row = off.rows.find((r) => r.no === d.no)!;
        postings.set(accountNo, [...(postings.get(accountNo) ?? []), { amountFen: -d.amountFen, type: 'LOAN_OFFSET', ref: `${loanId}:${d.no}`, entryKey: offsetEntryKey(loanId, row), valueDate: date }]);
      }
      const ledger = ledgerWrite(postingWrites(accounts, postings), { fundFlows: paymentFlows(loan, off.paid, date) });
      const items = [...loanWriteItems(loan, after, rows, off.rows), ...flagItems(after, flags), ...ledger.items];
      if (off.debits.length) items.push(loanArchive(loan, 'OFFSET_PAYMENT', SYSTEM_ACTOR, { date, debits: off.debits }, { status: 'PAID', paid: off.paid }, `OFFSET-${date}`));
      return { items, body: { loanId, changed: true } };
    },
  });
}

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

const DAILY_PAGE_LOANS = 25;
/** Beyond every due date: the whole index (every active loan with an installment to pay). */
const ALL_DUE = '9999-12-31';

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
