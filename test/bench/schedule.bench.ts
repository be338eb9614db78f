// Schedule generation benchmark: ours (exact rational BigInt/integer maths, per-month half-up rounding to the fen, full rows
// with due dates) vs the npm library `amortize` 1.1.0 (CFPB; binary floating point, no per-month
// rounding; one call with amortizeTerm = 360 walks all 360 months but returns only the totals and the
// last month). Loan: 1,000,000.00 over 360 months at 2.60% (domain.md §4 worked example).
//
// Run: npx tsx test/bench/schedule.bench.ts
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { equalInstallmentSchedule, equalPrincipalSchedule, totalInterestFen } from '../../functions/loans/domain/amortization.ts';

import { printTable, type BenchRow } from './types.ts';

interface AmortizeResult {
  interestRound: string;
  paymentRound: string;
  balanceRound: string;
}
type AmortizeFn = (opts: {
  amount: number;
  rate: number;
  totalTerm: number;
  amortizeTerm: number;
  repaymentType?: 'amortize' | 'equal-principal-payment';
}) => AmortizeResult;

const require = createRequire(import.meta.url);
const amortize = require('amortize') as AmortizeFn;
const LIB = 'amortize@1.1.0';

const TARGET_US = 1000; // ours < 1 ms per 360-month schedule

// ---- the worked examples (domain.md §4), in yuan strings ----
const EXPECTED = {
  EI: { m: '4003.40', last: '4001.75', totalInterest: '441222.35' },
  EP: { first: '4944.45', last: '2783.00', totalInterest: '391083.03' },
};

const yuan = (fen: number): string => (fen / 100).toFixed(2);

function oursEI() {
  return equalInstallmentSchedule({ principalFen: 100_000_000, annualRate: '0.026', termMonths: 360, firstDueDate: '2025-07-20' });
}
function oursEP() {
  return equalPrincipalSchedule({ principalFen: 100_000_000, annualRate: '0.026', termMonths: 360, firstDueDate: '2025-07-20' });
}
function theirs(amortizeTerm: number, repaymentType: 'amortize' | 'equal-principal-payment' = 'amortize'): AmortizeResult {
  return amortize({ amount: 1_000_000, rate: 2.6, totalTerm: 360, amortizeTerm, repaymentType });
}

/** Median per-op time in µs: warm-up, calibrate a batch to ≈ 2 ms, then time `samples` batches. */
function medianMicros(fn: () => unknown, samples = 41): number {
  for (let i = 0; i < 50; i++) fn();
  let batch = 1;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) fn();
    const ns = Number(process.hrtime.bigint() - t0);
    if (ns >= 2_000_000 || batch >= 1 << 20) break;
    batch *= 2;
  }
  const perOp: number[] = [];
  let sink = 0;
  for (let s = 0; s < samples; s++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) if (fn()) sink++;
    perOp.push(Number(process.hrtime.bigint() - t0) / batch / 1000);
  }
  if (sink < 0) console.log(sink); // keep the results alive
  perOp.sort((a, b) => a - b);
  return perOp[Math.floor(perOp.length / 2)];
}

interface Check {
  what: string;
  got: string;
  want: string;
}

function oursChecks(): Check[] {
  const ei = oursEI();
  const ep = oursEP();
  return [
    { what: 'EI M', got: yuan(ei[0].paymentFen), want: EXPECTED.EI.m },
    { what: 'EI last', got: yuan(ei[359].paymentFen), want: EXPECTED.EI.last },
    { what: 'EI total interest', got: yuan(totalInterestFen(ei)), want: EXPECTED.EI.totalInterest },
    { what: 'EP first', got: yuan(ep[0].paymentFen), want: EXPECTED.EP.first },
    { what: 'EP last', got: yuan(ep[359].paymentFen), want: EXPECTED.EP.last },
    { what: 'EP total interest', got: yuan(totalInterestFen(ep)), want: EXPECTED.EP.totalInterest },
  ];
}

function theirChecks(): Check[] {
  return [
    { what: 'EI M', got: theirs(1).paymentRound, want: EXPECTED.EI.m },
    { what: 'EI last', got: theirs(360).paymentRound, want: EXPECTED.EI.last },
    { what: 'EI total interest', got: theirs(360).interestRound, want: EXPECTED.EI.totalInterest },
    { what: 'EP first', got: theirs(1, 'equal-principal-payment').paymentRound, want: EXPECTED.EP.first },
    { what: 'EP last', got: theirs(360, 'equal-principal-payment').paymentRound, want: EXPECTED.EP.last },
    { what: 'EP total interest', got: theirs(360, 'equal-principal-payment').interestRound, want: EXPECTED.EP.totalInterest },
  ];
}

function summarize(checks: Check[]): { exact: boolean; value: string } {
  const bad = checks.filter((c) => c.got !== c.want);
  const value =
    bad.length === 0
      ? `${checks.length}/${checks.length} exact`
      : `${checks.length - bad.length}/${checks.length} exact; off: ${bad.map((c) => `${c.what} ${c.got}≠${c.want}`).join(', ')}`;
  return { exact: bad.length === 0, value };
}

export async function runScheduleBench(): Promise<BenchRow[]> {
  const oursUs = medianMicros(oursEI);
  const theirsUs = medianMicros(() => theirs(360));
  const ours = summarize(oursChecks());
  const lib = summarize(theirChecks());
  return [
    {
      name: 'ours: 1,000,000/360/2.60% equal-installment schedule, median per op',
      value: `${oursUs.toFixed(1)} µs`,
      target: `< ${TARGET_US} µs (1 ms)`,
      met: oursUs < TARGET_US,
    },
    {
      name: `${LIB}: same loan, one call walking 360 months (no rows, no dates), median per op`,
      value: `${theirsUs.toFixed(2)} µs`,
      target: 'reference',
      met: null,
    },
    {
      name: `speed ratio ours / ${LIB}`,
      value: `${(oursUs / theirsUs).toFixed(1)}×`,
      target: 'informational (ours: exact rational maths, 360 dated rows)',
      met: null,
    },
    {
      name: 'ours: exact to the fen on the domain.md worked examples (M, last, total interest; EI and EP)',
      value: ours.value,
      target: 'all exact',
      met: ours.exact,
    },
    {
      name: `${LIB}: exact to the fen on the same worked examples`,
      value: lib.value,
      target: 'informational',
      met: null,
    },
  ];
}


if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  printTable('Loan schedule generation', await runScheduleBench());
}
