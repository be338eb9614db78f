// The loans table: the only code that knows its keys, indexes and conditions.
//   LOAN#<loanId> / LOAN           the loan; every write is conditioned on its version (the loan is
//                                  the concurrency root of its schedule too)
//   LOAN#<loanId> / S#<chunk:02>   the schedule, 12 installments per item (360 → 30 items, so a
//                                  disbursement or a recalculation fits one transaction)
//   LOAN#<loanId> / BANKREF#<ref>  a bank report is applied once
//   LTOT#<branch> / S#<shard:02>   loan control totals { outstandingPrincipalFen, overduePrincipalFen,
//                                  activeLoans }, changed in the loan's own transaction; supervision
//                                  reads them through public.ts `loanTotals`
//   CBC#<coBorrowerAccountNo> / C#<consentId>   a co-borrower's consent (their own partition: the
//                                  member withdraws only their own; an application finds it by id)
//   BORROWER#<accountNo> / FLAGS   a party's (borrower's or co-borrower's) loan flags
//                                  { accountNo, activeLoanId?, hasOverdueLoan, version }, written in the
//                                  transaction of the loan change that alters them (disbursement sets
//                                  activeLoanId, payoff clears it; the daily run and repayments set and
//                                  clear hasOverdueLoan); other domains read them through public.ts.
//                                  No item: no loan flags. Before this item existed the flags were
//                                  fields of the ledger's account; data persisted locally before
//                                  (`npm start --data`) is NOT migrated: its accounts' old flags are
//                                  ignored (start with a fresh data directory).
//   BORROWER#<accountNo> / LOAN#<loanId>   the borrower's loans (index entry { accountNo, loanId },
//                                  written with the new loan; read consistently by public.ts). Loans
//                                  applied for before this entry existed are not found by account.
//   LOAN#<loanId> / PARTNER#<trackingId>   a partner's full prepayment (跨省通办 FULL_PREPAYMENT) of
//                                  the loan: what it paid and answered, written in the payoff's own
//                                  transaction; a second plan of the same trackingId answers from it
//   gsi2: DUE#<segment:02> / <nextActionDate>#<loanId>   active loans the daily run must look at
//   gsi1: LQUEUE#<APPLIED|APPROVED> / <appliedOn>#<createdAt>#<loanId>   the review queue (APPLIED) and
//         the disbursement queue (APPROVED), oldest application first; only while the loan has that
//         status. Every write of a loan is a whole Put of its item (loanItem), so the transition that
//         changes its status (approve, reject, disburse) moves or removes the entry in its own
//         transaction. One partition per status city-wide, as the withdrawals' review queue: the queues
//         are small (staff decide within approvalDays) and city staff read them whole in application
//         order; a branch reads its queue filtered on the loan's `branch`. Loans written before this
//         entry existed (data persisted locally with `npm start --data`) have none: they are not listed
//         until their next write.
import { createHash } from 'node:crypto';
import { batchGetItems, getItem, indexKeys, queryAll, queryPage, queuePage, stripKeys, type Page, type TxItem } from '../../shared/ddb.ts';
import { tableName } from '../../shared/config.ts';
import { nowIso, businessDate } from '../../shared/clock.ts';
import { policyOn } from '../../shared/policy.ts';
import type { Loan } from './domain/loan.ts';
import { inScheduleOrder, type ScheduleRow } from './domain/installments.ts';
import type { CoBorrowerConsent } from './domain/consent.ts';

