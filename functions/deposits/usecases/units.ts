// Use cases of units and their employees: registration, terms, hiring (开户 / 启封), sealing (封存),
// annual base adjustment, deferral (缓缴). Each write is one `commit` (shared/tx.ts).
import { createHash } from 'node:crypto';
import { commit, type IdempotencyContext } from '../../../shared/tx.ts';
import { DomainError, fail, type FieldError } from '../../../shared/errors.ts';
import { businessDate, nowIso, periodOf } from '../../../shared/clock.ts';
import { policyOn } from '../../../shared/policy.ts';
import { newAccountNo, newId } from '../../../shared/ids.ts';
import { canReadAccount, type Caller } from '../../../shared/auth.ts';
import { archiveItem, type ArchiveActor } from '../../../shared/archive.ts';
import { canonicalJson } from '../../../shared/canonical.ts';
import { fenToYuan } from '../../../shared/money.ts';
import { accountNoByIdNumber, getAccount, getAccounts, ledgerWrite, listAccountsOfUnit, openAccountItems, type Account, type AccountWrite } from '../../../shared/ledger/ledger.ts';
import type { TxItem } from '../../../shared/ddb.ts';
import * as store from '../store.ts';
import { assertManagesUnit, assertReadsUnit, assertStaffCoversRecord, assertStaffOf, recordNotFound } from '../domain/access.ts';
import { assertBaseInRange, assertNoProblems, baseProblem, chunked, currentRates, employmentOr, monthlyShares, nextUnpaidPeriod, overlaps, withBase, withHire, withRateChange, withSeal } from '../domain/rules.ts';
import { accountView, deferralView, unitView } from '../domain/views.ts';
import type { BaseAdjustment, BaseAdjustmentChunk, Unit } from '../domain/types.ts';
import { accountOwner, actorOf, unitOwner } from './archive.ts';

async function mustGetUnit(unitId: string): Promise<Unit> {
  return (await store.getUnit(unitId)) ?? recordNotFound('Unit');
}

/** The unit, when the caller may manage it (404 when it does not exist and, alike, when it is not theirs). */
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
      const archived = archiveItem({ subjectType: 'UNIT', subjectId: unitId, action: 'REGISTER', actor: actorOf(caller), submitted: input, decision: { status: 'ACTIVE' }, owner: unitOwner(unit), at });
      return { items: [...store.newUnitItems(unit), archived], body: unitView(unit) };
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
      const archived = archiveItem({ subjectType: 'UNIT', subjectId: unitId, action: 'CHANGE', actor: actorOf(caller), submitted: input, decision: { status: 'CHANGED', ratesEffectiveFrom: rateHistory ? rateHistory[rateHistory.length - 1].fromPeriod : undefined }, owner: unitOwner(unit), at });
      return { items: [store.unitChangeItem(unit, { payDay: input.payDay, rateHistory }, at), archived], body: unitView(next) };
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
      const submitted = { idNumber: input.idNumber, name: input.name, monthlyBase: fenToYuan(input.monthlyBaseFen), startPeriod };
      // a re-opened account may have been employed here before: its history continues with a new spell
      const hired = async (accountNo: string, reopened: boolean): Promise<TxItem[]> => [
        store.employmentItem(withHire(reopened ? await store.getEmployment(unitId, accountNo) : undefined, { unitId, accountNo, startPeriod, hiredOn: today, monthlyBaseFen: input.monthlyBaseFen })),
        store.headcountItem(unitId, 1),
      ];
      const archived = (account: Account, reopened: boolean) =>
        archiveItem({ subjectType: 'ACCOUNT', subjectId: account.accountNo, action: reopened ? 'REOPEN' : 'HIRE', actor: actorOf(caller), submitted, decision: { status: 'NORMAL', unitId }, owner: accountOwner(account) });
      const existingNo = await accountNoByIdNumber(input.idNumber);
      if (!existingNo) {
        const opened = openAccountItems({ accountNo: newNo, idNumber: input.idNumber, name: input.name, kind: 'EMPLOYEE', status: 'NORMAL', openedOn: today, ...terms });
        return { items: [...opened.items, ...(await hired(newNo, false)), archived(opened.account, false)], body: { ...accountView(opened.account), startPeriod, reopened: false } };
      }
      const account = await getAccount(existingNo);
      if (!account) throw new Error(`resident ID guard points at missing account ${existingNo}`);
      const refusal = reopenRefusal(account, unitId, input.name);
      // the precise reason only to a caller who may read that account anyway (canReadAccount: staff of
      // its branch or city level, the agent of the unit it belongs to); anyone else learns neither
      // that the resident ID has an account nor whether the name on file matches (issue 14, finding 7)
      if (refusal) throw canReadAccount(caller, account) ? refusal : notEnrollable();
      const w = ledgerWrite([{ account, changes: { status: 'NORMAL', ...terms } }]);
      return { items: [...w.items, ...(await hired(existingNo, true)), archived(w.accounts[0], true)], body: { ...accountView(w.accounts[0]), startPeriod, reopened: true } };
    },
  });
}

