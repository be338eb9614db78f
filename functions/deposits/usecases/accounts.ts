// Personal accounts seen from collection: flexible employment (灵活就业) accounts and their monthly
// deposits, judicial and audit freezes (司法冻结), and the statement (account and entries) for its
// owner, unit, branch staff and auditors.
import { commit, type IdempotencyContext } from '../../../shared/tx.ts';
import { fail } from '../../../shared/errors.ts';
import { addMonths, businessDate, nowIso, periodOf } from '../../../shared/clock.ts';
import { policyOn } from '../../../shared/policy.ts';
import { newAccountNo } from '../../../shared/ids.ts';
import { canReadAccount, forbidden, notFound, type Caller } from '../../../shared/auth.ts';
import { fenToYuan } from '../../../shared/money.ts';
import { archiveItem, type ArchiveActor } from '../../../shared/archive.ts';
import type { TxItem } from '../../../shared/ddb.ts';
import { accountNoByIdNumber, getAccount, inRanges, ledgerWrite, listEntries, openAccountItems, type Account, type Entry } from '../../../shared/ledger/ledger.ts';
import { assertBaseInRange, CENTER_BRANCH, shareFen } from '../domain/rules.ts';
import { assertMayFreeze, freezeChanges, unfreezeChanges, type FreezeOrder } from '../domain/freeze.ts';
import { accountView, entryView } from '../domain/views.ts';
import { accountOwner, actorOf } from './archive.ts';

/**
 * The account, when the caller may read it; otherwise, and when there is no such account, the one
 * 404 (same detail, no number in it): a caller who may not see an account cannot tell it exists.
 */
async function accountFor(caller: Caller, accountNo: string): Promise<Account> {
  const account = await getAccount(accountNo);
  if (!account || !canReadAccount(caller, account)) return notFound('Account');
  return account;
}

export interface OpenFlexible {
  idNumber: string;
  name: string;
  monthlyBaseFen: number;
  ratePercent: number;
}

/**
 * A member opens their own flexible account: the member token's `sub` is their verified resident ID
 * number (real-name login), so a member can open one only for that ID (403 otherwise). Staff open
 * one for anyone. The account belongs to the staff's branch, or to the center for members and
 * city-level staff. One account per person: any existing account is a 409.
 */
export async function openFlexibleAccount(caller: Caller, input: OpenFlexible, idempotency?: IdempotencyContext) {
  if (caller.role === 'member' && caller.sub !== input.idNumber) forbidden('A member may open an account only for themselves / 只能为本人开户');
  const today = businessDate();
  assertBaseInRange(input.monthlyBaseFen, policyOn(today));
  const branch = caller.role === 'staff' && caller.branch && caller.branch !== '*' ? caller.branch : CENTER_BRANCH;
  const accountNo = newAccountNo();
  return commit({
    idempotency,
    plan: async () => {
      if (await accountNoByIdNumber(input.idNumber)) fail('CONFLICT', 'This person already has an account in the city / 该身份证号已有公积金账户');
      const opened = openAccountItems({
        accountNo,
        idNumber: input.idNumber,
        name: input.name,
        kind: 'FLEXIBLE',
        branch,
        status: 'NORMAL',
        monthlyBaseFen: input.monthlyBaseFen,
        employerRatePercent: 0,
        employeeRatePercent: input.ratePercent,
        monthlyAmountFen: shareFen(input.monthlyBaseFen, input.ratePercent),
        openedOn: today,
      });
      const archived = archiveItem({ subjectType: 'ACCOUNT', subjectId: accountNo, action: 'OPEN_FLEXIBLE', actor: actorOf(caller), submitted: { idNumber: input.idNumber, name: input.name, monthlyBase: fenToYuan(input.monthlyBaseFen), rate: String(input.ratePercent) }, decision: { status: 'NORMAL' }, owner: accountOwner(opened.account) });
      return { items: [...opened.items, archived], body: accountView(opened.account) };
    },
  });
}

/** Why a flexible deposit is refused (the staff route: 422 POLICY_VIOLATION, 409 CONFLICT). */
export type FlexibleDepositRefusal = 'NOT_FLEXIBLE' | 'ALREADY_PAID' | 'AMOUNT_MISMATCH';

export interface FlexibleDepositInput {
  period: string;
  amountFen: number;
  bankRef: string;
  /** Value date of the credit (the route: today; the bank: the arrival's value date). */
  valueDate: string;
  actor: ArchiveActor;
  at?: Date;
}

export type FlexibleDepositPlan = { ok: true; items: TxItem[]; entry: Entry } | { ok: false; reason: FlexibleDepositRefusal };

/**
 * The one code path of a flexible account's monthly deposit (the staff route and the bank's arrival
 * notice), on the account as read: a FLEXIBLE account, the period not yet paid, the monthly amount of
 * its base and rate. The ledger credit (conditioned on the account's revision and on the period's
 * entry key `DEPOSIT-<period>`: committed twice, it credits once) and the archive record; commits
 * nothing. The ledger's refusal (a CLOSED account: no credits) is thrown as its DomainError
 * INVALID_STATE; a FROZEN account is credited (credits post on a frozen account).
 */
