// The supervision domain's published interface: other domains that check the books (settlement's
// daily bank reconciliation) record their findings here, in supervision's own store, the same way
// the audit does — keyed by (rule, subject): found again it is the same finding (evidence refreshed),
// found again after its resolution it reopens (`reopenedAt`, the resolution kept), never a second one.
// (The items mirror store.ts `upsertFinding`, as transaction items conditional on the finding as read;
// they belong in store.ts, the only code knowing its keys — kept here while that file is not ours.)
import type { TxItem } from '../../shared/ddb.ts';
import { tableName } from '../../shared/config.ts';
import { findingIdOf, getFinding } from './store.ts';
import type { Severity } from './domain/rules.ts';

export { findingIdOf };

export interface FindingInput {
  rule: string;
  severity: Severity;
  subject: string;
  evidence: Record<string, unknown>;
  /** When the fact was observed (a resolution after it is not undone). */
  foundAt: string;
  /** The run that found it (shown as the finding's lastRunId). */
  runId?: string;
}

/**
 * The items that record a finding, planned from the finding as read now (commit them; a concurrent
 * change fails their condition and the commit re-plans). None when it was resolved after `foundAt`.
 */
export async function findingItems(f: FindingInput): Promise<TxItem[]> {
  const findingId = findingIdOf(f.rule, f.subject);
  const seen = await getFinding(findingId);
  const Key = { pk: `FINDING#${findingId}`, sk: 'FINDING' };
  const TableName = tableName('supervision');
  const common = { ':id': findingId, ':rule': f.rule, ':sev': f.severity, ':sub': f.subject, ':ev': f.evidence, ':at': f.foundAt, ':run': f.runId ?? 'EXTERNAL', ':open': 'OPEN', ':idx': 'FINDINGS#OPEN', ':sortk': `${f.foundAt}#${findingId}` };
  const refresh = 'findingId = :id, #r = :rule, severity = :sev, subject = :sub, evidence = :ev, lastSeenAt = :at, lastRunId = :run';
  if (!seen) {
    return [{ Update: { TableName, Key, UpdateExpression: `SET ${refresh}, foundAt = :at, #s = :open, gsi1pk = :idx, gsi1sk = :sortk`, ConditionExpression: 'attribute_not_exists(pk)', ExpressionAttributeNames: { '#r': 'rule', '#s': 'status' }, ExpressionAttributeValues: common } }];
  }
  if (seen.status === 'OPEN') {
    const { ':idx': _i, ':sortk': _k, ...values } = common;
    return [{ Update: { TableName, Key, UpdateExpression: `SET ${refresh}`, ConditionExpression: '#s = :open', ExpressionAttributeNames: { '#r': 'rule', '#s': 'status' }, ExpressionAttributeValues: values } }];
  }
  // resolved: found after the resolution it reopens (the resolution into the history); a fact read before it does not
  const resolvedAt = seen.resolution?.at;
  if (!resolvedAt || resolvedAt >= f.foundAt) return [];
  return [
    {
      Update: {
        TableName,
        Key,
        UpdateExpression: `SET ${refresh}, #s = :open, reopenedAt = :at, gsi1pk = :idx, gsi1sk = :sortk, resolutions = list_append(if_not_exists(resolutions, :none), if_not_exists(lastResolutionList, :none)) REMOVE resolution, lastResolutionList`,
        ConditionExpression: '#s = :resolved AND resolution.#at = :resAt',
        ExpressionAttributeNames: { '#r': 'rule', '#s': 'status', '#at': 'at' },
        ExpressionAttributeValues: { ...common, ':resolved': 'RESOLVED', ':resAt': resolvedAt, ':none': [] },
      },
    },
  ];
}
