// The deposit facts of an account and the deposit certificate (缴存证明) stating them, pure.
//
// Decisions (documented for reviewers):
//  - The facts are those GET /v1/accounts/{accountNo} shows (status, balance, monthly base and amount,
//    last paid period, opened on), plus the months covered by contributions (`monthsDeposited`, every
//    month of the account's paid ranges) and the consecutive months up to the last paid period
//    (`consecutiveMonths`, the same count the loans domain's eligibility uses: the unit's approved
//    deferral months count as continuous). An account with no contribution has 0 and 0.
//  - The last paid period counted from is the account's `lastPaidPeriod` (else the end of its last
//    paid range), never after the month of `today`.
//  - A certificate's number derives from the request's tracking id when one is given (a redelivery
//    plans the same number, and its conditional put writes nothing twice); otherwise it is a new id.
import { fenToYuan } from '../../../shared/money.ts';
import { periodOf } from '../../../shared/clock.ts';
import { consecutiveDepositMonths, type Account } from '../../../shared/ledger/account.ts';

export interface DepositFacts {
  status: string;
  balance: string;
  monthlyBase: string;
  monthlyAmount: string;
  lastPaidPeriod: string | null;
  openedOn: string;
  monthsDeposited: number;
  consecutiveMonths: number;
}

const periodIndex = (p: string) => Number(p.slice(0, 4)) * 12 + Number(p.slice(5, 7)) - 1;

/** Months covered by contribution ranges "YYYY-MM:YYYY-MM" (sorted and merged by the ledger). */
export const monthsCovered = (ranges: readonly string[]) =>
  ranges.reduce((n, r) => {
    const [a, b] = r.split(':');
    return n + periodIndex(b) - periodIndex(a) + 1;
  }, 0);

/** The period the consecutive months are counted back from (null: nothing was ever paid). */
export function lastCountedPeriod(a: Pick<Account, 'lastPaidPeriod' | 'paidPeriods'>, today: string): string | null {
  const paid = a.paidPeriods ?? [];
  const last = a.lastPaidPeriod ?? (paid.length ? paid[paid.length - 1].split(':')[1] : undefined);
  if (!last) return null;
  const current = periodOf(today);
  return last > current ? current : last;
}

export function depositFacts(a: Account, deferredPeriods: readonly string[], today: string): DepositFacts {
  const paid = a.paidPeriods ?? [];
  const asOf = lastCountedPeriod(a, today);
  return {
    status: a.status,
    balance: fenToYuan(a.balanceFen),
    monthlyBase: fenToYuan(a.monthlyBaseFen),
    monthlyAmount: fenToYuan(a.monthlyAmountFen),
    lastPaidPeriod: a.lastPaidPeriod ?? null,
    openedOn: a.openedOn,
    monthsDeposited: monthsCovered(paid),
    consecutiveMonths: asOf ? consecutiveDepositMonths(paid, deferredPeriods, asOf) : 0,
  };
}

/** A deposit certificate (缴存证明) as issued: what it states, when, to whom, for what. */
export interface DepositCertificate {
  certificateNo: string;
  accountNo: string;
  /** The facts it states, as of `issuedOn`. */
  facts: DepositFacts;
  /** The member's loans it states (the loans domain's facts, as the issuer passed them). */
  loans: unknown[];
  purpose?: string;
  issuedTo: { partner?: string; sub?: string };
  /** Our tracking id of the partner request it answers, when it answers one. */
  trackingId?: string;
  issuedOn: string;
  issuedAt: string;
  /** The code anyone verifies it by (the certificates domain's record; issue 17). */
  verificationCode?: string;
}

/** What a caller asks a certificate to state, to whom, when (`trackingId`: the request that asks). */
export interface DepositCertificateRequest {
  accountNo: string;
  facts: DepositFacts;
  loans: readonly unknown[];
  purpose?: string;
  issuedTo: { partner?: string; sub?: string };
  trackingId?: string;
  today: string;
  at: Date;
}

export function newDepositCertificate(c: DepositCertificateRequest & { certificateNo: string }): DepositCertificate {
  return {
    certificateNo: c.certificateNo,
    accountNo: c.accountNo,
    facts: { ...c.facts },
    // plain data only (the record is stored as it states them)
    loans: JSON.parse(JSON.stringify(c.loans ?? [])) as unknown[],
    ...(c.purpose !== undefined ? { purpose: c.purpose } : {}),
    issuedTo: { ...(c.issuedTo.partner !== undefined ? { partner: c.issuedTo.partner } : {}), ...(c.issuedTo.sub !== undefined ? { sub: c.issuedTo.sub } : {}) },
    ...(c.trackingId !== undefined ? { trackingId: c.trackingId } : {}),
    issuedOn: c.today,
    issuedAt: c.at.toISOString(),
  };
}
