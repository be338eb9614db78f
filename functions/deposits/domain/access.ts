// Who may act on a unit and its records (domain.md §1): staff of the unit's branch (or city level)
// and the unit's own agent. Pure: refusals are DomainErrors.
//
// A caller who may not know a record (staff of another branch, the agent of another unit) gets the
// same 404 NOT_FOUND as for a record that does not exist, with the same detail (no id in it): a 403
// would tell them it exists (issue 14, finding 7). A role that never acts on units is refused by the
// route (403) whatever the id, which reveals nothing.
import { staffCovers, forbidden, type Caller } from '../../../shared/auth.ts';
import { DomainError } from '../../../shared/errors.ts';

/** The records of this domain a caller can be told do not exist, with their one detail each. */
const NOT_FOUND_DETAIL = {
  Unit: 'Unit not found / 单位不存在',
  Remittance: 'Remittance not found / 汇缴单不存在',
  Employee: 'Account not found in this unit / 本单位无此职工账户',
} as const;
export type RecordKind = keyof typeof NOT_FOUND_DETAIL;

/** 404 NOT_FOUND with the record kind's one detail: what an unknown id and a record one may not know both answer. */
export const recordNotFound = (what: RecordKind): never => {
  throw new DomainError('NOT_FOUND', NOT_FOUND_DETAIL[what]);
};

/** Staff of the branch or the unit's own agent manage the unit; anyone else is told it does not exist. */
export const managesUnit = (caller: Caller, unit: { unitId: string; branch: string }) => staffCovers(caller, unit.branch) || (caller.role === 'unit' && caller.unitId === unit.unitId);

/** Staff of the branch or the unit's own agent; anyone else gets the 404 of an unknown record. */
export function assertManagesUnit(caller: Caller, unit: { unitId: string; branch: string }, what: RecordKind = 'Unit') {
  if (!managesUnit(caller, unit)) recordNotFound(what);
}

/** Reading a unit's records: whoever manages it, and auditors (who read everything). */
export function assertReadsUnit(caller: Caller, unit: { unitId: string; branch: string }, what: RecordKind = 'Unit') {
  if (caller.role === 'auditor') return;
  assertManagesUnit(caller, unit, what);
}

/** A record of a branch that only its staff act on (deferral approval, settlement): others get its 404. */
export function assertStaffCoversRecord(caller: Caller, record: { branch: string }, what: RecordKind) {
  if (!staffCovers(caller, record.branch)) recordNotFound(what);
}

/** Staff acting in a branch they name (registering a unit there): not about a record, so a 403. */
export function assertStaffOf(caller: Caller, branch: string) {
  if (!staffCovers(caller, branch)) forbidden('Staff may act only within their branch / 仅限本网点经办');
}
