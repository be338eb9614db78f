// The audit-segments queue's one schema (a union on `kind`): each page's message parses to its kind,
// a message sent before the fund-wide parts existed (no `kind`) is a segment's page, and anything else
// is refused before a use case sees it.
import { describe, it, expect } from 'vitest';
import { parseAuditMessage } from '../../functions/supervision/schemas.ts';

describe('audit-segments messages', () => {
  it('parses each kind, and an old segment message without a kind as SEGMENT', () => {
    expect(parseAuditMessage({ kind: 'SEGMENT', runId: 'AR1', segment: 3, cursor: 'c' })).toEqual({ kind: 'SEGMENT', runId: 'AR1', segment: 3, cursor: 'c' });
    expect(parseAuditMessage({ kind: 'CLAIMS', runId: 'AR1', shard: 15 })).toEqual({ kind: 'CLAIMS', runId: 'AR1', shard: 15 });
    expect(parseAuditMessage({ kind: 'RENTS', runId: 'AR1', year: 2026 })).toEqual({ kind: 'RENTS', runId: 'AR1', year: 2026 });
    expect(parseAuditMessage({ runId: 'AR0', segment: 63 })).toEqual({ kind: 'SEGMENT', runId: 'AR0', segment: 63 });
  });

  it('refuses a message of no kind it knows, a missing run, a field too many or a negative shard', () => {
    for (const bad of [{ kind: 'TOTALS', runId: 'AR1' }, { kind: 'UNITS', shard: 1 }, { kind: 'CLAIMS', runId: 'AR1', shard: 1, extra: true }, { kind: 'UNITS', runId: 'AR1', shard: -1 }, { runId: 'AR1' }, null, 'SEGMENT']) {
      expect(() => parseAuditMessage(bad)).toThrow();
    }
  });
});
