// Bulk employees for the 5,000-employee remittance test and benchmark, written through the ledger's
// own item builders (no vitest import: the benchmark script uses it too).
import { commit } from '../../shared/tx.ts';
import type { TxItem } from '../../shared/ddb.ts';
import { openAccountItems } from '../../shared/ledger/ledger.ts';
import { newAccountNo } from '../../shared/ids.ts';
import { cryptoRandom, dateIn, residentIdOf } from '../../infra/local/random.ts';

/** `n` distinct valid resident IDs (regions 11xxxx, unlike the shared fixtures' 33xxxx, and a space of ~10¹¹: no clash across calls). */
export function uniqueResidentIds(n: number): string[] {
  const ids = new Set<string>();
  const r = cryptoRandom();
  while (ids.size < n) ids.add(residentIdOf(r, { region: '11', birthDate: dateIn(r, '1960-01-01', '1999-12-22') }));
  return [...ids];
}

/**
 * Opens `n` NORMAL accounts of the unit with base 8,000.00 (12% + 12%) through openAccountItems, fast:
 * its first two items (the account and the resident-ID guard) 49 accounts per transaction, 4 at a
 * time; its registry and counter updates (single items that concurrent transactions would conflict on)
 * once, counting all `n`.
 */
export async function openEmployees(unitId: string, branch: string, n: number): Promise<string[]> {
  const ids = uniqueResidentIds(n + 1);
  let next = 0;
  const open = (accountNo: string) =>
    openAccountItems({ accountNo, idNumber: ids[next++], name: '职工', kind: 'EMPLOYEE', unitId, branch, status: 'NORMAL', monthlyBaseFen: 800_000, employerRatePercent: 12, employeeRatePercent: 12, monthlyAmountFen: 192_000, openedOn: '2025-01-01' });
  const accountNos = Array.from({ length: n }, () => newAccountNo());
  const batches: string[][] = [];
  for (let i = 0; i < n; i += 49) batches.push(accountNos.slice(i, i + 49));
  const run = (items: TxItem[]) => commit({ plan: async () => ({ items, body: null }) });
  for (let i = 0; i < batches.length; i += 4) await Promise.all(batches.slice(i, i + 4).map((b) => run(b.flatMap((no) => open(no).items.slice(0, 2)))));
  const counters = open(newAccountNo()).items.slice(2).map((item) => {
    const values = item.Update?.ExpressionAttributeValues;
    return values && ':one' in values ? { Update: { ...item.Update!, ExpressionAttributeValues: { ...values, ':one': n } } } : item;
  });
  await run(counters);
  return accountNos;
}
