// The electronic archive (电子档案, JGJ/T 495): one immutable record per action on a business record,
// written in the action's own transaction (an `archiveItem` among the use case's items). The kernel
// knows no domain: a subject is a (type, id) pair that the owning domain names, and each record
// carries the subject's owner (branch, account, unit) so that access can be decided from the archive
// alone.
//
// Keys (table `archive`):
//   ARC#<subjectType>#<subjectId> / R#<at>#<uuid>   a record
//   ARC#<subjectType>#<subjectId> / D#<dedupeKey>   a record of a step that may run twice (the same record again)
import { randomUUID, createHash } from 'node:crypto';
import { queryAll, type TxItem } from './ddb.ts';
import { nowIso } from './clock.ts';
import { tableName } from './config.ts';
import { canonicalJson } from './canonical.ts';

export interface ArchiveActor {
  sub: string;
  role: string;
}

/** Whose record it is: decides who may read the archive (auditor; staff of the branch; the member or unit). */
export interface ArchiveOwner {
  branch?: string;
  accountNo?: string;
  /** Further accounts the record belongs to (a co-borrower). */
  accountNos?: string[];
  unitId?: string;
}

export interface ArchiveInput {
  subjectType: string;
  subjectId: string;
  action: string;
  actor: ArchiveActor;
  /** What was submitted (the request body, or the facts of a system step). */
  submitted?: unknown;
  /** The decision taken, when the action decides (APPROVED, REJECTED, PAID, PENDING_REVIEW …, with a note). */
  decision?: unknown;
  owner: ArchiveOwner;
  at?: string;
  /** A step that may run again (a redelivered message) writes the same record, never a second one. */
  dedupeKey?: string;
}

export interface ArchiveRecord {
  subjectType: string;
  subjectId: string;
  action: string;
  actor: ArchiveActor;
  at: string;
  submitted: unknown;
  submittedSha256: string;
  decision?: unknown;
  owner: ArchiveOwner;
}

const T = () => tableName('archive');
const subjectKey = (subjectType: string, subjectId: string) => `ARC#${subjectType}#${subjectId}`;

/** SHA-256 (hex) of the canonical JSON of what was submitted. */
export const submittedSha256 = (submitted: unknown) => createHash('sha256').update(canonicalJson(submitted ?? null)).digest('hex');

/** The item that archives one action; put it in the action's own transaction. */
export function archiveItem(input: ArchiveInput): TxItem {
  const at = input.at ?? nowIso();
  const record: ArchiveRecord = {
    subjectType: input.subjectType,
    subjectId: input.subjectId,
    action: input.action,
    actor: { sub: input.actor.sub, role: input.actor.role },
    at,
    submitted: input.submitted ?? null,
    submittedSha256: submittedSha256(input.submitted),
    ...(input.decision !== undefined ? { decision: input.decision } : {}),
    owner: input.owner,
  };
  const sk = input.dedupeKey ? `D#${input.dedupeKey}` : `R#${at}#${randomUUID()}`;
  return { Put: { TableName: T(), Item: { pk: subjectKey(input.subjectType, input.subjectId), sk, ...record } } };
}

/** Every record of a subject, oldest first (a business record's archive is bounded). */
export async function readArchive(subjectType: string, subjectId: string): Promise<ArchiveRecord[]> {
  const items = await queryAll({ TableName: T(), KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': subjectKey(subjectType, subjectId) }, ConsistentRead: true });
  const records = items.map(({ pk: _pk, sk: _sk, ...rest }) => rest as ArchiveRecord);
  return records.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}
