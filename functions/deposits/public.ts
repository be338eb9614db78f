// What other domains may use of the deposits domain (architecture.md: "Flows that cross domains").
// Nothing else of functions/deposits/ is imported from outside it; no other domain knows its keys.
import type { TxItem } from '../../shared/ddb.ts';
import * as store from './store.ts';
import * as certificates from './usecases/certificates.ts';
import type { DepositCertificate, DepositFacts } from './domain/certificate.ts';

/** Pure rules of contribution records (they live with the account in the ledger kernel). */
export { consecutiveDepositMonths, inRanges } from '../../shared/ledger/account.ts';

/** Units are spread over this many audit shards (0 … UNIT_SHARDS−1). */
export const UNIT_SHARDS = store.UNIT_SHARDS;

/**
 * The unit's approved deferral (缓缴) ranges, "YYYY-MM:YYYY-MM" sorted by start; [] when none or no
 * unit. Loan eligibility counts deferred months as continuous; the audit raises no arrears for them.
 */
export async function unitDeferrals(unitId: string | undefined): Promise<string[]> {
  if (!unitId) return [];
  return store.deferralRanges(unitId);
}

/** Registered units (缴存单位数) of a branch, or of the whole city. */
export function unitCounts(branch?: string): Promise<number> {
  return store.unitCounts(branch);
}

/** The facts the audit needs of a unit. `lastFundedPeriod`: the latest REGULAR period whose remittance was funded (settled). */
export interface UnitAuditFact {
  unitId: string;
  branch: string;
  startPeriod: string;
  lastFundedPeriod?: string;
}

/** Every unit of one audit shard (bounded: ~1/16 of the city's units). */
export async function unitsOfShard(shard: number): Promise<UnitAuditFact[]> {
  return (await store.unitsOfShard(shard)).map((u) => ({ unitId: u.unitId, branch: u.branch, startPeriod: u.startPeriod, ...(u.lastFundedPeriod ? { lastFundedPeriod: u.lastFundedPeriod } : {}) }));
}

export type { DepositFacts, DepositCertificate } from './domain/certificate.ts';

/**
 * The account's deposit facts as of `today` (undefined: no such account): status, balance, monthly
 * base and amount, last paid period and opened on exactly as GET /v1/accounts/{accountNo} shows them,
 * the months covered by contributions and the consecutive months up to the last paid period (the
 * unit's approved deferral months count as continuous, as for loan eligibility).
 */
export function depositFactsOf(accountNo: string, today: string): Promise<DepositFacts | undefined> {
  return certificates.depositFactsOf(accountNo, today);
}

/**
 * A deposit certificate (缴存证明) record in the deposits table: its number, what it states (`facts`,
 * `loans`), `purpose`, issued on `today` / at `at` to `issuedTo`. The number derives from `trackingId`
 * when given (depositCertificateNoOf), else is new. Returns the items for the caller's one commit,
 * never commits: one put conditioned on the number not existing, so a redelivery that re-plans the
 * same number cannot write it twice (its transaction is cancelled: the caller guards redelivery by its
 * own state, or checks getDepositCertificate(depositCertificateNoOf(trackingId)) first).
 */
export function depositCertificateItems(input: {
  accountNo: string;
  facts: DepositFacts;
  loans: readonly unknown[];
  purpose?: string;
  issuedTo: { partner?: string; sub?: string };
  trackingId?: string;
  today: string;
  at: Date;
}): { certificateNo: string; items: TxItem[] } {
  return certificates.depositCertificateItems(input);
}

/** The certificate number depositCertificateItems gives a request's `trackingId` (deterministic). */
export const depositCertificateNoOf = (trackingId: string): string => certificates.depositCertificateNoOf(trackingId);

/** A deposit certificate as issued (issue 17's verification); undefined when there is none. */
export function getDepositCertificate(certificateNo: string): Promise<DepositCertificate | undefined> {
  return certificates.depositCertificate(certificateNo);
}
