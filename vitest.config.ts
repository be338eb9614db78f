import { defineConfig } from 'vitest/config';

// Tests that move the business date forward, or that need the whole store to themselves, (they run the loans' daily run for days ahead through
// the local schedule control, which touches every active loan in the store) run after all the others
// and one file at a time: run beside other files, they would make those files' loans due or overdue
// under their feet.
export const timeline = [
  'test/e2e/member-life.test.ts',
  'test/e2e/fund-month.test.ts',
  'test/e2e/loans-flows.test.ts',
  'test/e2e/withdrawals-flows.test.ts',
  'test/e2e/supervision-indicators.test.ts',
  // the city-wide reconciliation needs a quiet window of the whole store: other files posting beside
  // it keep every branch's totals moving (a run of the full suite timed out waiting for one)
  'test/e2e/supervision-reconciliation.test.ts',
  // runs the loans' daily run for next month's 1st over every segment: beside other files it would
  // mark their loans' installments overdue (since issue 14 a repayment is dated today at the latest,
  // so tests that repay disburse in the past and hold installments already due)
  'test/hardening/faults.test.ts',
  // the city-wide interest run of 2018 credits every account that accrued in it, other files' too
  'test/e2e/interest-without-freeze.test.ts',
];

const common = {
  pool: 'forks' as const,
  testTimeout: 60_000,
  hookTimeout: 120_000,
  env: { LOG_LEVEL: 'silent', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
};

export default defineConfig({
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    maxWorkers: 2,
    projects: [
      { test: { ...common, name: 'main', include: ['test/**/*.test.ts'], exclude: ['**/node_modules/**', ...timeline], fileParallelism: true, sequence: { groupOrder: 0 } } },
      { test: { ...common, name: 'timeline', include: timeline, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
