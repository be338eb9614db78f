// Fund indicators read from sharded totals: the ledger's control totals and period flows, the loans
// domain's loan totals (loan balance, overdue principal of the loans actually overdue) and the
// satisfaction counters: O(shards), never O(accounts). Daily snapshots keep the trend, each under the
// business date of its scheduled run.
import { controlTotals, knownBranches, periodFlows } from '../../../shared/ledger/ledger.ts';
import { policyOn } from '../../../shared/policy.ts';
import { businessDate, nowIso, periodOf } from '../../../shared/clock.ts';
import { fenToYuan } from '../../../shared/money.ts';
import { DomainError } from '../../../shared/errors.ts';
import { unitCounts } from '../../deposits/public.ts';
import { loanTotals } from '../../loans/public.ts';
import { computeIndicators, percentOf } from '../domain/indicators.ts';
import * as store from '../store.ts';

/** `branch` undefined = city-wide; `date` is the business date the figures are for (policy thresholds). */
export async function currentIndicators(branch: string | undefined, period?: string, date = businessDate()) {
  const p = period ?? periodOf(date);
  const branches = branch ? [branch] : await knownBranches();
  const [totals, flows, units, loans, ratings] = await Promise.all([controlTotals(branches), periodFlows(p, branch), unitCounts(branch), loanTotals(branches), store.satisfactionCounters(p, branch)]);
  const s = policyOn(date).supervision;
  const x = computeIndicators(
    {
      depositBalanceFen: totals.balanceFen,
      loanBalanceFen: loans.outstandingPrincipalFen,
      overduePrincipalFen: loans.overduePrincipalFen,
      periodFlows: flows,
      contributors: totals.accountsByStatus.NORMAL ?? 0,
      units,
      ratings,
    },
    { personalLoanRatioWarning: s.personalLoanRatioWarning, personalLoanRatioAlert: s.personalLoanRatioAlert },
  );
  return {
    asOf: nowIso(),
    branch: branch ?? '*',
    depositBalance: fenToYuan(x.depositBalanceFen),
    loanBalance: fenToYuan(x.loanBalanceFen),
    personalLoanRatio: percentOf(x.personalLoanRatio),
    surplusFunds: fenToYuan(x.surplusFundsFen),
    netFlow: { period: p, inflow: fenToYuan(x.netFlow.inflowFen), outflow: fenToYuan(x.netFlow.outflowFen), net: fenToYuan(x.netFlow.netFen) },
    overdueRate: percentOf(x.overdueRate),
    contributors: x.contributors,
    units: x.units,
    newDepositors: x.newDepositors,
    satisfaction: x.satisfaction,
    warnings: x.warnings.map((w) => ({ ...w, threshold: percentOf(w.threshold)! })),
  };
}

/** Snapshot of the city and of every branch, stored under the business date of the run. */
export async function snapshotIndicators(date: string) {
  const branches = await knownBranches();
  for (const b of [undefined, ...branches]) await store.putSnapshot(b ?? '*', date, { date, ...(await currentIndicators(b, periodOf(date), date)) });
  return { date, branches: branches.length + 1 };
}

export async function indicatorHistory(branch: string, from: string, to: string, limit: number, cursor?: string) {
  if (from > to) throw new DomainError('VALIDATION_FAILED', '`from` is after `to` / 起始日期晚于结束日期', [{ path: 'query.from', message: 'must not be after to' }]);
  return store.listSnapshots(branch, from, to, limit, cursor);
}
