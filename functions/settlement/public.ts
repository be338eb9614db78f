// The settlement domain's published interface: what other domains (withdrawals, loans, transfers)
// use to pay through a bank. Put `items` in the commit of the record paid; call `afterCommit` after it.
export { paymentOrderItems, type PaymentOrderInput } from './usecases/orders.ts';
export type { PaymentOrder, PaymentResult, PaymentSource, PaymentStatus } from './domain/types.ts';
export { servingPaymentAccount } from './domain/rules.ts';
