// API representations (api.md): money as yuan strings, ratios as percent strings. Pure.
import { fenToYuan } from '../../../shared/money.ts';
import { maskResidentId } from '../../../shared/validators.ts';
import type { Account, Entry } from '../../../shared/ledger/account.ts';
import type { Deferral, InterestRun, Remittance, Unit } from './types.ts';
import { currentRates, nextUnpaidPeriod } from './rules.ts';

export const pct = (n: number) => String(n);

export function unitView(u: Unit) {
  const rates = currentRates(u);
  return {
    unitId: u.unitId,
    name: u.name,
    creditCode: u.creditCode,
    branch: u.branch,
    payDay: u.payDay,
    employerRate: pct(rates.employerRatePercent),
    employeeRate: pct(rates.employeeRatePercent),
    ratesEffectiveFrom: rates.fromPeriod,
    rateHistory: u.rateHistory.map((r) => ({ fromPeriod: r.fromPeriod, employerRate: pct(r.employerRatePercent), employeeRate: pct(r.employeeRatePercent) })),
    startPeriod: u.startPeriod,
    nextUnpaidPeriod: nextUnpaidPeriod(u),
    lastRemittedPeriod: u.lastRemittedPeriod ?? null,
    lastFundedPeriod: u.lastFundedPeriod ?? null,
    status: u.status,
    headcount: u.headcount,
    createdAt: u.createdAt,
  };
}

export function accountView(a: Account) {
  return {
    accountNo: a.accountNo,
    name: a.name,
    idNumberMasked: maskResidentId(a.idNumber),
    kind: a.kind,
    unitId: a.unitId ?? null,
    branch: a.branch,
    status: a.status,
    monthlyBase: fenToYuan(a.monthlyBaseFen),
    employerRate: pct(a.employerRatePercent),
    employeeRate: pct(a.employeeRatePercent),
    monthlyAmount: fenToYuan(a.monthlyAmountFen),
    balance: fenToYuan(a.balanceFen),
    lastPaidPeriod: a.lastPaidPeriod ?? null,
    openedOn: a.openedOn,
    ...(a.status === 'FROZEN' && a.freeze
      ? { freeze: { reason: a.freeze.reason, authority: a.freeze.authority, documentNo: a.freeze.documentNo, previousStatus: a.freeze.previousStatus, frozenBy: a.freeze.by, frozenAt: a.freeze.at } }
      : {}),
  };
}

export function entryView(e: Entry) {
  return {
    entryId: e.entryId,
    type: e.type,
    amount: fenToYuan(e.amountFen),
    balanceAfter: fenToYuan(e.balanceAfterFen),
    ...(e.period ? { period: e.period } : {}),
    ref: e.ref,
    valueDate: e.valueDate,
    occurredAt: e.occurredAt,
  };
}

export function remittanceView(r: Remittance) {
  return {
    remittanceId: r.remittanceId,
    unitId: r.unitId,
    period: r.period,
    kind: r.kind,
    status: r.status,
    employerRate: pct(r.employerRatePercent),
    employeeRate: pct(r.employeeRatePercent),
    headcount: r.headcount,
    totalAmount: fenToYuan(r.totalFen),
    chunks: r.chunkCount,
    postedChunks: r.postedChunks,
    postedCount: r.postedCount,
    postedAmount: fenToYuan(r.postedFen),
    skippedCount: r.skippedCount,
    skippedAmount: fenToYuan(r.skippedFen),
    createdAt: r.createdAt,
    ...(r.settlement ? { settlement: { amount: fenToYuan(r.settlement.amountFen), bankRef: r.settlement.bankRef, settledOn: r.settlement.settledOn, settledAt: r.settlement.settledAt } } : {}),
    ...(r.postedAt ? { postedAt: r.postedAt } : {}),
  };
}

export const deferralView = (d: Deferral) => ({ ...d });

export const runView = (r: InterestRun) => ({
  runId: r.runId,
  year: r.year,
  status: r.status,
  accounts: r.accounts,
  totalInterest: fenToYuan(r.totalInterestFen),
  segmentsDone: r.doneSegments.length,
  startedAt: r.startedAt,
  ...(r.completedAt ? { completedAt: r.completedAt } : {}),
});
