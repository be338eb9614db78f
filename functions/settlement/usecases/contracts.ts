// The published interfaces of deposits and loans that an arrival notice applies through (issue 16's
// contracts), re-exported for the settlement use cases.
export { planRemittanceSettlementByBank, planFlexibleDepositByBank } from '../../deposits/public.ts';
export { planRepaymentByBank } from '../../loans/public.ts';
