// Who is calling, from the claims API Gateway's JWT authoriser (or the local gateway) passes on,
// and the ownership checks every handler applies to the resources it touches.
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { createHash } from 'node:crypto';
import { DomainError } from './errors.ts';
import { canonicalJson } from './canonical.ts';

export type Role = 'member' | 'unit' | 'staff' | 'auditor' | 'admin';
export const roles: readonly Role[] = ['member', 'unit', 'staff', 'auditor', 'admin'];

export interface Caller {
  sub: string;
  role: Role;
  accountNo?: string;
  unitId?: string;
  /** Staff: the branch they act in; `*` is city level. */
  branch?: string;
}

export function callerFromEvent(event: Pick<APIGatewayProxyEventV2WithJWTAuthorizer, 'requestContext'>): Caller | undefined {
  return callerFromClaims((event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> } } }).authorizer?.jwt?.claims);
}

export function callerFromClaims(claims: Record<string, unknown> | undefined): Caller | undefined {
  if (!claims || typeof claims.sub !== 'string' || typeof claims.role !== 'string') return undefined;
  if (!roles.includes(claims.role as Role)) return undefined;
  const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
  return { sub: claims.sub, role: claims.role as Role, accountNo: str(claims.accountNo), unitId: str(claims.unitId), branch: str(claims.branch) };
}

/**
 * The claim a role cannot act without: staff act for a `branch` (`*` = city level), a unit's agent
 * for a `unitId`. A token without it is refused everywhere (deny by default), never given the
 * widest scope. (A member without `accountNo` may still open their own flexible account.)
 */
export function missingClaim(caller: Caller): 'branch' | 'unitId' | undefined {
  if (caller.role === 'staff' && !caller.branch) return 'branch';
  if (caller.role === 'unit' && !caller.unitId) return 'unitId';
  return undefined;
}

/**
 * Whose idempotency keys these are: the `sub` and a digest of every claim that decides what the
 * caller may see or do. The same person with other claims is another scope.
 */
export function idempotencyScope(caller: Caller): string {
  const claims = canonicalJson({ role: caller.role, accountNo: caller.accountNo ?? null, unitId: caller.unitId ?? null, branch: caller.branch ?? null });
  return `${caller.sub}#${createHash('sha256').update(claims).digest('hex').slice(0, 16)}`;
}

export const forbidden = (detail = 'Not allowed for this caller / 无权访问'): never => {
  throw new DomainError('FORBIDDEN', detail);
};
/** Used where revealing that a resource exists would leak (another member's record). */
export const notFound = (what = 'Resource'): never => {
  throw new DomainError('NOT_FOUND', `${what} not found / 未找到`);
};

/** Staff may act only within their branch (`*` = city-wide). */
export const staffCovers = (caller: Caller, branch: string) => caller.role === 'staff' && (caller.branch === '*' || caller.branch === branch);

/**
 * Read access to a personal account: its owner, the agent of the unit it belongs to, staff of its
 * branch, auditors. Others get 404 so that account numbers cannot be probed.
 */
export function canReadAccount(caller: Caller, account: { accountNo: string; unitId?: string; branch: string }): boolean {
  switch (caller.role) {
    case 'member':
      return caller.accountNo === account.accountNo;
    case 'unit':
      return !!account.unitId && caller.unitId === account.unitId;
    case 'staff':
      return staffCovers(caller, account.branch);
    case 'auditor':
      return true;
    default:
      return false;
  }
}

export function assertCanReadAccount(caller: Caller, account: { accountNo: string; unitId?: string; branch: string }) {
  if (!canReadAccount(caller, account)) notFound('Account');
}
