// What the deposits domain's archive records (shared/archive.ts) say of their actor and owner.
import type { Caller } from '../../../shared/auth.ts';
import type { ArchiveActor, ArchiveOwner } from '../../../shared/archive.ts';
import type { Account } from '../../../shared/ledger/account.ts';

export const actorOf = (caller: Pick<Caller, 'sub' | 'role'>): ArchiveActor => ({ sub: caller.sub, role: caller.role });

/** Steps the system takes on its own (the posting worker finishing a remittance). */
export const SYSTEM_ACTOR: ArchiveActor = { sub: 'system:deposits', role: 'system' };

export const accountOwner = (a: Pick<Account, 'accountNo' | 'branch' | 'unitId'>): ArchiveOwner => ({ branch: a.branch, accountNo: a.accountNo, ...(a.unitId ? { unitId: a.unitId } : {}) });

export const unitOwner = (u: { unitId: string; branch: string }): ArchiveOwner => ({ branch: u.branch, unitId: u.unitId });
