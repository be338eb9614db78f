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
  /** Latest period a REGULAR remittance was created for (its list fixes the ratios used; the next unpaid period follows it). */
  lastRemittedPeriod?: string;
  /** Latest period whose REGULAR remittance was funded (settled by the bank's confirmation): what arrears are measured from. */
  lastFundedPeriod?: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** One spell of employment by the unit: periods [fromPeriod, toPeriod] (open while employed). */
export interface Stint {
  fromPeriod: string;
  hiredOn: string;
  /** The last period owed: the one before the month of the seal (absent while employed). */
  toPeriod?: string;
  sealedOn?: string;
}

/** The monthly base in force from a period (hire, annual adjustment). */
export interface BaseChange {
  fromPeriod: string;
  monthlyBaseFen: number;
  adjustmentId?: string;
}

/**
 * An account's employment by a unit, with its history: the spells (hire … seal) and the bases in
 * force, so that a back-pay list can be rebuilt for any past period. Written in the same transaction
 * as the hire, the seal and each base adjustment.
 */
export interface Employment {
  unitId: string;
  accountNo: string;
  /** First period owed in the current (latest) spell. */
  startPeriod: string;
  hiredOn: string;
  /** Every spell, oldest first (records written before the history existed have none: one open spell from startPeriod). */
  stints?: Stint[];
  /** Bases by period, oldest first (none on old records: the account's current base). */
  baseHistory?: BaseChange[];
}

/** A staged annual base adjustment: applied chunk by chunk, complete only when every chunk is in. */
export interface BaseAdjustment {
  adjustmentId: string;
  unitId: string;
  year: number;
  status: 'APPLYING' | 'COMPLETE';
  /** SHA-256 of the canonical request (year and items): a re-sent request resumes, another one is refused. */
  requestSha256: string;
  count: number;
  chunkCount: number;
  appliedChunks: number;
  /** The first period the new bases apply to (the unit's next unpaid period when the adjustment was made). */
  fromPeriod: string;
  adjustedBy: string;
  adjustedByRole?: string;
  adjustedAt: string;
  completedAt?: string;
}

export interface BaseAdjustmentChunk {
  adjustmentId: string;
  chunkNo: number;
  status: 'PENDING' | 'APPLIED';
  items: { accountNo: string; monthlyBaseFen: number }[];
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
