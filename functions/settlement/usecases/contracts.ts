// The published interfaces of deposits and loans that an arrival notice applies through (issue 16's
// contracts). Imported as namespaces and read at call time, typed by the contract here, so that this
// domain builds while the publics land; a function missing at run time is an error of the call.
import * as deposits from '../../deposits/public.ts';
import * as loans from '../../loans/public.ts';
import type { TxItem } from '../../../shared/ddb.ts';

export type RemittanceSettlementPlan =
  | { ok: true; items: TxItem[]; remittance: { remittanceId: string; unitId: string; branch: string; period: string; totalAmount: string }; afterCommit: () => Promise<void> }
  | { ok: false; reason: 'NOT_FOUND' | 'AMOUNT_MISMATCH' | 'NOT_AWAITING_FUNDS' };
export type FlexibleDepositPlan =
  | { ok: true; items: TxItem[]; deposit: { accountNo: string; period: string; amount: string } }
  | { ok: false; reason: 'NOT_FOUND' | 'NOT_FLEXIBLE' | 'INVALID_STATE' | 'AMOUNT_MISMATCH' };
export type RepaymentPlan =
  | { ok: true; items: TxItem[]; repayment: { loanId: string; installmentsPaid: number; amount: string } }
  | { ok: false; reason: 'NOT_FOUND' | 'INVALID_STATE' | 'POLICY_VIOLATION' };

type Actor = { sub: string; role: string };

interface Contract {
  planRemittanceSettlementByBank(input: { remittanceId: string; amountFen: number; bankRef: string; at: Date; actor?: Actor }): Promise<RemittanceSettlementPlan>;
  planFlexibleDepositByBank(input: { accountNo: string; amountFen: number; bankRef: string; valueDate: string; at: Date; actor?: Actor }): Promise<FlexibleDepositPlan>;
  planRepaymentByBank(input: { loanId: string; amountFen: number; bankRef: string; paidOn: string; at: Date; actor?: Actor }): Promise<RepaymentPlan>;
}

const fn = <K extends keyof Contract>(ns: object, name: K): Contract[K] => {
  const f = (ns as Record<string, unknown>)[name];
  if (typeof f !== 'function') throw new Error(`${name} is not published yet`);
  return f as Contract[K];
};

export const planRemittanceSettlementByBank: Contract['planRemittanceSettlementByBank'] = (input) => fn(deposits, 'planRemittanceSettlementByBank')(input);
export const planFlexibleDepositByBank: Contract['planFlexibleDepositByBank'] = (input) => fn(deposits, 'planFlexibleDepositByBank')(input);
export const planRepaymentByBank: Contract['planRepaymentByBank'] = (input) => fn(loans, 'planRepaymentByBank')(input);
