// Test fixtures written through the real ledger into DynamoDB Local (no fakes): accounts with a
// balance, for domains whose tests should not depend on the collection routes.
import { randomInt } from 'node:crypto';
import { commit } from '../../shared/tx.ts';
import { openAccountItems, ledgerWrite, mustGetAccount, type Account, type AccountStatus } from '../../shared/ledger/ledger.ts';
import { newAccountNo } from '../../shared/ids.ts';
import { cryptoRandom, residentIdOf } from '../../infra/local/random.ts';

/** A valid random resident ID (GB 11643) born on the given date. */
export function randomResidentId(birthDate = `19${randomInt(60, 99)}-0${randomInt(1, 9)}-1${randomInt(0, 9)}`, gender: 'M' | 'F' = 'M'): string {
  // a random Zhejiang (33xxxx) region: with a fixed birth date, 500 sequence numbers alone would clash across a run
  return residentIdOf(cryptoRandom(), { region: '33', birthDate, gender });
}

export interface FundedAccountOptions {
  balanceFen?: number;
  branch?: string;
  status?: AccountStatus;
  unitId?: string;
  idNumber?: string;
  name?: string;
  openedOn?: string;
  monthlyBaseFen?: number;
}

/** Opens an account and credits it (a DEPOSIT entry) through the ledger. */
export async function openFundedAccount(opts: FundedAccountOptions = {}): Promise<Account> {
  const accountNo = newAccountNo();
  const openedOn = opts.openedOn ?? '2025-01-01';
  const { items } = openAccountItems({
    accountNo,
    idNumber: opts.idNumber ?? randomResidentId(),
    name: opts.name ?? '测试职工',
    kind: opts.unitId ? 'EMPLOYEE' : 'FLEXIBLE',
    unitId: opts.unitId,
    branch: opts.branch ?? 'SC',
    status: 'NORMAL',
    monthlyBaseFen: opts.monthlyBaseFen ?? 800_000,
    employerRatePercent: opts.unitId ? 12 : 0,
    employeeRatePercent: 12,
    monthlyAmountFen: 192_000,
    openedOn,
  });
  await commit({ plan: async () => ({ items, body: null }) });
  if (opts.balanceFen || (opts.status && opts.status !== 'NORMAL')) {
    await commit({
      plan: async () => {
        const account = await mustGetAccount(accountNo);
        const w = ledgerWrite([
          {
            account,
            postings: opts.balanceFen ? [{ amountFen: opts.balanceFen, type: 'DEPOSIT', ref: 'fixture', valueDate: openedOn }] : [],
            changes: opts.status && opts.status !== 'NORMAL' ? { status: opts.status } : undefined,
          },
        ]);
        return { items: w.items, body: null };
      },
    });
  }
  return mustGetAccount(accountNo);
}