const T = () => tableName('loans');
export const DUE_SEGMENTS = 16;
const CHUNK_ROWS = 12;
const two = (n: number) => String(n).padStart(2, '0');
const loanKey = (loanId: string) => ({ pk: `LOAN#${loanId}`, sk: 'LOAN' });
const chunkKey = (loanId: string, chunk: number) => ({ pk: `LOAN#${loanId}`, sk: `S#${two(chunk)}` });
const bankRefKey = (loanId: string, bankRef: string) => ({ pk: `LOAN#${loanId}`, sk: `BANKREF#${bankRef}` });
const segmentOf = (loanId: string) => createHash('sha256').update(loanId).digest()[0] % DUE_SEGMENTS;
const chunkOf = (no: number) => Math.floor((no - 1) / CHUNK_ROWS);
const consentKey = (coBorrowerAccountNo: string, consentId: string) => ({ pk: `CBC#${coBorrowerAccountNo}`, sk: `C#${consentId}` });
const flagsKey = (accountNo: string) => ({ pk: `BORROWER#${accountNo}`, sk: 'FLAGS' });
const borrowerLoanKey = (accountNo: string, loanId: string) => ({ pk: `BORROWER#${accountNo}`, sk: `LOAN#${loanId}` });
const partnerPrepaymentKey = (loanId: string, trackingId: string) => ({ pk: `LOAN#${loanId}`, sk: `PARTNER#${trackingId}` });

/** The loans domain's flags on a party's account (what other domains may know of its loans). */
export interface BorrowerFlags {
  /** Set while the member (borrower or co-borrower) has an HPF loan outstanding. */
  activeLoanId?: string;
  /** Set while that loan has an unresolved overdue installment. */
  hasOverdueLoan: boolean;
}

/** The flags as stored: `version` is absent while there is no item (no flags ever set). */
export interface StoredFlags extends BorrowerFlags {
  accountNo: string;
  version?: number;
}

// ---------- reads ----------

export const getLoan = (loanId: string) => getItem<Loan>(T(), loanKey(loanId));

const asLoan = (item: Record<string, unknown>): Loan => stripKeys<Loan>(item);

/** The loans of which `accountNo` is the borrower (any status), read consistently, oldest application first. */
export async function loansOfBorrower(accountNo: string): Promise<Loan[]> {
  const entries = await queryAll({
    TableName: T(),
    KeyConditionExpression: 'pk = :p AND begins_with(sk, :l)',
    ExpressionAttributeValues: { ':p': `BORROWER#${accountNo}`, ':l': 'LOAN#' },
    ConsistentRead: true,
  });
  const loans = await batchGetItems<Loan>(T(), entries.map((e) => loanKey(e.loanId as string)));
  // a borrower entry names its loan's borrower: only those (never another member's loan)
  return loans.filter((l) => l.accountNo === accountNo).sort((a, b) => (a.appliedOn < b.appliedOn ? -1 : a.appliedOn > b.appliedOn ? 1 : a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.loanId < b.loanId ? -1 : 1));
}

/** What a partner's full prepayment of the loan with this trackingId paid and answered (undefined: none committed). */
export const getPartnerPrepayment = (loanId: string, trackingId: string) => getItem<PartnerPrepaymentRecord>(T(), partnerPrepaymentKey(loanId, trackingId));

export interface PartnerPrepaymentRecord {
  loanId: string;
  accountNo: string;
  partner: string;
  trackingId: string;
  bankRef: string;
  amountFen: number;
  result: { loanId: string; paidAmount: string; closedOn: string; certificateNo: string };
  at: string;
}

/** The whole schedule, in schedule order (due date, then number; at most 30 items). */
export async function getSchedule(loanId: string): Promise<ScheduleRow[]> {
  const items = await queryAll({
    TableName: T(),
    KeyConditionExpression: 'pk = :p AND begins_with(sk, :s)',
    ExpressionAttributeValues: { ':p': `LOAN#${loanId}`, ':s': 'S#' },
    ConsistentRead: true,
  });
  return inScheduleOrder(items.flatMap((item) => item.rows as ScheduleRow[]));
}

/**
 * The loan and its schedule as of ONE version of the loan (every schedule write bumps the loan's
 * version in its transaction): the loan is read again after the schedule, and both again while a
 * write came in between. `known`: the loan as already read. Undefined when there is no such loan.
 */
