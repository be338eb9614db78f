// The deposits domain's records (归集): units, employments, deferrals, remittances and their chunks,
// interest settlement runs. Money in integer fen, ratios in whole percent.

export interface RatePeriod {
  /** First period (YYYY-MM) the ratios apply to. */
  fromPeriod: string;
  employerRatePercent: number;
  employeeRatePercent: number;
}

export interface Unit {
  unitId: string;
  name: string;
  creditCode: string;
  branch: string;
  payDay: number;
  /** Ratios in force from `rateHistory`, sorted by fromPeriod; the last entry is the newest. */
  rateHistory: RatePeriod[];
  startPeriod: string;
  status: 'ACTIVE';
  /** Employees with a NORMAL account under this unit. */
  headcount: number;
  /** Latest period a REGULAR remittance was created for (its list fixes the ratios used). */
  lastRemittedPeriod?: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** An account's employment by a unit (the first period the unit owes for the employee). */
export interface Employment {
  unitId: string;
  accountNo: string;
  startPeriod: string;
  hiredOn: string;
}

export interface Deferral {
  deferralId: string;
  unitId: string;
  fromPeriod: string;
  toPeriod: string;
  reason: string;
  approvedBy: string;
  approvedAt: string;
}

export type RemittanceKind = 'REGULAR' | 'BACKPAY';
export type RemittanceStatus = 'AWAITING_FUNDS' | 'POSTING' | 'POSTED';

/** One employee's line of the list (清册). */
export interface RemittanceLine {
  accountNo: string;
  employerFen: number;
  employeeFen: number;
}

export interface Remittance {
  remittanceId: string;
  unitId: string;
  branch: string;
  period: string;
  kind: RemittanceKind;
  status: RemittanceStatus;
  employerRatePercent: number;
  employeeRatePercent: number;
  headcount: number;
  totalFen: number;
  chunkCount: number;
  /** Progress of the posting: chunks, lines and fen credited (and lines not credited: closed accounts). */
  postedChunks: number;
  postedCount: number;
  postedFen: number;
  skippedCount: number;
  skippedFen: number;
  createdAt: string;
  settlement?: { amountFen: number; bankRef: string; settledOn: string; settledAt: string; settledBy: string };
  postedAt?: string;
}

/** A slice of the list small enough to post in one transaction. */
export interface RemittanceChunk {
  remittanceId: string;
  chunkNo: number;
  status: 'PENDING' | 'POSTED';
  lines: RemittanceLine[];
  /** Lines not credited because the account was closed meanwhile (to refund the unit). */
  skipped?: string[];
}

export type RunStatus = 'RUNNING' | 'COMPLETED' | 'FAILED';

export interface InterestRun {
  runId: string;
  year: number;
  status: RunStatus;
  /** Segments of the ledger whose every page is settled. */
  doneSegments: number[];
  accounts: number;
  totalInterestFen: number;
  startedAt: string;
  completedAt?: string;
}
