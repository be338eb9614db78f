// The archive (电子档案, shared/archive.ts) of the domain's records: the subject, the owner and the
// actors of each record's state changes. Pure.
import type { Account } from '../../../shared/ledger/account.ts';
import type { InboundRequest, Transfer } from './types.ts';

/** The actor of a system step (the queue workers). */
export const SYSTEM = { sub: 'system', role: 'system' } as const;
/** A partner center acting through its signed call. */
export const partnerActor = (centerCode: string) => ({ sub: centerCode, role: 'partner' });

/** The member's account and branch, when the identity given matches one of our accounts (else no owner but auditors and staff). */
export const memberOwnerOf = (account: Account | undefined, who: { idNumber?: unknown; name?: unknown }) =>
  account && account.idNumber === who.idNumber && account.name === who.name ? { accountNo: account.accountNo, branch: account.branch } : {};

/** A partner's request to us: owned by the member's account when it is ours. */
export const requestArchive = (r: InboundRequest, action: string, owner: { accountNo?: string; branch?: string }) => ({ subjectType: 'INTERPROVINCIAL_REQUEST', subjectId: r.trackingId, action, owner });

/** A transfer we requested: owned by the receiving account and its branch. */
export const transferArchive = (t: Transfer, action: string) => ({ subjectType: 'TRANSFER', subjectId: t.transferId, action, owner: { accountNo: t.toAccountNo, branch: t.branch } });