/** Why the person's existing account cannot be (re-)opened under this unit as submitted; undefined: it can. */
function reopenRefusal(account: Account, unitId: string, name: string): DomainError | undefined {
  if (account.status === 'NORMAL' && account.unitId === unitId) return new DomainError('CONFLICT', 'This person is already employed by this unit / 该职工已在本单位缴存');
  if (account.status === 'NORMAL') return new DomainError('CONFLICT', 'This person has an active account elsewhere; it must be sealed first / 该职工账户在其他单位正常缴存，须先封存');
  if (account.status !== 'SEALED') return new DomainError('INVALID_STATE', `The person's account is ${account.status} / 该职工账户状态为 ${account.status}`);
  if (account.name !== name) return new DomainError('POLICY_VIOLATION', 'The name does not match the account of this resident ID / 姓名与身份证号对应账户不一致', [{ path: 'name', message: 'does not match the record' }]);
  return undefined;
}

/**
 * The one answer to a caller who may not read the person's existing account, whatever the reason
 * (active elsewhere, another status, the name on file differs): same status, code, detail and errors.
 */
const notEnrollable = () =>
  new DomainError('NOT_ELIGIBLE', 'This person cannot be enrolled as submitted; please contact the housing provident fund center / 该职工无法按所填信息登记缴存，请联系公积金中心', [
    { path: 'idNumber', message: 'cannot be enrolled as submitted: contact the center / 无法按所填信息登记，请联系中心' },
  ]);

export async function listEmployees(caller: Caller, unitId: string, limit: number, cursor?: string) {
  assertReadsUnit(caller, await mustGetUnit(unitId));
  const page = await listAccountsOfUnit(unitId, limit, cursor);
  return { items: page.items.map(accountView), nextCursor: page.nextCursor };
}

/**
 * The employee left: the account is SEALED (keeps its balance and interest) and their spell of
 * employment ends with the period before this month. A FROZEN employee stays FROZEN and returns to
 * SEALED when unfrozen.
 */
export async function sealEmployee(caller: Caller, unitId: string, accountNo: string, idempotency?: IdempotencyContext) {
  const unit = await unitFor(caller, unitId);
  return commit({
    idempotency,
    plan: async () => {
      const account = await getAccount(accountNo);
      if (!account || account.unitId !== unitId) return recordNotFound('Employee');
      const frozenActive = account.status === 'FROZEN' && account.freeze?.previousStatus === 'NORMAL';
      if (account.status !== 'NORMAL' && !frozenActive) fail('INVALID_STATE', `Account is ${account.status}, not NORMAL / 账户非正常状态，不能封存`);
      const today = businessDate();
      const employment = employmentOr(await store.getEmployment(unitId, accountNo), unit, account);
      const w = ledgerWrite([{ account, changes: frozenActive ? { freeze: { ...account.freeze!, previousStatus: 'SEALED' } } : { status: 'SEALED' } }]);
      const archived = archiveItem({ subjectType: 'ACCOUNT', subjectId: accountNo, action: 'SEAL', actor: actorOf(caller), submitted: { unitId, accountNo }, decision: { status: w.accounts[0].status, ...(frozenActive ? { afterUnfreeze: 'SEALED' } : {}) }, owner: accountOwner(account) });
      return { items: [...w.items, store.employmentItem(withSeal(employment, today)), store.headcountItem(unitId, -1), archived], body: accountView(w.accounts[0]) };
    },
  });
}

/**
 * Accounts per chunk of a base adjustment: per account its update and its employment record (2 items),
 * plus the chunk flag and the adjustment's progress: 2 × 40 + 2 = 82 of the 100 a transaction holds.
 */
export const BASES_PER_CHUNK = 40;
/** Up to this many items the archive record holds the whole request; above, its digest (the staged chunks keep the items). */
const ARCHIVED_ITEMS_MAX = 2000;

type BaseItem = { accountNo: string; monthlyBaseFen: number };

/** What the caller submitted, as archived (yuan strings, as the API takes them). */
const submittedOf = (year: number, items: readonly BaseItem[]) => ({ year, items: items.map((i) => ({ accountNo: i.accountNo, monthlyBase: fenToYuan(i.monthlyBaseFen) })) });
const sha256 = (v: unknown) => createHash('sha256').update(canonicalJson(v)).digest('hex');

const adjustmentView = (a: BaseAdjustment) => ({ adjustmentId: a.adjustmentId, unitId: a.unitId, year: a.year, count: a.count, fromPeriod: a.fromPeriod, adjustedBy: a.adjustedBy, adjustedAt: a.adjustedAt });

