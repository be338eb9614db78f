// The ledger store: the ONLY code that changes a balance or writes an entry. Domains call it to
// build the items of their own transaction (shared/tx.ts `commit`) so that their state change, the
// entries, the control totals and the idempotency record commit together.
//
// Keys (table `ledger`):
//   ACC#<accountNo> / ACCOUNT          the account (balance, status, base, 积数, version, chain head)
//   ACC#<accountNo> / E#<seq:10>       entries, append-only, newest first by sk, hash-chained per account (chain.ts)
//   ACC#<accountNo> / K#<entryKey>     guard: a deterministic posting happens once
//   ID#<idNumber>   / ID               one account per resident ID in the city
//   CTL#<branch>    / S#<shard>        control totals: Σ balances and cumulative amount per type
//   FLOW#<period>   / <branch>#S#<shard>  amounts per entry type and fund flow in a period
//   gsi1: UNIT#<unitId> / ACC#<accountNo>   accounts of a unit
//   gsi2: SEG#<nn> / <accountNo>            64 segments for fan-out (interest, audit)
import { GetCommand, QueryCommand, BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, queryAll, decodeCursor, encodeCursor, type Page, type TxItem } from '../ddb.ts';
import { tableName } from '../config.ts';
import { policyOn } from '../policy.ts';
import { DomainError } from '../errors.ts';
import { businessDate, now, nowIso } from '../clock.ts';
import { applyPostings, withInterestSettled, accountStatusCode, type Account, type AccountFreeze, type AccountStatus, type Entry, type Posting, type EntryType } from './account.ts';
import { createHash } from 'node:crypto';

export * from './account.ts';
export * from './chain.ts';

export const SEGMENTS = 64;
const T = () => tableName('ledger');
const accountKey = (accountNo: string) => ({ pk: `ACC#${accountNo}`, sk: 'ACCOUNT' });
export const segmentOf = (accountNo: string) => createHash('sha256').update(accountNo).digest()[0] % SEGMENTS;
const segmentKey = (n: number) => `SEG#${String(n).padStart(2, '0')}`;
const shardCount = () => policyOn(businessDate()).ledger.controlTotalShards;
const randomShard = () => Math.floor(Math.random() * shardCount());
const shardKey = (n: number) => `S#${String(n).padStart(2, '0')}`;

// ---------- reads ----------

export async function getAccount(accountNo: string, consistent = true): Promise<Account | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: T(), Key: accountKey(accountNo), ConsistentRead: consistent }));
  return out.Item ? stripKeys<Account>(out.Item) : undefined;
}

export async function mustGetAccount(accountNo: string): Promise<Account> {
  const a = await getAccount(accountNo);
  if (!a) throw new DomainError('NOT_FOUND', 'Account not found / 未找到'); // the same answer as any record the caller may not see
  return a;
}

export async function getAccounts(accountNos: readonly string[]): Promise<Map<string, Account>> {
  const result = new Map<string, Account>();
  for (let i = 0; i < accountNos.length; i += 100) {
    let keys: Record<string, unknown>[] | undefined = accountNos.slice(i, i + 100).map(accountKey);
    while (keys && keys.length) {
      const out = await ddb.send(new BatchGetCommand({ RequestItems: { [T()]: { Keys: keys, ConsistentRead: true } } }));
      for (const item of out.Responses?.[T()] ?? []) result.set(item.accountNo as string, stripKeys<Account>(item));
      keys = out.UnprocessedKeys?.[T()]?.Keys as Record<string, unknown>[] | undefined;
    }
  }
  return result;
}

export async function accountNoByIdNumber(idNumber: string): Promise<string | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: T(), Key: { pk: `ID#${idNumber}`, sk: 'ID' }, ConsistentRead: true }));
  return out.Item?.accountNo as string | undefined;
}