export async function getLoanAndSchedule(loanId: string, known?: Loan): Promise<{ loan: Loan; rows: ScheduleRow[] } | undefined> {
  let loan = known ?? (await getLoan(loanId));
  for (let attempt = 0; loan && attempt < 25; attempt++) {
    const rows = await getSchedule(loanId);
    const again = await getLoan(loanId);
    if (again && again.version === loan.version) return { loan: again, rows };
    loan = again;
  }
  if (!loan) return undefined;
  throw new Error(`loan ${loanId} kept changing while its schedule was read`);
}

/** The stored result of a bank repayment report applied to the loan (undefined: not applied). */
export const bankRefRecord = (loanId: string, bankRef: string) => getItem<Record<string, unknown>>(T(), bankRefKey(loanId, bankRef));

export const bankRefUsed = async (loanId: string, bankRef: string): Promise<boolean> => !!(await bankRefRecord(loanId, bankRef));

/** One page of the active loans of a segment that have an installment due on or before `date`. */
export const loansDueBy = (segment: number, date: string, limit: number, cursor?: string): Promise<Page<string>> =>
  queryPage({
    query: { TableName: T(), IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :s AND gsi2sk <= :d', ExpressionAttributeValues: { ':s': `DUE#${two(segment)}`, ':d': `${date}#~` }, ProjectionExpression: 'loanId' },
    keys: indexKeys('gsi2'),
    partition: { gsi2pk: `DUE#${two(segment)}` },
    limit,
    cursor,
    item: (i) => i.loanId as string,
  });

/** The statuses a staff queue lists (gsi1): APPLIED waits for review, APPROVED for disbursement. */
export const LOAN_QUEUE_STATUSES = ['APPLIED', 'APPROVED'] as const;
export type LoanQueueStatus = (typeof LOAN_QUEUE_STATUSES)[number];
const isQueueStatus = (s: string): s is LoanQueueStatus => (LOAN_QUEUE_STATUSES as readonly string[]).includes(s);
const queuePk = (status: LoanQueueStatus) => `LQUEUE#${status}`;
const QUEUE_READ = 100;

/** The loans in `status`, oldest application first: all of them, or those of one branch (the kernel's queuePage). */
export const listLoanQueue = (status: LoanQueueStatus, branch: string | undefined, limit: number, cursor?: string): Promise<Page<Loan>> =>
  queuePage({ table: T(), index: 'gsi1', pk: queuePk(status), branch, limit, cursor, fill: QUEUE_READ, item: asLoan });

export interface LoanTotals {
  outstandingPrincipalFen: number;
  /** Unpaid principal of the installments currently OVERDUE (supervision's 逾期率 numerator). */
  overduePrincipalFen: number;
  activeLoans: number;
}

/** Σ of the loan control-total shards of the branches. O(shards). */
export async function loanTotals(branches: readonly string[]): Promise<LoanTotals> {
  const total: LoanTotals = { outstandingPrincipalFen: 0, overduePrincipalFen: 0, activeLoans: 0 };
  for (const branch of branches) {
    const items = await queryAll({ TableName: T(), KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': `LTOT#${branch}` }, ConsistentRead: true });
    for (const item of items) {
      total.outstandingPrincipalFen += Number(item.outstandingPrincipalFen ?? 0);
      total.overduePrincipalFen += Number(item.overduePrincipalFen ?? 0);
      total.activeLoans += Number(item.activeLoans ?? 0);
    }
  }
  return total;
}

/** A co-borrower's consent, found in the co-borrower's own partition. */
export const getConsent = (coBorrowerAccountNo: string, consentId: string) => getItem<CoBorrowerConsent>(T(), consentKey(coBorrowerAccountNo, consentId));

/** Every consent a co-borrower gave (bounded: a member gives few). */
export async function consentsOf(coBorrowerAccountNo: string): Promise<CoBorrowerConsent[]> {
  const items = await queryAll({ TableName: T(), KeyConditionExpression: 'pk = :p AND begins_with(sk, :c)', ExpressionAttributeValues: { ':p': `CBC#${coBorrowerAccountNo}`, ':c': 'C#' }, ConsistentRead: true });
  return items.map(({ pk: _p, sk: _s, ...c }) => c as CoBorrowerConsent);
}

/** Writes a consent: new (`before` undefined) or a status change conditioned on the status read. */
export function consentItem(before: CoBorrowerConsent | undefined, after: CoBorrowerConsent): TxItem {
  const Item = { ...consentKey(after.coBorrowerAccountNo, after.consentId), ...after };
  return before
    ? { Put: { TableName: T(), Item, ConditionExpression: '#s = :s', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': before.status } } }
    : { Put: { TableName: T(), Item, ConditionExpression: 'attribute_not_exists(pk)' } };
}

/** The flags of the accounts (absent: no loan flags), read consistently. */
export async function getFlags(accountNos: readonly string[]): Promise<Map<string, StoredFlags>> {
  const result = new Map<string, StoredFlags>();
  const unique = [...new Set(accountNos)];
  for (const no of unique) result.set(no, { accountNo: no, hasOverdueLoan: false });
  for (const item of await batchGetItems<Record<string, any>>(T(), unique.map(flagsKey))) {
    result.set(item.accountNo as string, { accountNo: item.accountNo, activeLoanId: item.activeLoanId, hasOverdueLoan: item.hasOverdueLoan === true, version: item.version });
  }
  return result;
}

// ---------- writes (items for one transaction) ----------

/** Writes a party's flags, conditioned on the version read (no item read: none may exist meanwhile). */
export function flagsWriteItem(before: StoredFlags, after: BorrowerFlags): TxItem {
  const Item = { ...flagsKey(before.accountNo), accountNo: before.accountNo, activeLoanId: after.activeLoanId, hasOverdueLoan: after.hasOverdueLoan, version: (before.version ?? -1) + 1 };
  return before.version === undefined
    ? { Put: { TableName: T(), Item, ConditionExpression: 'attribute_not_exists(pk)' } }
    : { Put: { TableName: T(), Item, ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': before.version } } };
}

/**
 * A check that a party's flags are still `flags` (as read) when the transaction commits; no item
 * counts as no active loan and no overdue loan.
 */
export function flagsCheckItem(accountNo: string, flags: BorrowerFlags): TxItem {
  const values: Record<string, unknown> = {};
  const parts: string[] = [];
  if (flags.activeLoanId !== undefined) {
    parts.push('activeLoanId = :a');
    values[':a'] = flags.activeLoanId;
  } else parts.push('attribute_not_exists(activeLoanId)');
  if (flags.hasOverdueLoan) {
    parts.push('hasOverdueLoan = :t');
    values[':t'] = true;
  } else {
    parts.push('(attribute_not_exists(hasOverdueLoan) OR hasOverdueLoan = :f)');
    values[':f'] = false;
  }
  return { ConditionCheck: { TableName: T(), Key: flagsKey(accountNo), ConditionExpression: parts.join(' AND '), ExpressionAttributeValues: values } };
}

function loanItem(l: Loan) {
  const due = l.status === 'ACTIVE' && l.nextActionDate;
  const queued = isQueueStatus(l.status);
  return {
    ...loanKey(l.loanId),
    ...l,
    gsi1pk: queued ? queuePk(l.status as LoanQueueStatus) : undefined,
    gsi1sk: queued ? `${l.appliedOn}#${l.createdAt}#${l.loanId}` : undefined,
    gsi2pk: due ? `DUE#${two(segmentOf(l.loanId))}` : undefined,
    gsi2sk: due ? `${l.nextActionDate}#${l.loanId}` : undefined,
  };
}

/**
 * Items that write a loan (new: `before` undefined) and the schedule chunks that changed, conditioned
 * on the version read, plus the loan control totals' change.
 */
export function loanWriteItems(before: Loan | undefined, after: Loan, rowsBefore: readonly ScheduleRow[] = [], rowsAfter: readonly ScheduleRow[] = rowsBefore): TxItem[] {
  const next: Loan = { ...after, version: (before?.version ?? -1) + 1, updatedAt: nowIso() };
  const items: TxItem[] = [
    before
      ? { Put: { TableName: T(), Item: loanItem(next), ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': before.version } } }
      : { Put: { TableName: T(), Item: loanItem(next), ConditionExpression: 'attribute_not_exists(pk)' } },
  ];
  if (!before) items.push({ Put: { TableName: T(), Item: { ...borrowerLoanKey(after.accountNo, after.loanId), accountNo: after.accountNo, loanId: after.loanId }, ConditionExpression: 'attribute_not_exists(pk)' } });
  items.push(...scheduleItems(after.loanId, rowsBefore, rowsAfter));
  const totals = totalsItem(before, next);
  if (totals) items.push(totals);
  return items;
}

function scheduleItems(loanId: string, rowsBefore: readonly ScheduleRow[], rowsAfter: readonly ScheduleRow[]): TxItem[] {
  const chunks = (rows: readonly ScheduleRow[]) => {
    const m = new Map<number, ScheduleRow[]>();
    for (const r of rows) m.set(chunkOf(r.no), [...(m.get(chunkOf(r.no)) ?? []), r]);
    return m;
  };
  const old = chunks(rowsBefore);
  const now = chunks(rowsAfter);
  const items: TxItem[] = [];
  for (const [chunk, rows] of now) {
    if (JSON.stringify(old.get(chunk)) !== JSON.stringify(rows)) items.push({ Put: { TableName: T(), Item: { ...chunkKey(loanId, chunk), rows } } });
  }
  for (const chunk of old.keys()) if (!now.has(chunk)) items.push({ Delete: { TableName: T(), Key: chunkKey(loanId, chunk) } });
  return items;
}

const activeCount = (l?: Loan) => (l?.status === 'ACTIVE' ? 1 : 0);

function totalsItem(before: Loan | undefined, after: Loan): TxItem | undefined {
  const deltas: Record<keyof LoanTotals, number> = {
    outstandingPrincipalFen: after.outstandingPrincipalFen - (before?.outstandingPrincipalFen ?? 0),
    overduePrincipalFen: after.overduePrincipalFen - (before?.overduePrincipalFen ?? 0),
    activeLoans: activeCount(after) - activeCount(before),
  };
  const changed = Object.entries(deltas).filter(([, v]) => v !== 0);
  if (!changed.length) return undefined;
  const shard = Math.floor(Math.random() * policyOn(businessDate()).ledger.controlTotalShards);
  return {
    Update: {
      TableName: T(),
      Key: { pk: `LTOT#${after.branch}`, sk: `S#${two(shard)}` },
      UpdateExpression: `ADD ${changed.map(([k]) => `${k} :${k}`).join(', ')}`,
      ExpressionAttributeValues: Object.fromEntries(changed.map(([k, v]) => [`:${k}`, v])),
    },
  };
}

/** Records a bank report (its reference is the key: a second report with the same reference cannot apply). */
export const bankRefItem = (loanId: string, bankRef: string, repayment: Record<string, unknown>): TxItem => ({
  Put: { TableName: T(), Item: { ...bankRefKey(loanId, bankRef), ...repayment, at: nowIso() }, ConditionExpression: 'attribute_not_exists(pk)' },
});

/** Records a partner's full prepayment of the loan (its trackingId is the key: it applies once). */
export const partnerPrepaymentItem = (record: PartnerPrepaymentRecord): TxItem => ({
  Put: { TableName: T(), Item: { ...partnerPrepaymentKey(record.loanId, record.trackingId), ...record }, ConditionExpression: 'attribute_not_exists(pk)' },
});
