// Fund indicators read from the ledger's sharded control totals and period flows: O(shards), never
// O(accounts). Daily snapshots keep the trend.
import { controlTotals, knownBranches, periodFlows } from '../../shared/ledger/ledger.ts';
import { unitCounts } from '../../shared/contributions.ts';
import { policyOn } from '../../shared/policy.ts';
import { businessDate, nowIso, periodOf } from '../../shared/clock.ts';
import { fenToYuan } from '../../shared/money.ts';
import { computeIndicators, percentOf } from './domain/indicators.ts';
import * as store from './store.ts';

/** `branch` undefined = city-wide. */
export async function currentIndicators(branch: string | undefined, period = periodOf(businessDate())) {
  const branches = branch ? [branch] : await knownBranches();
  const [totals, flows, units] = await Promise.all([controlTotals(branches), periodFlows(period, branch), unitCounts(branch)]);
  const p = policyOn(businessDate()).supervision;
  const x = computeIndicators(
    {
      depositBalanceFen: totals.balanceFen,
      loanDisbursedFen: totals.flowsFen.LOAN_DISBURSEMENT ?? 0,
      loanPrincipalRepaidFen: totals.flowsFen.LOAN_REPAYMENT ?? 0,
      overduePrincipalFen: totals.flowsFen.LOAN_OVERDUE ?? 0,
      periodFlows: flows,
      contributors: totals.accountsByStatus.NORMAL ?? 0,
      units,
    },
    { personalLoanRatioWarning: p.personalLoanRatioWarning, personalLoanRatioAlert: p.personalLoanRatioAlert },
  );
  return {
    asOf: nowIso(),
    branch: branch ?? '*',
    depositBalance: fenToYuan(x.depositBalanceFen),
    loanBalance: fenToYuan(x.loanBalanceFen),
    personalLoanRatio: percentOf(x.personalLoanRatio),
    surplusFunds: fenToYuan(x.surplusFundsFen),
    netFlow: { period, inflow: fenToYuan(x.netFlow.inflowFen), outflow: fenToYuan(x.netFlow.outflowFen), net: fenToYuan(x.netFlow.netFen) },
    overdueRate: percentOf(x.overdueRate),
    contributors: x.contributors,
    units: x.units,
    newDepositors: x.newDepositors,
    warnings: x.warnings.map((w) => ({ ...w, threshold: percentOf(w.threshold)! })),
  };
}

/** Snapshot of the city and of every branch for today. */
export async function snapshotIndicators() {
  const date = businessDate();
  const branches = await knownBranches();
  for (const b of [undefined, ...branches]) await store.putSnapshot(b ?? '*', date, { date, ...(await currentIndicators(b)) });
  return { date, branches: branches.length + 1 };
}
