// What the supervision API answers: its records as the API shows them (pure).
import type { Severity } from './rules.ts';

export interface FindingRecord {
  findingId: string;
  rule: string;
  severity: Severity;
  subject: string;
  evidence: Record<string, unknown>;
  status: 'OPEN' | 'RESOLVED';
  foundAt: string;
  lastSeenAt: string;
  lastRunId: string;
  /** Set when a resolved finding was found again (the latest time). */
  reopenedAt?: string;
  resolution?: { note: string; by: string; at: string };
  /** Earlier resolutions of a finding that reopened. */
  resolutions?: { note: string; by: string; at: string }[];
}

export const findingView = (f: FindingRecord) => ({
  findingId: f.findingId,
  rule: f.rule,
  severity: f.severity,
  subject: f.subject,
  evidence: f.evidence,
  status: f.status,
  foundAt: f.foundAt,
  lastSeenAt: f.lastSeenAt,
  ...(f.reopenedAt ? { reopenedAt: f.reopenedAt } : {}),
  ...(f.resolution ? { resolution: f.resolution } : {}),
  ...(f.resolutions?.length ? { previousResolutions: f.resolutions } : {}),
});

export interface RunRecord {
  runId: string;
  status: 'RUNNING' | 'COMPLETED' | 'FAILED';
  /** The business date the run audits (the schedule's date, or the day it was started). */
  date: string;
  segmentsTotal: number;
  segmentsDone: number;
  /** The parts of the fund-wide rules (claim shards, unit shards, rent years), and those done; absent on runs written before them. */
  partsTotal?: number;
  partsDone?: number;
  accounts: number;
  findings: number;
  startedAt: string;
  completedAt?: string;
  reconciliation?: { mismatchedBranches: string[]; inconclusiveBranches: string[] };
}

export const runView = (r: Omit<RunRecord, 'date'> & { date?: string }) => ({
  runId: r.runId,
  status: r.status,
  date: r.date ?? r.startedAt.slice(0, 10),
  findings: r.findings,
  accounts: r.accounts,
  segments: { total: r.segmentsTotal, done: r.segmentsDone },
  ...(r.partsTotal !== undefined ? { fundWideParts: { total: r.partsTotal, done: r.partsDone ?? 0 } } : {}),
  startedAt: r.startedAt,
  completedAt: r.completedAt ?? null,
  ...(r.reconciliation ? { reconciliation: r.reconciliation } : {}),
});

export interface ArchiveRecordLike {
  action: string;
  actor: { sub: string; role: string };
  at: string;
  submitted: unknown;
  submittedSha256: string;
  decision?: unknown;
}

/** The archive as the API shows it: never the `owner` the access decision used. */
export const archiveView = (subjectType: string, subjectId: string, records: readonly ArchiveRecordLike[]) => ({
  subjectType,
  subjectId,
  records: records.map((r) => ({
    action: r.action,
    actor: { sub: r.actor.sub, role: r.actor.role },
    at: r.at,
    submitted: r.submitted,
    submittedSha256: r.submittedSha256,
    ...(r.decision !== undefined ? { decision: r.decision } : {}),
  })),
});
