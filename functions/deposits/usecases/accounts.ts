// Personal accounts seen from collection: flexible employment (灵活就业) accounts and their monthly
// deposits, judicial and audit freezes (司法冻结), and the statement (account and entries) for its
// owner, unit, branch staff and auditors.
import { commit, type IdempotencyContext } from '../../../shared/tx.ts';
import { fail } from '../../../shared/errors.ts';
import { businessDate, nowIso, periodOf } from '../../../shared/clock.ts';
import { policyOn } from '../../../shared/policy.ts';
import { newAccountNo } from '../../../shared/ids.ts';
import { canReadAccount, forbidden, notFound, type Caller } from '../../../shared/auth.ts';
import { fenToYuan } from '../../../shared/money.ts';
import { archiveItem } from '../../../shared/archive.ts';
import { accountNoByIdNumber, getAccount, inRanges, ledgerWrite, listEntries, openAccountItems, type Account } from '../../../shared/ledger/ledger.ts';
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
      if (account.kind !== 'FLEXIBLE') fail('POLICY_VIOLATION', 'Deposits are for flexible-employment accounts; employees are paid by remittance / 仅灵活就业账户可自行缴存');
      if (inRanges(account.paidPeriods ?? [], input.period)) fail('CONFLICT', `Period ${input.period} is already paid / 该期间已缴存`);
      if (input.amountFen !== account.monthlyAmountFen) fail('POLICY_VIOLATION', `The monthly deposit is ${fenToYuan(account.monthlyAmountFen)} / 月缴存额应为 ${fenToYuan(account.monthlyAmountFen)}`, [{ path: 'amount', message: 'must equal monthlyAmount' }]);
      const latest = !account.lastPaidPeriod || input.period > account.lastPaidPeriod;
      const w = ledgerWrite([
        {
          account,
          postings: [{ amountFen: input.amountFen, type: 'DEPOSIT', ref: input.bankRef, period: input.period, valueDate: today, entryKey: `DEPOSIT-${input.period}` }],
          changes: latest ? { lastPaidPeriod: input.period } : undefined,
        },
      ]);
      const e = w.entries[0];
      const archived = archiveItem({ subjectType: 'ACCOUNT', subjectId: accountNo, action: 'DEPOSIT', actor: actorOf(caller), submitted: { period: input.period, amount: fenToYuan(input.amountFen), bankRef: input.bankRef }, decision: { status: 'POSTED', entryId: e.entryId }, owner: accountOwner(account) });
      return { items: [...w.items, archived], body: { ...entryView(e), accountNo, bankRef: input.bankRef } };
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
