// What other domains may use of the loans domain (architecture.md: "Flows that cross domains").
// Nothing else of functions/loans/ is imported from outside it.
// Starter: these wrap what exists today; the loans domain owns and refines them.
import { getLoan, getSchedule } from './store.ts';

export { loanTotals, type LoanTotals } from '../../shared/loan-totals.ts';

/** A loan and its schedule rows as the audit reads them (undefined when there is no such loan). */
export async function loanWithSchedule(loanId: string) {
  const loan = await getLoan(loanId);
  if (!loan) return undefined;
  return { loan, rows: await getSchedule(loanId) };
}
