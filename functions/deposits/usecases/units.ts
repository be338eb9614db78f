// Use cases of units and their employees: registration, terms, hiring (开户 / 启封), sealing (封存),
// annual base adjustment, deferral (缓缴). Each write is one `commit` (shared/tx.ts).
import { commit, type IdempotencyContext } from '../../../shared/tx.ts';
import { DomainError, fail, type FieldError } from '../../../shared/errors.ts';
import { businessDate, nowIso, periodOf } from '../../../shared/clock.ts';
import { policyOn } from '../../../shared/policy.ts';
import { newAccountNo, newId } from '../../../shared/ids.ts';
import type { Caller } from '../../../shared/auth.ts';
import { deferralRangeItem } from '../../../shared/contributions.ts';
import { accountNoByIdNumber, getAccount, getAccounts, ledgerWrite, listAccountsOfUnit, openAccountItems, type Account } from '../../../shared/ledger/ledger.ts';
import * as store from '../store.ts';
import { assertManagesUnit, assertReadsUnit, assertStaffOf } from '../domain/access.ts';
import { assertBaseInRange, assertNoProblems, baseProblem, chunked, currentRates, monthlyShares, overlaps, withRateChange } from '../domain/rules.ts';
import { accountView, deferralView, unitView } from '../domain/views.ts';
import type { Unit } from '../domain/types.ts';

async function mustGetUnit(unitId: string): Promise<Unit> {
  const unit = await store.getUnit(unitId);
  if (!unit) throw new DomainError('NOT_FOUND', `Unit ${unitId} not found / 单位不存在`);
  return unit;
}

/** The unit, when the caller may manage it (404 when it does not exist, 403 when not theirs). */
export async function unitFor(caller: Caller, unitId: string): Promise<Unit> {
  const unit = await mustGetUnit(unitId);
  assertManagesUnit(caller, unit);
  return unit;
}

export interface RegisterUnit {
  name: string;
  creditCode: string;
  branch: string;
  payDay: number;
  employerRate: number;
  employeeRate: number;
  startPeriod?: string;
}

export async function registerUnit(caller: Caller, input: RegisterUnit, idempotency?: IdempotencyContext) {
  assertStaffOf(caller, input.branch);
  const unitId = newId('U');
  const startPeriod = input.startPeriod ?? periodOf(businessDate());
  return commit({
    idempotency,
    plan: async () => {
      if (await store.unitIdByCreditCode(input.creditCode)) fail('CONFLICT', `A unit with credit code ${input.creditCode} is already registered / 该统一社会信用代码已登记`);
      const at = nowIso();
      const unit: Unit = {
        unitId,
        name: input.name,
        creditCode: input.creditCode,
        branch: input.branch,
        payDay: input.payDay,
        rateHistory: [{ fromPeriod: startPeriod, employerRatePercent: input.employerRate, employeeRatePercent: input.employeeRate }],
        startPeriod,
        status: 'ACTIVE',
        headcount: 0,
        version: 0,
        createdAt: at,
        updatedAt: at,
      };
      return { items: store.newUnitItems(unit), body: unitView(unit) };
    },
  });
}

export async function getUnitView(caller: Caller, unitId: string) {
  const unit = await mustGetUnit(unitId);
  assertReadsUnit(caller, unit);
  return unitView(unit);
}

/** Ratios change from the next unpaid period (the history keeps the earlier ones); pay day at once. */
export async function changeUnit(caller: Caller, unitId: string, input: { employerRate?: number; employeeRate?: number; payDay?: number }) {
  await unitFor(caller, unitId);
  const out = await commit({
    plan: async () => {
      const unit = await mustGetUnit(unitId);
      const ratesChange = input.employerRate !== undefined || input.employeeRate !== undefined;
      const rateHistory = ratesChange ? withRateChange(unit, { employerRatePercent: input.employerRate, employeeRatePercent: input.employeeRate }) : undefined;
      const at = nowIso();
      const next: Unit = { ...unit, payDay: input.payDay ?? unit.payDay, rateHistory: rateHistory ?? unit.rateHistory, version: unit.version + 1, updatedAt: at };
      return { items: [store.unitChangeItem(unit, { payDay: input.payDay, rateHistory }, at)], body: unitView(next) };
    },
  });
  return out.body;
}

