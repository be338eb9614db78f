// What other domains may use of the deposits domain (architecture.md: "Flows that cross domains").
// Nothing else of functions/deposits/ is imported from outside it; no other domain knows its keys.
import type { Page, PageRange, TxItem } from '../../shared/ddb.ts';
import * as store from './store.ts';
import * as certificates from './usecases/certificates.ts';
import * as remittances from './usecases/remittances.ts';
import * as accounts from './usecases/accounts.ts';
import { DomainError } from '../../shared/errors.ts';
import { businessDate, periodOf } from '../../shared/clock.ts';
import { fenToYuan } from '../../shared/money.ts';
import { getAccount } from '../../shared/ledger/ledger.ts';
import type { DepositCertificate, DepositCertificateRequest, DepositFacts } from './domain/certificate.ts';

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

const unitAuditFact = (u: { unitId: string; branch: string; startPeriod: string; lastFundedPeriod?: string }): UnitAuditFact => ({ unitId: u.unitId, branch: u.branch, startPeriod: u.startPeriod, ...(u.lastFundedPeriod ? { lastFundedPeriod: u.lastFundedPeriod } : {}) });

/** Every unit of one audit shard (bounded: ~1/16 of the city's units). */
export async function unitsOfShard(shard: number): Promise<UnitAuditFact[]> {
  return (await store.unitsOfShard(shard)).map(unitAuditFact);
}

/**
 * A page of the units of one audit shard (0 … UNIT_SHARDS−1), by unit id: `limit` units after
 * `cursor` (a previous page's nextCursor); with `through` (a page's nextCursor) only up to that page's
 * last unit, inclusive, which may take more than one page to read. nextCursor: null at the end.
 */
export async function unitsOfShardPage(shard: number, range: PageRange): Promise<Page<UnitAuditFact>> {
  const page = await store.unitsOfShardPage(shard, range);
  return { items: page.items.map(unitAuditFact), nextCursor: page.nextCursor };
}

export type { DepositFacts, DepositCertificate, DepositCertificateRequest } from './domain/certificate.ts';

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
export function depositCertificateItems(input: DepositCertificateRequest): { certificateNo: string; items: TxItem[] } {
  return certificates.depositCertificateItems(input);
}

/** The certificate number depositCertificateItems gives a request's `trackingId` (deterministic). */
export const depositCertificateNoOf = (trackingId: string): string => certificates.depositCertificateNoOf(trackingId);

/**
 * planDepositCertificate(input & { reuse? }) (issue 17): depositCertificateItems with the verification
 * record of the certificates domain (verificationCode), planned for the caller's ONE transaction (call
 * inside its commit plan). With a `trackingId` a new certificate each time (numbered by it), superseding
 * the account's previous one; without one (or `reuse: true`) the account's latest certificate is
 * answered again when it states the same. Undefined when there is no such account.
 */
export function planDepositCertificate(input: DepositCertificateRequest & { reuse?: boolean }): Promise<certificates.PlannedDepositCertificate | undefined> {
  return certificates.planDepositCertificate(input);
}
export type { PlannedDepositCertificate } from './usecases/certificates.ts';

/** A deposit certificate as issued (issue 17's verification); undefined when there is none. */
export function getDepositCertificate(certificateNo: string): Promise<DepositCertificate | undefined> {
  return certificates.depositCertificate(certificateNo);
}

// ---------- money the bank moved (issue 16: the settlement domain's arrival notices) ----------

/** Who acts when a bank's report applies: the bank `bankCode` (archive actor, settledBy). */
export const bankActor = (bankCode: string): { sub: string; role: string } => ({ sub: `bank:${bankCode}`, role: 'bank' });
/** The actor when the caller names none. */
const BANK_ACTOR = { sub: 'bank', role: 'bank' };

export type RemittanceSettlementByBank =
  | { ok: true; items: TxItem[]; remittance: { remittanceId: string; unitId: string; branch: string; period: string; totalAmount: string }; afterCommit: () => Promise<void> }
  | { ok: false; reason: 'NOT_FOUND' | 'AMOUNT_MISMATCH' | 'NOT_AWAITING_FUNDS' };