/**
 * The annual base adjustment (年度基数调整), once per unit and year, all or nothing:
 * 1. every base is checked against the policy and every account against the unit before anything is
 *    written (a bad item anywhere → 422, nothing changes);
 * 2. the items are staged in chunks under an APPLYING header (invisible: no account changes);
 * 3. each chunk commits its accounts with its own PENDING → APPLIED flag (idempotent);
 * 4. the header becomes COMPLETE, with the archive record and the idempotency record, once every
 *    chunk is in.
 * A crash between chunks leaves an APPLYING adjustment that the same request re-sent (same
 * Idempotency-Key, or the same content) completes, and that the unit's next remittance list completes
 * before it is built, so no list is ever made from a half-applied adjustment. Another request for the
 * year is refused (409) meanwhile and after.
 */
export async function adjustBases(caller: Caller, unitId: string, input: { year: number; items: BaseItem[] }, idempotency?: IdempotencyContext) {
  const unit = await unitFor(caller, unitId);
  const policy = policyOn(businessDate());
  assertNoProblems(
    input.items.flatMap((it, i) => {
      const problem = baseProblem(it.monthlyBaseFen, policy);
      return problem ? [{ path: `items.${i}.monthlyBase`, message: problem }] : [];
    }),
    'A monthly base is outside the policy range / 缴存基数超出上下限',
  );
  const requestSha256 = sha256(submittedOf(input.year, input.items));
  return commit({
    idempotency,
    plan: async () => {
      let adj = await store.getBaseAdjustment(unitId, input.year);
      if (adj && adj.requestSha256 !== requestSha256) {
        fail('CONFLICT', adj.status === 'COMPLETE' ? `The bases of ${input.year} were already adjusted / 该年度基数已调整` : `Another base adjustment of ${input.year} is being applied / 该年度基数调整正在进行`);
      }
      if (!adj) {
        await assertAdjustable(unitId, input.items);
        adj = await stage(caller, unit, input, requestSha256);
        if (adj.requestSha256 !== requestSha256) fail('CONFLICT', `Another base adjustment of ${input.year} is being applied / 该年度基数调整正在进行`);
      }
      if (adj.status === 'COMPLETE') return { items: [], body: adjustmentView(adj) };
      const chunks = await applyChunks(adj, unit);
      return { items: completionItems(adj, unit, chunks), body: adjustmentView(adj) };
    },
  });
}

/** Every account must be an open account of this unit (checked before anything is written). */
async function assertAdjustable(unitId: string, items: readonly BaseItem[]) {
  const accounts = await getAccounts(items.map((i) => i.accountNo));
  const errors: FieldError[] = [];
  items.forEach((it, i) => {
    const a = accounts.get(it.accountNo);
    if (!a || a.unitId !== unitId || a.status === 'CLOSED') errors.push({ path: `items.${i}.accountNo`, message: 'not an open account of this unit / 非本单位账户' });
  });
  assertNoProblems(errors, 'An account is not an open account of this unit / 存在非本单位账户');
}

/** Writes the chunks, then the APPLYING header; a concurrent identical request's header wins and is used. */
async function stage(caller: Caller, unit: Unit, input: { year: number; items: BaseItem[] }, requestSha256: string): Promise<BaseAdjustment> {
  const { unitId } = unit;
  const adjustmentId = newId('B');
  const chunks: BaseAdjustmentChunk[] = chunked(input.items, BASES_PER_CHUNK).map((items, i) => ({ adjustmentId, chunkNo: i + 1, status: 'PENDING', items }));
  await store.putBaseAdjustmentChunks(chunks);
  const adj: BaseAdjustment = {
    adjustmentId,
    unitId,
    year: input.year,
    status: 'APPLYING',
    requestSha256,
    count: input.items.length,
    chunkCount: chunks.length,
    appliedChunks: 0,
    fromPeriod: nextUnpaidPeriod(unit),
    adjustedBy: caller.sub,
    adjustedByRole: caller.role,
    adjustedAt: nowIso(),
  };
  const out = await commit({
    plan: async () => {
      const existing = await store.getBaseAdjustment(unitId, input.year);
      return existing ? { items: [], body: existing } : { items: [store.newBaseAdjustmentItem(adj)], body: adj };
    },
  });
  return out.body;
}

/**
 * Applies every chunk still PENDING, one transaction each (a chunk applied already is skipped), at the
 * unit's current ratios. Returns the staged chunks (their items are what the archive records).
 */