export interface Hire {
  idNumber: string;
  name: string;
  monthlyBaseFen: number;
  startPeriod?: string;
}

/**
 * Hires a person: opens their account, or re-opens (启封) their SEALED account under this unit (the
 * name must match the one on record). An account active elsewhere is refused until sealed there.
 */
export async function hireEmployee(caller: Caller, unitId: string, input: Hire, idempotency?: IdempotencyContext) {
  const unit = await unitFor(caller, unitId);
  const today = businessDate();
  assertBaseInRange(input.monthlyBaseFen, policyOn(today));
  const startPeriod = input.startPeriod ?? unit.startPeriod;
  if (startPeriod < unit.startPeriod) fail('POLICY_VIOLATION', `startPeriod is before the unit's start ${unit.startPeriod} / 起缴期间早于单位起缴期间`, [{ path: 'startPeriod', message: 'before the unit start period' }]);
  const newNo = newAccountNo();
  return commit({
    idempotency,
    plan: async () => {
      const fresh = await mustGetUnit(unitId);
      const rates = currentRates(fresh);
      const terms = {
        unitId,
        branch: fresh.branch,
        monthlyBaseFen: input.monthlyBaseFen,
        employerRatePercent: rates.employerRatePercent,
        employeeRatePercent: rates.employeeRatePercent,
        monthlyAmountFen: monthlyShares(input.monthlyBaseFen, rates.employerRatePercent, rates.employeeRatePercent).monthlyFen,
      };
      const employment = (accountNo: string) => store.employmentItem({ unitId, accountNo, startPeriod, hiredOn: today });
      const existingNo = await accountNoByIdNumber(input.idNumber);
      if (!existingNo) {
        const opened = openAccountItems({ accountNo: newNo, idNumber: input.idNumber, name: input.name, kind: 'EMPLOYEE', status: 'NORMAL', openedOn: today, ...terms });
        return { items: [...opened.items, employment(newNo), store.headcountItem(unitId, 1)], body: { ...accountView(opened.account), startPeriod, reopened: false } };
      }
      const account = await getAccount(existingNo);
      if (!account) throw new Error(`resident ID guard points at missing account ${existingNo}`);
      assertReopenable(account, unitId, input.name);
      const w = ledgerWrite([{ account, changes: { status: 'NORMAL', ...terms } }]);
      return { items: [...w.items, employment(existingNo), store.headcountItem(unitId, 1)], body: { ...accountView(w.accounts[0]), startPeriod, reopened: true } };
    },
  });
}

function assertReopenable(account: Account, unitId: string, name: string) {
  if (account.status === 'NORMAL' && account.unitId === unitId) fail('CONFLICT', 'This person is already employed by this unit / 该职工已在本单位缴存');
  if (account.status === 'NORMAL') fail('CONFLICT', 'This person has an active account elsewhere; it must be sealed first / 该职工账户在其他单位正常缴存，须先封存');
  if (account.status !== 'SEALED') fail('INVALID_STATE', `The person's account is ${account.status} / 该职工账户状态为 ${account.status}`);
  if (account.name !== name) fail('POLICY_VIOLATION', 'The name does not match the account of this resident ID / 姓名与身份证号对应账户不一致', [{ path: 'name', message: 'does not match the record' }]);
}

export async function listEmployees(caller: Caller, unitId: string, limit: number, cursor?: string) {
  assertReadsUnit(caller, await mustGetUnit(unitId));
  const page = await listAccountsOfUnit(unitId, limit, cursor);
  return { items: page.items.map(accountView), nextCursor: page.nextCursor };
}

/** The employee left: the account is SEALED (keeps its balance and interest). */
export async function sealEmployee(caller: Caller, unitId: string, accountNo: string, idempotency?: IdempotencyContext) {
  await unitFor(caller, unitId);
  return commit({
    idempotency,
    plan: async () => {
      const account = await getAccount(accountNo);
      if (!account || account.unitId !== unitId) throw new DomainError('NOT_FOUND', `Account ${accountNo} not found in this unit / 本单位无此职工账户`);
      if (account.status !== 'NORMAL') fail('INVALID_STATE', `Account is ${account.status}, not NORMAL / 账户非正常状态，不能封存`);
      const w = ledgerWrite([{ account, changes: { status: 'SEALED' } }]);
      return { items: [...w.items, store.headcountItem(unitId, -1)], body: accountView(w.accounts[0]) };
    },
  });
}