/**
 * The bank's arrival for a remittance: exactly what POST /v1/remittances/{id}/settlements does (the
 * same plan, usecases/remittances.ts planSettlement), planned for the caller's ONE transaction, with
 * its refusals as values: NOT_FOUND, AMOUNT_MISMATCH (`amountFen` ≠ the list's total), NOT_AWAITING_FUNDS
 * (settled already, by the staff route or by an earlier commit of this plan). The items: the remittance
 * AWAITING_FUNDS → POSTING (conditioned on AWAITING_FUNDS: the same items committed twice settle once,
 * the second transaction is cancelled), the unit's funded period, the REMITTANCE archive record SETTLE
 * with `actor` (default `{ sub: 'bank', role: 'bank' }`; pass bankActor(bankCode)); settledBy = actor.sub,
 * settledOn = the business date of `at` (the credits' value date). After the commit, `afterCommit()`
 * sends the chunks to the posting queue as the route does (safe to repeat; the sweeper re-drives a
 * lost send anyway).
 */
export async function planRemittanceSettlementByBank(input: { remittanceId: string; amountFen: number; bankRef: string; at: Date; actor?: { sub: string; role: string } }): Promise<RemittanceSettlementByBank> {
  const p = await remittances.planSettlement(input.remittanceId, { amountFen: input.amountFen, bankRef: input.bankRef, actor: input.actor ?? BANK_ACTOR, at: input.at });
  if (!p.ok) return { ok: false, reason: p.reason };
  const r = p.remittance;
  return {
    ok: true,
    items: p.items,
    remittance: { remittanceId: r.remittanceId, unitId: r.unitId, branch: r.branch, period: r.period, totalAmount: fenToYuan(r.totalFen) },
    afterCommit: () => remittances.driveRemittance(r.remittanceId),
  };
}

export type FlexibleDepositByBank =
  | { ok: true; items: TxItem[]; deposit: { accountNo: string; period: string; amount: string } }
  | { ok: false; reason: 'NOT_FOUND' | 'NOT_FLEXIBLE' | 'INVALID_STATE' | 'AMOUNT_MISMATCH' };

/**
 * The bank's arrival for a flexible account: its monthly deposit for the next period it owes (the
 * first unpaid period after its last paid one; from its opening period when none), the code path of
 * POST /v1/accounts/{accountNo}/deposits (usecases/accounts.ts planFlexibleDeposit), credited with
 * `valueDate`. Refusals: NOT_FOUND; NOT_FLEXIBLE (an employee's account: paid by remittance);
 * AMOUNT_MISMATCH (`amountFen` ≠ the account's monthly amount, as the route requires); INVALID_STATE
 * (the account is CLOSED: no credits; or the next period owed has not begun: nothing is owed yet. A
 * FROZEN account is credited, as by the route). `bankRef` is the bank's unique reference of the
 * movement (the notice's id): it applies once per account, a plan of a bankRef already applied answers
 * the same deposit with no items; the items hold its record (conditional put), and the ledger credit
 * is conditioned on the account's revision and the period's entry key, so the same items committed
 * twice credit once. Archive: ACCOUNT DEPOSIT with `actor` (default `{ sub: 'bank', role: 'bank' }`).
 */
export async function planFlexibleDepositByBank(input: { accountNo: string; amountFen: number; bankRef: string; valueDate: string; at: Date; actor?: { sub: string; role: string } }): Promise<FlexibleDepositByBank> {
  const applied = await store.bankDepositRecord(input.accountNo, input.bankRef);
  if (applied) return { ok: true, items: [], deposit: { accountNo: applied.accountNo, period: applied.period, amount: applied.amount } };
  const account = await getAccount(input.accountNo);
  if (!account) return { ok: false, reason: 'NOT_FOUND' };
  if (account.kind !== 'FLEXIBLE') return { ok: false, reason: 'NOT_FLEXIBLE' };
  const period = accounts.nextOwedPeriod(account);
  if (period > periodOf(businessDate(input.at))) return { ok: false, reason: 'INVALID_STATE' };
  let p: accounts.FlexibleDepositPlan;
  try {
    p = accounts.planFlexibleDeposit(account, { period, amountFen: input.amountFen, bankRef: input.bankRef, valueDate: input.valueDate, actor: input.actor ?? BANK_ACTOR, at: input.at });
  } catch (err) {
    if (err instanceof DomainError && err.code === 'INVALID_STATE') return { ok: false, reason: 'INVALID_STATE' };
    throw err;
  }
  if (!p.ok) return { ok: false, reason: p.reason === 'AMOUNT_MISMATCH' ? 'AMOUNT_MISMATCH' : p.reason === 'NOT_FLEXIBLE' ? 'NOT_FLEXIBLE' : 'INVALID_STATE' };
  const amount = fenToYuan(input.amountFen);
  const record = store.bankDepositItem({ accountNo: account.accountNo, bankRef: input.bankRef, period, amount, entryId: p.entry.entryId, at: input.at.toISOString() });
  return { ok: true, items: [...p.items, record], deposit: { accountNo: account.accountNo, period, amount } };
}