/** Statement, newest first. */
export async function listEntries(accountNo: string, limit: number, cursor?: string): Promise<Page<Entry>> {
  const out = await ddb.send(
    new QueryCommand({
      TableName: T(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
      ExpressionAttributeValues: { ':pk': `ACC#${accountNo}`, ':e': 'E#' },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: decodeCursor(cursor, ['pk', 'sk'], { pk: `ACC#${accountNo}` }),
    }),
  );
  return { items: (out.Items ?? []).map((i) => stripKeys<Entry>(i)), nextCursor: encodeCursor(out.LastEvaluatedKey) };
}

/** All entries of an account, oldest first (reconciliation); `consistent` for a re-check. */
export async function allEntries(accountNo: string, consistent = false): Promise<Entry[]> {
  const items = await queryAll({
    TableName: T(),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
    ExpressionAttributeValues: { ':pk': `ACC#${accountNo}`, ':e': 'E#' },
    ...(consistent ? { ConsistentRead: true } : {}),
  });
  return items.map((i) => stripKeys<Entry>(i));
}

export async function listAccountsOfUnit(unitId: string, limit: number, cursor?: string): Promise<Page<Account>> {
  const out = await ddb.send(
    new QueryCommand({
      TableName: T(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :u',
      ExpressionAttributeValues: { ':u': `UNIT#${unitId}` },
      Limit: limit,
      ExclusiveStartKey: decodeCursor(cursor, ['pk', 'sk', 'gsi1pk', 'gsi1sk'], { gsi1pk: `UNIT#${unitId}` }),
    }),
  );
  return { items: (out.Items ?? []).map((i) => stripKeys<Account>(i)), nextCursor: encodeCursor(out.LastEvaluatedKey) };
}

/**
 * One page of the accounts of a segment (0 … SEGMENTS−1): fan-out for settlement and audit.
 * `throughAccountNo` bounds the page by key instead (every account up to it: a page read again
 * after the segment grew keeps the boundary it had).
 */
export async function listAccountsOfSegment(segment: number, limit: number, cursor?: string, throughAccountNo?: string): Promise<Page<Account>> {
  const out = await ddb.send(
    new QueryCommand({
      TableName: T(),
      IndexName: 'gsi2',
      KeyConditionExpression: throughAccountNo ? 'gsi2pk = :s AND gsi2sk <= :to' : 'gsi2pk = :s',
      ExpressionAttributeValues: throughAccountNo ? { ':s': segmentKey(segment), ':to': throughAccountNo } : { ':s': segmentKey(segment) },
      Limit: limit,
      ExclusiveStartKey: decodeCursor(cursor, ['pk', 'sk', 'gsi2pk', 'gsi2sk'], { gsi2pk: segmentKey(segment) }),
    }),
  );
  return { items: (out.Items ?? []).map((i) => stripKeys<Account>(i)), nextCursor: encodeCursor(out.LastEvaluatedKey) };
}

export interface ControlTotals {
  balanceFen: number;
  byTypeFen: Partial<Record<EntryType, number>>;
  /** Number of accounts per status (contributors = NORMAL). */
  accountsByStatus: Partial<Record<AccountStatus, number>>;
  /** Cumulative fund flows that do not touch a personal account (FundFlow kinds). */
  flowsFen: Record<string, number>;
  entries: number;
}

/** Σ of a branch's (or every branch's) control-total shards. O(shards). */
export async function controlTotals(branches: readonly string[]): Promise<ControlTotals> {
  const total: ControlTotals = { balanceFen: 0, byTypeFen: {}, accountsByStatus: {}, flowsFen: {}, entries: 0 };
  for (const branch of branches) {
    const out = await ddb.send(new QueryCommand({ TableName: T(), KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': `CTL#${branch}` }, ConsistentRead: true }));
    for (const item of out.Items ?? []) addTotals(total, item);
  }
  return total;
}

/** Amounts (fen) per entry type and fund flow (LOAN_DISBURSEMENT, LOAN_REPAYMENT …) in a period, per branch or all, and `newAccounts`. */
export async function periodFlows(period: string, branch?: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  let start: Record<string, unknown> | undefined;
  do {
    const page = await ddb.send(
      new QueryCommand({
        TableName: T(),
        KeyConditionExpression: branch ? 'pk = :p AND begins_with(sk, :b)' : 'pk = :p',
        ExpressionAttributeValues: branch ? { ':p': `FLOW#${period}`, ':b': `${branch}#` } : { ':p': `FLOW#${period}` },
        ExclusiveStartKey: start,
        ConsistentRead: true,
      }),
    );
    for (const item of page.Items ?? [])
      for (const [k, v] of Object.entries(item)) {
        if (typeof v !== 'number') continue;
        if (k.endsWith('Fen')) out[k.slice(0, -3)] = (out[k.slice(0, -3)] ?? 0) + v;
        else if (k === 'newAccounts') out.newAccounts = (out.newAccounts ?? 0) + v;
      }
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

/** Branches that have control totals (the `CTL#…` registry item). */
export async function knownBranches(): Promise<string[]> {
  const out = await ddb.send(new GetCommand({ TableName: T(), Key: { pk: 'BRANCHES', sk: 'BRANCHES' }, ConsistentRead: true }));
  return [...((out.Item?.branches as Set<string> | undefined) ?? [])].sort();
}

function addTotals(total: ControlTotals, item: Record<string, unknown>) {
  total.balanceFen += Number(item.balanceFen ?? 0);
  total.entries += Number(item.entries ?? 0);
  for (const [k, v] of Object.entries(item)) {
    if (k.startsWith('type_') && typeof v === 'number') {
      const t = k.slice(5, -3) as EntryType;
      total.byTypeFen[t] = (total.byTypeFen[t] ?? 0) + v;
    }
    if (k.startsWith('status_') && typeof v === 'number') {
      const st = k.slice(7) as AccountStatus;
      total.accountsByStatus[st] = (total.accountsByStatus[st] ?? 0) + v;
    }
    if (k.startsWith('flow_') && typeof v === 'number') {
      const f = k.slice(5, -3);
      total.flowsFen[f] = (total.flowsFen[f] ?? 0) + v;
    }
  }
}

function stripKeys<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, gsi1pk: _a, gsi1sk: _b, gsi2pk: _c, gsi2sk: _d, ...rest } = item;
  return rest as T;
}

// ---------- writes (item builders for one transaction) ----------

export type NewAccount = Omit<Account, 'statusSince' | 'paidPeriods' | 'balanceFen' | 'version' | 'accrualYear' | 'accrualFenDays' | 'accrualDate' | 'unsettledAccruals' | 'createdAt' | 'updatedAt' | 'statusCode'>;

/** Items that open an account: the account and the one-per-person guard. */
export function openAccountItems(a: NewAccount, at = nowIso()): { account: Account; items: TxItem[] } {
  const account: Account = {
    ...a,
    statusCode: accountStatusCode[a.status],
    statusSince: at,
    balanceFen: 0,
    version: 0,
    rev: 0,
    accrualYear: Number(a.openedOn.slice(0, 4)) + (Number(a.openedOn.slice(5, 7)) >= 7 ? 1 : 0),
    accrualFenDays: 0,
    accrualDate: a.openedOn,
    unsettledAccruals: {},
    paidPeriods: [],
    createdAt: at,
    updatedAt: at,
  };
  return {
    account,
    items: [
      { Put: { TableName: T(), Item: accountItem(account), ConditionExpression: 'attribute_not_exists(pk)' } },
      { Put: { TableName: T(), Item: { pk: `ID#${a.idNumber}`, sk: 'ID', accountNo: a.accountNo }, ConditionExpression: 'attribute_not_exists(pk)' } },
      { Update: { TableName: T(), Key: { pk: 'BRANCHES', sk: 'BRANCHES' }, UpdateExpression: 'ADD branches :b', ExpressionAttributeValues: { ':b': new Set([a.branch]) } } },
      { Update: { TableName: T(), Key: { pk: `CTL#${a.branch}`, sk: shardKey(randomShard()) }, UpdateExpression: 'ADD #s :one', ExpressionAttributeNames: { '#s': `status_${a.status}` }, ExpressionAttributeValues: { ':one': 1 } } },
      { Update: { TableName: T(), Key: { pk: `FLOW#${a.openedOn.slice(0, 7)}`, sk: `${a.branch}#OPENED` }, UpdateExpression: 'ADD newAccounts :one', ExpressionAttributeValues: { ':one': 1 } } },
    ],
  };
}

function accountItem(a: Account) {
  return {
    ...accountKey(a.accountNo),
    ...a,
    gsi1pk: a.unitId ? `UNIT#${a.unitId}` : undefined,
    gsi1sk: a.unitId ? `ACC#${a.accountNo}` : undefined,
    gsi2pk: segmentKey(segmentOf(a.accountNo)),
    gsi2sk: a.accountNo,
  };
}

export type AccountChanges = Partial<Pick<Account, 'status' | 'statusCode' | 'unitId' | 'branch' | 'monthlyBaseFen' | 'employerRatePercent' | 'employeeRatePercent' | 'monthlyAmountFen' | 'lastPaidPeriod' | 'name'>> & {
  /** Set with `status: 'FROZEN'`; cleared (null) by the unfreeze, the only change that may leave FROZEN. */
  freeze?: AccountFreeze | null;
  /** Set with `status: 'CLOSED'`; cleared (null) when a CLOSED account is re-opened. */
  closedOn?: string | null;
};

export interface AccountWrite {
  /** The account exactly as read in this attempt (its version is the write's condition). */
  account: Account;
  postings?: readonly Posting[];
  changes?: AccountChanges;
  /** Settle interest to this date before the postings (closing, transfer out). */
  settleInterestTo?: string;
  /** Settle only the finished interest year (annual 结息). */
  settleInterestYear?: number;
}

/**
 * A ConditionCheck, for the caller's transaction, that the account is still at the revision read (no
 * posting or change since): a decision taken on the account's state commits only if it still holds.
 * Not with a write of the same account in that transaction.
 */
export function accountCheck(account: Account): TxItem {
  return {
    ConditionCheck: {
      TableName: T(),
      Key: accountKey(account.accountNo),
      ConditionExpression: account.rev === undefined ? 'version = :v AND attribute_not_exists(rev)' : 'version = :v AND rev = :r',
      ExpressionAttributeValues: account.rev === undefined ? { ':v': account.version } : { ':v': account.version, ':r': account.rev },
    },
  };
}

export interface LedgerWrite {
  items: TxItem[];
  accounts: Account[];
  entries: Entry[];
}

/**
 * Builds the ledger's part of a transaction: per account one conditional update (on the revision read),
 * the entries, the guards of deterministic postings, and the sharded control totals and period flows.
 * Throws DomainError (INSUFFICIENT_BALANCE, INVALID_STATE) before anything is written.
 */
export function ledgerWrite(writes: readonly AccountWrite[], opts: { fundFlows?: readonly FundFlow[]; now?: Date } = {}): LedgerWrite {
  const at = (opts.now ?? now()).toISOString();
  const items: TxItem[] = [];
  const accounts: Account[] = [];
  const entries: Entry[] = [];
  const totals = new Map<string, { key: { pk: string; sk: string }; add: Record<string, number> }>();
  const bump = (pk: string, sk: string, field: string, v: number) => {
    const id = `${pk}|${sk}`;
    const t = totals.get(id) ?? { key: { pk, sk }, add: {} };
    t.add[field] = (t.add[field] ?? 0) + v;
    totals.set(id, t);
  };
  const shard = randomShard();
  const seen = new Set<string>();
  for (const w of writes) {
    if (seen.has(w.account.accountNo)) throw new Error(`account ${w.account.accountNo} written twice in one transaction`);
    seen.add(w.account.accountNo);
    let base: Account = w.account;
    const postings: Posting[] = [];
    if (w.settleInterestTo || w.settleInterestYear !== undefined) {
      const date = w.settleInterestTo ?? `${w.settleInterestYear}-07-01`;
      const p = policyOn(date).interest;
      const settled = withInterestSettled(base, date, { annualRate: p.annualRate, dayBasis: p.dayBasis }, `INTEREST-${w.settleInterestYear ?? date}`, w.settleInterestTo ? undefined : w.settleInterestYear);
      base = settled.account;
      if (settled.posting) postings.push(settled.posting);
    }
    postings.push(...(w.postings ?? []));
    // a write that re-opens a CLOSED account (the failed payment of the withdrawal that closed it gives
    // the money back): its postings apply to the account in the status it re-opens to
    if (w.account.status === 'CLOSED' && w.changes?.status && w.changes.status !== 'CLOSED') base = { ...base, status: w.changes.status };
    const applied = applyPostings(base, postings, at, (seq) => `${w.account.accountNo}-${seq}`);
    const next = { ...applied.account, ...w.changes, updatedAt: at } as Account;
    for (const [k, v] of Object.entries(w.changes ?? {})) if (v === null) delete (next as unknown as Record<string, unknown>)[k]; // null removes (the freeze on unfreeze)
    if (w.changes?.status && !w.changes.statusCode) next.statusCode = accountStatusCode[w.changes.status];
    // a FROZEN account leaves its status only by the unfreeze (which clears the freeze): no closure, seal or re-opening meanwhile
    if (w.account.status === 'FROZEN' && next.status !== 'FROZEN' && w.changes?.freeze !== null) throw new DomainError('INVALID_STATE', `Account ${w.account.accountNo} is FROZEN / 账户已冻结`);
    if (next.status !== w.account.status) {
      next.statusSince = at;
      // account counts per status (contributors = NORMAL) move with the status, per branch
      bump(`CTL#${w.account.branch}`, shardKey(shard), `status_${w.account.status}`, -1);
      bump(`CTL#${next.branch}`, shardKey(shard), `status_${next.status}`, 1);
    } else if (next.branch !== w.account.branch) {
      bump(`CTL#${w.account.branch}`, shardKey(shard), `status_${next.status}`, -1);
      bump(`CTL#${next.branch}`, shardKey(shard), `status_${next.status}`, 1);
    }
    items.push({
      Put: {
        TableName: T(),
        Item: accountItem({ ...next, rev: (w.account.rev ?? 0) + 1 }),
        // the revision read: a concurrent write of any kind (postings or changes alone) fails this one;
        // and the chain's head read, which the new entries link to
        ConditionExpression: `${w.account.rev === undefined ? 'version = :v AND attribute_not_exists(rev)' : 'version = :v AND rev = :r'} AND ${w.account.chainHash === undefined ? 'attribute_not_exists(chainHash)' : 'chainHash = :h'}`,
        ExpressionAttributeValues: { ':v': w.account.version, ...(w.account.rev === undefined ? {} : { ':r': w.account.rev }), ...(w.account.chainHash === undefined ? {} : { ':h': w.account.chainHash }) },
      },
    });
    for (const e of applied.entries) {
      items.push({ Put: { TableName: T(), Item: { pk: `ACC#${e.accountNo}`, sk: `E#${String(e.seq).padStart(10, '0')}`, ...e }, ConditionExpression: 'attribute_not_exists(pk)' } });
      if (e.entryKey) items.push({ Put: { TableName: T(), Item: { pk: `ACC#${e.accountNo}`, sk: `K#${e.entryKey}`, entryId: e.entryId }, ConditionExpression: 'attribute_not_exists(pk)' } });
      bump(`CTL#${e.branch}`, shardKey(shard), 'balanceFen', e.amountFen);
      bump(`CTL#${e.branch}`, shardKey(shard), `type_${e.type}Fen`, e.amountFen);
      bump(`CTL#${e.branch}`, shardKey(shard), 'entries', 1);
      bump(`FLOW#${e.valueDate.slice(0, 7)}`, `${e.branch}#${shardKey(shard)}`, `${e.type}Fen`, e.amountFen);
    }
    // a branch move (re-opened under a unit of another branch) carries the balance between branch totals
    if (next.branch !== w.account.branch && next.balanceFen !== 0) {
      bump(`CTL#${w.account.branch}`, shardKey(shard), 'balanceFen', -next.balanceFen);
      bump(`CTL#${next.branch}`, shardKey(shard), 'balanceFen', next.balanceFen);
    }
    accounts.push(next);
    entries.push(...applied.entries);
  }
  for (const f of opts.fundFlows ?? []) {
    bump(`FLOW#${f.period}`, `${f.branch}#${shardKey(shard)}`, `${f.kind}Fen`, f.amountFen);
    bump(`CTL#${f.branch}`, shardKey(shard), `flow_${f.kind}Fen`, f.amountFen); // cumulative: loan balance = Σ disbursed − Σ principal repaid
  }
  for (const t of totals.values()) {
    const names: Record<string, string> = {};
    const values: Record<string, number> = {};
    const parts = Object.entries(t.add).map(([field, v], i) => {
      names[`#f${i}`] = field;
      values[`:v${i}`] = v;
      return `#f${i} :v${i}`;
    });
    items.push({ Update: { TableName: T(), Key: t.key, UpdateExpression: `ADD ${parts.join(', ')}`, ExpressionAttributeNames: names, ExpressionAttributeValues: values } });
  }
  return { items, accounts, entries };
}

/**
 * Money that moves in the fund but not through a personal account (a domain names its kinds: the
 * loans domain's disbursements and repayments, say). Kept per period and cumulatively per branch.
 */
export interface FundFlow {
  /** A domain's name for the flow, `[A-Z_]+`. */
  kind: string;
  amountFen: number;
  branch: string;
  period: string;
}
