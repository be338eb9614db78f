// Pure rules of the settlement domain: which account serves a branch, which account a notice may
// arrive on, how an arrival's reference is tried, how a payment result applies, the send back-off.
import type { Bank, BankAccount, PaymentOrder, PaymentStatus } from './types.ts';

/**
 * The accounts of a registration, as registered at `at` (their place in the list kept: a later one
 * was registered later). An account listed again keeps nothing of before: this PUT registers it.
 */
export const registeredAccounts = (accounts: { accountNo: string; purpose: BankAccount['purpose']; branches?: string[] }[], at: string): BankAccount[] =>
  accounts.map((a, seq) => ({ accountNo: a.accountNo, purpose: a.purpose, ...(a.branches ? { branches: [...new Set(a.branches)] } : {}), registeredAt: at, seq }));

/** Whether an account serves a branch (api.md: `branches` absent = every branch). `undefined` branch: the city (only accounts serving every branch). */
export const serves = (a: Pick<BankAccount, 'branches'>, branch: string | undefined) => !a.branches || (branch !== undefined && a.branches.includes(branch));

/**
 * The PAYMENT account a payment of a record of `branch` leaves from (api.md): among the accounts of
 * every bank that serve the branch, the one registered last (its registration instant, then its place
 * in that registration's list; the bank code breaks a tie of the same instant). Undefined when none.
 * `anyBranch`: any PAYMENT account, whatever branches it serves (a city-level refund leaving the bank
 * the money came to).
 */
export function servingPaymentAccount(banks: readonly Pick<Bank, 'bankCode' | 'accounts'>[], branch: string | undefined, opts: { anyBranch?: boolean } = {}): { bankCode: string; account: BankAccount } | undefined {
  let best: { bankCode: string; account: BankAccount } | undefined;
  for (const bank of banks) {
    for (const account of bank.accounts) {
      if (account.purpose !== 'PAYMENT' || (!opts.anyBranch && !serves(account, branch))) continue;
      if (!best || later({ bankCode: bank.bankCode, account }, best)) best = { bankCode: bank.bankCode, account };
    }
  }
  return best;
}

const later = (a: { bankCode: string; account: BankAccount }, b: { bankCode: string; account: BankAccount }) =>
  a.account.registeredAt !== b.account.registeredAt ? a.account.registeredAt > b.account.registeredAt : a.bankCode !== b.bankCode ? a.bankCode > b.bankCode : a.account.seq > b.account.seq;

/** Whether a notice on `accountNo` is one this bank may send: to one of its COLLECTION accounts. */
export const isCollectionAccountOf = (bank: Pick<Bank, 'accounts'>, accountNo: string) => bank.accounts.some((a) => a.accountNo === accountNo && a.purpose === 'COLLECTION');

/**
 * How a payment result meets an order: APPLY it (first result), SAME (the result it already has: the
 * same answer, nothing changes), CONFLICT (a result contradicting the recorded one: nothing changes).
 */
export function resultDecision(order: Pick<PaymentOrder, 'status' | 'bankRef'>, status: Exclude<PaymentStatus, 'ORDERED'>, bankRef: string): 'APPLY' | 'SAME' | 'CONFLICT' {
  if (order.status === 'ORDERED') return 'APPLY';
  return order.status === status && order.bankRef === bankRef ? 'SAME' : 'CONFLICT';
}

/** Back-off of the re-send of an unacknowledged order: 30 s doubling per attempt, at most an hour. */
export const resendDelayMs = (attempts: number) => Math.min(3_600_000, 30_000 * 2 ** Math.max(0, attempts - 1));

// ---------- old open items (issue 16 item 5: "suspense and unsettled orders older than a threshold are findings too") ----------
// Ages are whole calendar days from the business date an item began (a suspense item's arrival, an
// order's `orderedAt`) to the reconciliation run's date; an item that old or older, and still open
// when the run reads it, is a finding of rule BANK_RECONCILIATION (one per item, subject below).
// Calendar days, not business days: there is no holiday calendar here, and a threshold that a weekend
// cannot stretch is the stricter reading.

/**
 * An arrival nothing matched (待查款项) is to be assigned or refunded within 3 business days; 5
 * calendar days are 3 business days across any weekend. Older and still OPEN: a finding.
 */
export const SUSPENSE_FINDING_DAYS = 5;
/**
 * A single payment (单笔付款) is answered by its bank on the day or the next business day (after the
 * day's cut-off); 3 calendar days cover that across a weekend (Friday's order answered Monday). An
 * order still ORDERED that long after `orderedAt` — never acknowledged, or its result lost — has
 * debited the books for money no bank has confirmed moving: a finding.
 */
export const PAYMENT_FINDING_DAYS = 3;
/**
 * Severities: a statement difference is CRITICAL (api.md: the books and the bank disagree). An old
 * open item is not (yet) a disagreement — the books say where the money is, waiting — but it is money
 * a clerk must chase (a unit's remittance may wait in suspense; a member's withdrawal is unpaid): HIGH.
 */
export const AGED_ITEM_SEVERITY = 'HIGH' as const;
