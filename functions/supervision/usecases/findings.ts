// Findings: the auditor's list by status and the resolution with a note.
import { commit, type IdempotencyContext } from '../../../shared/tx.ts';
import { DomainError } from '../../../shared/errors.ts';
import { nowIso } from '../../../shared/clock.ts';
import type { Caller } from '../../../shared/auth.ts';
import * as store from '../store.ts';
import { findingView, runView } from '../domain/views.ts';

export async function listFindings(status: 'OPEN' | 'RESOLVED', rule: string | undefined, limit: number, cursor?: string) {
  const page = await store.listFindings(status, rule, limit, cursor);
  return { items: page.items.map(findingView), nextCursor: page.nextCursor };
}

export function resolveFinding(caller: Caller, findingId: string, note: string, idempotency: IdempotencyContext | undefined) {
  return commit({
    idempotency,
    plan: async () => {
      const f = await store.getFinding(findingId);
      if (!f) throw new DomainError('NOT_FOUND', 'Finding not found / 稽查发现不存在');
      if (f.status !== 'OPEN') throw new DomainError('INVALID_STATE', 'The finding is already resolved / 已处理');
      const resolution = { note, by: caller.sub, at: nowIso() };
      return { items: [store.resolveFindingItem(f, resolution)], body: findingView({ ...f, status: 'RESOLVED', resolution }) };
    },
  });
}

export async function readRun(runId: string) {
  const run = await store.getRun(runId);
  if (!run) throw new DomainError('NOT_FOUND', 'Audit run not found / 稽查批次不存在');
  return runView(run);
}
