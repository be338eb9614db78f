// Who may act on a unit and its records (domain.md §1): staff of the unit's branch (or city level)
// and the unit's own agent. Pure: refusals are DomainErrors.
import { staffCovers, forbidden, type Caller } from '../../../shared/auth.ts';

/** Staff of the branch or the unit's own agent; anyone else is refused (403). */
export function assertManagesUnit(caller: Caller, unit: { unitId: string; branch: string }) {
  if (staffCovers(caller, unit.branch)) return;
  if (caller.role === 'unit' && caller.unitId === unit.unitId) return;
  forbidden('Not allowed for this unit / 无权办理该单位业务');
}

/** Reading a unit's records: whoever manages it, and auditors (who read everything). */
export function assertReadsUnit(caller: Caller, unit: { unitId: string; branch: string }) {
  if (caller.role === 'auditor') return;
  assertManagesUnit(caller, unit);
}

/** Staff of the branch only (registration, deferral approval, settlement). */
export function assertStaffOf(caller: Caller, branch: string) {
  if (!staffCovers(caller, branch)) forbidden('Staff may act only within their branch / 仅限本网点经办');
}
