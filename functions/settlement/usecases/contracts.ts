// The published interfaces of deposits and loans that an arrival notice applies through, and of the
// domains whose payments a bank's result settles (issue 16's contracts), re-exported for the
// settlement use cases. (settlement/public.ts never imports this file: those domains import it.)
export { planRemittanceSettlementByBank, planFlexibleDepositByBank } from '../../deposits/public.ts';
export { planRepaymentByBank } from '../../loans/public.ts';
export { planWithdrawalPaymentResult } from '../../withdrawals/public.ts';
export { planDisbursementPaymentResult } from '../../loans/public.ts';
export { planTransferPaymentResult } from '../../interprovincial/public.ts';
