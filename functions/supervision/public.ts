// The supervision domain's published interface: other domains that check the books (settlement's
// daily bank reconciliation) record their findings here, in supervision's own store, the same way
// the audit does — keyed by (rule, subject): found again it is the same finding (evidence refreshed),
// found again after its resolution it reopens (`reopenedAt`, the resolution kept), never a second one.
// The items are store.ts's (`findingUpsertItems`, the only code knowing its keys).
import type { TxItem } from '../../shared/ddb.ts';
import { findingIdOf, findingUpsertItems, getFinding } from './store.ts';
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
  const seen = await getFinding(findingIdOf(f.rule, f.subject));
  return findingUpsertItems({ rule: f.rule, severity: f.severity, subject: f.subject, evidence: f.evidence, observedAt: f.foundAt, runId: f.runId ?? 'EXTERNAL' }, seen);
}