async function applyChunks(adj: BaseAdjustment, unit: Unit): Promise<BaseAdjustmentChunk[]> {
  const rates = currentRates(unit);
  const staged = await store.baseAdjustmentChunks(adj.adjustmentId);
  for (const pending of staged) {
    if (pending.status === 'APPLIED') continue;
    await commit({
      plan: async (attempt) => {
        const chunk = attempt === 0 ? pending : await store.getBaseAdjustmentChunk(adj.adjustmentId, pending.chunkNo);
        if (!chunk || chunk.status === 'APPLIED') return { items: [], body: null };
        const nos = chunk.items.map((i) => i.accountNo);
        const [accounts, employments] = await Promise.all([getAccounts(nos), store.getEmployments(adj.unitId, nos)]);
        const writes: AccountWrite[] = [];
        const records: TxItem[] = [];
        for (const it of chunk.items) {
          const account = accounts.get(it.accountNo);
          // checked at the start; an account that left the unit or closed since has nothing to adjust here
          if (!account || account.unitId !== adj.unitId || account.status === 'CLOSED') continue;
          writes.push({ account, changes: { monthlyBaseFen: it.monthlyBaseFen, employerRatePercent: rates.employerRatePercent, employeeRatePercent: rates.employeeRatePercent, monthlyAmountFen: monthlyShares(it.monthlyBaseFen, rates.employerRatePercent, rates.employeeRatePercent).monthlyFen } });
          const e = employmentOr(employments.get(it.accountNo), unit, account);
          const history = e.baseHistory ?? [{ fromPeriod: e.startPeriod, monthlyBaseFen: account.monthlyBaseFen }];
          records.push(store.employmentItem({ ...e, baseHistory: withBase(history, { fromPeriod: adj.fromPeriod, monthlyBaseFen: it.monthlyBaseFen, adjustmentId: adj.adjustmentId }) }));
        }
        return { items: [...ledgerWrite(writes).items, ...records, ...store.baseChunkAppliedItems(adj, chunk.chunkNo, nowIso())], body: null };
      },
    });
  }
  return staged;
}

/** The header APPLYING → COMPLETE and its archive record (with the request, or its digest when large). */
function completionItems(adj: BaseAdjustment, unit: Unit, chunks: readonly BaseAdjustmentChunk[]): TxItem[] {
  const items = chunks.flatMap((c) => c.items);
  const submitted = items.length <= ARCHIVED_ITEMS_MAX ? submittedOf(adj.year, items) : { year: adj.year, itemCount: items.length, itemsSha256: adj.requestSha256, adjustmentId: adj.adjustmentId };
  const actor: ArchiveActor = { sub: adj.adjustedBy, role: adj.adjustedByRole ?? 'unknown' };
  const at = nowIso();
  return [
    store.completeBaseAdjustmentItem(adj, at),
    archiveItem({ subjectType: 'UNIT', subjectId: adj.unitId, action: 'BASE_ADJUSTMENT', actor, submitted, decision: { status: 'COMPLETE', adjustmentId: adj.adjustmentId, count: adj.count, fromPeriod: adj.fromPeriod }, owner: unitOwner(unit), at, dedupeKey: `BASEADJ-${adj.adjustmentId}` }),
  ];
}

/** Completes the unit's adjustments left APPLYING (a crash between chunks): before a remittance list is made. */
export async function completeStalledAdjustments(unit: Unit) {
  for (const adj of await store.applyingBaseAdjustments(unit.unitId)) {
    const chunks = await applyChunks(adj, unit);
    await commit({
      plan: async () => {
        const fresh = await store.getBaseAdjustment(adj.unitId, adj.year);
        return { items: fresh?.status === 'APPLYING' ? completionItems(fresh, unit, chunks) : [], body: null };
      },
    });
  }
}

/** Staff approve a deferral (缓缴) of a range of periods; loan eligibility counts those months. */
export async function approveDeferral(caller: Caller, unitId: string, input: { fromPeriod: string; toPeriod: string; reason: string }, idempotency?: IdempotencyContext) {
  const unit = await mustGetUnit(unitId);
  assertStaffCoversRecord(caller, unit, 'Unit');
  return commit({
    idempotency,
    plan: async () => {
      const clash = (await store.listDeferrals(unitId)).find((d) => overlaps(d, input));
      if (clash) fail('CONFLICT', `Overlaps the deferral ${clash.fromPeriod}–${clash.toPeriod} / 与已批准的缓缴期间重叠`);
      const deferral = { deferralId: newId('D'), unitId, ...input, approvedBy: caller.sub, approvedAt: nowIso() };
      const archived = archiveItem({ subjectType: 'UNIT', subjectId: unitId, action: 'DEFERRAL', actor: actorOf(caller), submitted: input, decision: { status: 'APPROVED', deferralId: deferral.deferralId }, owner: unitOwner(unit), at: deferral.approvedAt });
      return { items: [store.deferralItem(deferral), archived], body: deferralView(deferral) };
    },
  });
}