export function planFlexibleDeposit(account: Account, input: FlexibleDepositInput): FlexibleDepositPlan {
  if (account.kind !== 'FLEXIBLE') return { ok: false, reason: 'NOT_FLEXIBLE' };
  if (inRanges(account.paidPeriods ?? [], input.period)) return { ok: false, reason: 'ALREADY_PAID' };
  if (input.amountFen !== account.monthlyAmountFen) return { ok: false, reason: 'AMOUNT_MISMATCH' };
  const latest = !account.lastPaidPeriod || input.period > account.lastPaidPeriod;
  const w = ledgerWrite(
    [
      {
        account,
        postings: [{ amountFen: input.amountFen, type: 'DEPOSIT', ref: input.bankRef, period: input.period, valueDate: input.valueDate, entryKey: `DEPOSIT-${input.period}` }],
        changes: latest ? { lastPaidPeriod: input.period } : undefined,
      },
    ],
    input.at ? { now: input.at } : {},
  );
  const e = w.entries[0];
  const archived = archiveItem({ subjectType: 'ACCOUNT', subjectId: account.accountNo, action: 'DEPOSIT', actor: input.actor, submitted: { period: input.period, amount: fenToYuan(input.amountFen), bankRef: input.bankRef }, decision: { status: 'POSTED', entryId: e.entryId }, owner: accountOwner(account), ...(input.at ? { at: input.at.toISOString() } : {}) });
  return { ok: true, items: [...w.items, archived], entry: e };
}

/**
 * The period a flexible account owes next: the first unpaid period after its last paid one (from its
 * opening period when it has none). May lie in the future (nothing owed yet).
 */
export function nextOwedPeriod(account: Pick<Account, 'lastPaidPeriod' | 'paidPeriods' | 'openedOn'>): string {
  let period = account.lastPaidPeriod ? addMonths(account.lastPaidPeriod, 1) : periodOf(account.openedOn);
  while (inRanges(account.paidPeriods ?? [], period)) period = addMonths(period, 1);
  return period;
}

/**
 * A flexible account's monthly deposit, confirmed by staff: once per period (409), for the monthly
 * amount of its base and rate (422 otherwise), not for a future period.
 */
export async function depositToFlexible(caller: Caller, accountNo: string, input: { period: string; amountFen: number; bankRef: string }, idempotency?: IdempotencyContext) {
  await accountFor(caller, accountNo);
  const today = businessDate();
  if (input.period > periodOf(today)) fail('POLICY_VIOLATION', `Period ${input.period} has not begun / 期间尚未开始`, [{ path: 'period', message: 'future period' }]);
  return commit({
    idempotency,
    plan: async () => {
      const account = await accountFor(caller, accountNo);
      const p = planFlexibleDeposit(account, { ...input, valueDate: today, actor: actorOf(caller) });
      if (!p.ok) {
        if (p.reason === 'NOT_FLEXIBLE') fail('POLICY_VIOLATION', 'Deposits are for flexible-employment accounts; employees are paid by remittance / 仅灵活就业账户可自行缴存');
        if (p.reason === 'ALREADY_PAID') fail('CONFLICT', `Period ${input.period} is already paid / 该期间已缴存`);
        return fail('POLICY_VIOLATION', `The monthly deposit is ${fenToYuan(account.monthlyAmountFen)} / 月缴存额应为 ${fenToYuan(account.monthlyAmountFen)}`, [{ path: 'amount', message: 'must equal monthlyAmount' }]);
      }
      return { items: p.items, body: { ...entryView(p.entry), accountNo, bankRef: input.bankRef } };
    },
  });
}

export async function getAccountView(caller: Caller, accountNo: string) {
  return accountView(await accountFor(caller, accountNo));
}

/** The statement, newest first. */
export async function statement(caller: Caller, accountNo: string, limit: number, cursor?: string) {
  await accountFor(caller, accountNo);
  const page = await listEntries(accountNo, limit, cursor);
  return { items: page.items.map(entryView), nextCursor: page.nextCursor };
}

/**
 * A judicial or audit freeze (司法冻结): NORMAL or SEALED → FROZEN, keeping the order and the status to
 * return to. Credits still post; the ledger refuses every debit (409 INVALID_STATE) until unfrozen.
 */
export async function freezeAccount(caller: Caller, accountNo: string, order: FreezeOrder, idempotency?: IdempotencyContext) {
  assertMayFreeze(caller);
  return commit({
    idempotency,
    plan: async () => {
      const account = await accountFor(caller, accountNo);
      const at = nowIso();
      const w = ledgerWrite([{ account, changes: freezeChanges(account, order, caller.sub, at) }]);
      const archived = archiveItem({ subjectType: 'ACCOUNT', subjectId: accountNo, action: 'FREEZE', actor: actorOf(caller), submitted: order, decision: { status: 'FROZEN', previousStatus: account.status }, owner: accountOwner(account), at });
      return { items: [...w.items, archived], body: accountView(w.accounts[0]) };
    },
  });
}

/** The freeze lifted: back to the status the account had before it (NORMAL or SEALED). */
export async function unfreezeAccount(caller: Caller, accountNo: string, input: { note: string }, idempotency?: IdempotencyContext) {
  assertMayFreeze(caller);
  return commit({
    idempotency,
    plan: async () => {
      const account = await accountFor(caller, accountNo);
      const w = ledgerWrite([{ account, changes: unfreezeChanges(account) }]);
      const archived = archiveItem({ subjectType: 'ACCOUNT', subjectId: accountNo, action: 'UNFREEZE', actor: actorOf(caller), submitted: input, decision: { status: w.accounts[0].status, freeze: account.freeze ?? null }, owner: accountOwner(account) });
      return { items: [...w.items, archived], body: accountView(w.accounts[0]) };
    },
  });
}