/** Accounts per base-adjustment transaction: one item each, plus the adjustment and idempotency records. */
const BASES_PER_TRANSACTION = 90;

/**
 * The annual base adjustment (年度基数调整), once per unit and year. Every base must be in range and
 * every account of this unit, or nothing changes. Applied in transactions of ≤ 100 items; the last
 * one records the adjustment with the idempotency record, and a retry re-applies the same values.
 */
export async function adjustBases(caller: Caller, unitId: string, input: { year: number; items: { accountNo: string; monthlyBaseFen: number }[] }, idempotency?: IdempotencyContext) {
  await unitFor(caller, unitId);
  const policy = policyOn(businessDate());
  assertNoProblems(
    input.items.flatMap((it, i) => {
      const problem = baseProblem(it.monthlyBaseFen, policy);
      return problem ? [{ path: `items.${i}.monthlyBase`, message: problem }] : [];
    }),
    'A monthly base is outside the policy range / 缴存基数超出上下限',
  );
  const chunks = chunked(input.items, BASES_PER_TRANSACTION);
  const writeChunk = async (chunk: typeof input.items) => {
    const unit = await mustGetUnit(unitId);
    const rates = currentRates(unit);
    const accounts = await getAccounts(chunk.map((c) => c.accountNo));
    return ledgerWrite(
      chunk.map((c) => ({
        account: accounts.get(c.accountNo)!,
        changes: { monthlyBaseFen: c.monthlyBaseFen, employerRatePercent: rates.employerRatePercent, employeeRatePercent: rates.employeeRatePercent, monthlyAmountFen: monthlyShares(c.monthlyBaseFen, rates.employerRatePercent, rates.employeeRatePercent).monthlyFen },
      })),
    ).items;
  };
  return commit({
    idempotency,
    plan: async () => {
      if (await store.getBaseAdjustment(unitId, input.year)) fail('CONFLICT', `The bases of ${input.year} were already adjusted / 该年度基数已调整`);
      const accounts = await getAccounts(input.items.map((i) => i.accountNo));
      const errors: FieldError[] = [];
      input.items.forEach((it, i) => {
        const a = accounts.get(it.accountNo);
        if (!a || a.unitId !== unitId || a.status === 'CLOSED') errors.push({ path: `items.${i}.accountNo`, message: 'not an open account of this unit / 非本单位账户' });
      });
      assertNoProblems(errors, 'An account is not an open account of this unit / 存在非本单位账户');
      for (const chunk of chunks.slice(0, -1)) await commit({ plan: async () => ({ items: await writeChunk(chunk), body: null }) });
      const record = { adjustmentId: newId('B'), unitId, year: input.year, count: input.items.length, adjustedBy: caller.sub, adjustedAt: nowIso() };
      return { items: [...(await writeChunk(chunks[chunks.length - 1])), store.baseAdjustmentItem(record)], body: record };
    },
  });
}

/** Staff approve a deferral (缓缴) of a range of periods; loan eligibility counts those months. */
export async function approveDeferral(caller: Caller, unitId: string, input: { fromPeriod: string; toPeriod: string; reason: string }, idempotency?: IdempotencyContext) {
  const unit = await mustGetUnit(unitId);
  assertStaffOf(caller, unit.branch);
  return commit({
    idempotency,
    plan: async () => {
      const clash = (await store.listDeferrals(unitId)).find((d) => overlaps(d, input));
      if (clash) fail('CONFLICT', `Overlaps the deferral ${clash.fromPeriod}–${clash.toPeriod} / 与已批准的缓缴期间重叠`);
      const deferral = { deferralId: newId('D'), unitId, ...input, approvedBy: caller.sub, approvedAt: nowIso() };
      return { items: [store.deferralItem(deferral), deferralRangeItem(unitId, input.fromPeriod, input.toPeriod)], body: deferralView(deferral) };
    },
  });
}
