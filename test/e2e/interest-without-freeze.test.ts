// Interest settlement without a freeze (issue 20): centers freeze online services for up to two days
// around June 30; this system does not. The annual run (结息) goes over every account while members
// keep withdrawing through the API, and afterwards every account holds the interest of the year exactly
// once, each balance is the sum of its entries, nothing a member withdrew is lost, and the fund's
// control totals equal the balances (the reconciliation of domain.md §6 is exact).
//
// Year 2018 (July 2017 – June 2018): only this file opens accounts that accrue in it (other files open
// theirs in 2015–2016, which also accrue in 2018: they are credited too, and ignored here). The file
// runs in the `timeline` project: a city-wide run would otherwise credit other files' accounts while
// they assert on their entries.
import { describe, it, expect } from 'vitest';
import { randomInt, randomUUID } from 'node:crypto';
import { call, adminToken, auditorToken, memberToken } from '../support/http.ts';
import { openFundedAccount } from '../support/fixtures.ts';
import { commit } from '../../shared/tx.ts';
import { allEntries, controlTotals, ledgerWrite, mustGetAccount, type Entry } from '../../shared/ledger/ledger.ts';
import { addDays, businessDate, daysBetween } from '../../shared/clock.ts';
import { pollUntil, uniqueBranch } from './deposits-fixtures.ts';
import { allFindings } from './supervision-fixtures.ts';

const YEAR = 2018;
const OPENED = '2017-07-01';
const PAYEE = '6222021234567890123';
const today = businessDate();

/** A deposit straight into the ledger with a past value date (the API only posts today). */
const deposit = (accountNo: string, amountFen: number, valueDate: string) =>
  commit({
    plan: async () => {
      const account = await mustGetAccount(accountNo);
      return { items: ledgerWrite([{ account, postings: [{ amountFen, type: 'DEPOSIT', ref: 'interest-race', valueDate }] }]).items, body: null };
    },
  });

type Step = { date: string; balanceFen: number }; // the balance from `date` on

/**
 * Interest by domain.md §2, computed here from the balance history alone: per interest year
 * (July 1 – June 30) round(Σ balance·days × 1.50% / 360) half-up, in integers. Years from `fromYear`
 * to the year holding `to` (exclusive end date).
 */
function interestByYear(steps: readonly Step[], to: string): Map<number, number> {
  const fenDays = new Map<number, bigint>();
  for (let i = 0; i < steps.length; i++) {
    let start = steps[i].date;
    const stop = i + 1 < steps.length ? steps[i + 1].date : to;
    while (start < stop) {
      const year = Number(start.slice(0, 4)) + (Number(start.slice(5, 7)) >= 7 ? 1 : 0);
      const end = `${year}-07-01` < stop ? `${year}-07-01` : stop;
      fenDays.set(year, (fenDays.get(year) ?? 0n) + BigInt(steps[i].balanceFen) * BigInt(daysBetween(start, end)));
      start = end;
    }
  }
  return new Map([...fenDays].map(([y, fd]) => [y, Number((fd * 15n * 2n + 360_000n) / 720_000n)]));
}

interface Member {
  accountNo: string;
  token: string;
  steps: Step[];
  closing: boolean;
}

async function openMember(branch: string, closing: boolean): Promise<Member> {
  const initialFen = randomInt(100_000, 10_000_000);
  const acc = await openFundedAccount({ balanceFen: initialFen, openedOn: OPENED, branch });
  const steps: Step[] = [{ date: OPENED, balanceFen: initialFen }];
  if (randomInt(0, 2) === 1) {
    const date = addDays(OPENED, randomInt(1, 365));
    const amountFen = randomInt(1, 5_000_000);
    await deposit(acc.accountNo, amountFen, date);
    steps.push({ date, balanceFen: initialFen + amountFen });
  }
  return { accountNo: acc.accountNo, token: await memberToken(acc.accountNo), steps, closing };
}

const withdraw = (m: Member, body: Record<string, unknown>) =>
  call('POST', '/v1/withdrawals', { token: m.token, body: { accountNo: m.accountNo, payeeBankAccount: PAYEE, ...body }, idem: `race-${randomUUID()}` });

const sumFen = (entries: readonly Entry[], pick: (e: Entry) => boolean) => entries.filter(pick).reduce((s, e) => s + e.amountFen, 0);

describe('interest settlement without a freeze', () => {
  it('credits every account once while withdrawals race the run, and the reconciliation is exact', async () => {
    const branch = uniqueBranch('IF');
    const renters = await Promise.all(Array.from({ length: 24 }, () => openMember(branch, false)));
    const retirees = await Promise.all(Array.from({ length: 6 }, () => openMember(branch, true)));

    // withdrawals at a steady rate from before the run until after it: rents of 0.01–50.00 by any
    // renter (no limit on their number, domain.md §3), and each retiree's closing withdrawal (it
    // settles interest to date itself): half of them while the run goes, half after it
    const admin = await adminToken();
    const paidFen = new Map<string, number>();
    let runStartedAt = 0;
    let runSeenDoneAt = 0;
    let stop = false;
    const log: { accountNo: string; startedAt: number; endedAt: number }[] = [];
    const closed = new Set<number>();
    /** The next retiree to close: the first half as soon as the run has started (racing it), the rest once it is over. */
    const nextRetiree = () => {
      const open = retirees.findIndex((_, i) => !closed.has(i) && (runSeenDoneAt > 0 || (runStartedAt > 0 && i < retirees.length / 2)));
      if (open >= 0) closed.add(open);
      return open >= 0 ? retirees[open] : undefined;
    };
    const worker = async () => {
      while (!stop) {
        const closing = nextRetiree();
        const m = closing ?? renters[randomInt(0, renters.length)];
        const startedAt = Date.now();
        const res = closing
          ? await withdraw(m, { reason: 'RETIREMENT', full: true, evidence: { retirementDate: addDays(today, -1) } })
          : await withdraw(m, { reason: 'RENT', amount: `${randomInt(0, 50)}.${String(randomInt(1, 100)).padStart(2, '0')}`, evidence: { housingKind: 'COMMERCIAL', noHouseCertificateNo: 'WF-1' } });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        expect(res.body.status).toBe('PAID');
        const [yuan, fen] = String(res.body.amount).split('.');
        paidFen.set(m.accountNo, (paidFen.get(m.accountNo) ?? 0) + Number(yuan) * 100 + Number(fen ?? 0));
        log.push({ accountNo: m.accountNo, startedAt, endedAt: Date.now() });
      }
    };
    // a refused withdrawal stops the race and fails the test once the run is over (not as an unhandled rejection)
    let failure: unknown;
    const workers = [worker(), worker()].map((w) => w.catch((err) => { failure = err; stop = true; }));
    await pollUntil(async () => log.length, (n) => n >= 4, 30_000);

    runStartedAt = Date.now();
    const started = await call('POST', '/v1/interest-settlements', { token: admin, body: { year: YEAR } });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const runId = started.body.runId;
    const auditor = await auditorToken();
    const done = await pollUntil(async () => call('GET', `/v1/interest-settlements/${runId}`, { token: auditor }), (r) => r.body.status !== 'RUNNING', 300_000);
    runSeenDoneAt = Date.now();
    // every retiree has closed, then the withdrawals stop
    await pollUntil(async () => retirees.filter((r) => paidFen.has(r.accountNo)).length, (n) => n === retirees.length || failure !== undefined, 60_000);
    stop = true;
    await Promise.all(workers);
    if (failure) throw failure;
    expect(done.body).toMatchObject({ status: 'COMPLETED', runId });
    const duringRun = log.filter((w) => w.startedAt >= runStartedAt && w.endedAt <= runSeenDoneAt).length;
    expect(duringRun, `withdrawals that ran inside the run (${JSON.stringify({ total: log.length, ms: runSeenDoneAt - runStartedAt })})`).toBeGreaterThan(0);

    // a second start is the same run, and credits nothing again
    const again = await call('POST', '/v1/interest-settlements', { token: admin, body: { year: YEAR } });
    expect([again.status, again.body.runId]).toEqual([202, runId]);

    let balancesFen = 0;
    for (const m of [...renters, ...retirees]) {
      const account = await mustGetAccount(m.accountNo);
      const entries = await allEntries(m.accountNo);
      const expected = interestByYear(m.steps, m.closing ? today : `${YEAR}-07-01`);
      const interest = entries.filter((e) => e.type === 'INTEREST');
      if (!m.closing) {
        // exactly one credit for the year, of the amount the balance history gives
        expect(interest.map((e) => [e.entryKey, e.amountFen]), m.accountNo).toEqual([[`INTEREST-${YEAR}`, expected.get(YEAR)]]);
      } else {
        // 2018 is credited once: by the run (an INTEREST-2018 entry) when it reached the account
        // first, or else by the closure's settlement to date, which then covers every year at once
        const byRun = interest.filter((e) => e.entryKey === `INTEREST-${YEAR}`);
        const closure = interest.filter((e) => e.entryKey === undefined);
        expect(byRun.length + closure.length, m.accountNo).toBe(interest.length);
        expect(closure.length, m.accountNo).toBe(1);
        // those who retired after the run had it credited by the run
        if (retirees.indexOf(m) >= retirees.length / 2) expect(byRun.length, m.accountNo).toBe(1);
        if (byRun.length === 0) {
          expect(closure[0].amountFen, m.accountNo).toBe([...expected.values()].reduce((s, v) => s + v, 0));
        } else {
          expect(byRun.map((e) => e.amountFen)).toEqual([expected.get(YEAR)]);
          // the run's credit is value-dated 2018-07-01 and earns interest from then on; the ledger
          // adds those back-dated days to the year being accrued rather than spreading them over
          // the years 2019… it skipped, which moves each year's half-up rounding by at most a fen:
          // the closure pays the later years within a fen per year. Crediting 2018 twice would add
          // the year's interest itself (≥ 15.00 on the smallest balance here).
          const after = [...m.steps.filter((s) => s.date < `${YEAR}-07-01`)];
          after.push({ date: `${YEAR}-07-01`, balanceFen: after.at(-1)!.balanceFen + expected.get(YEAR)! });
          const later = [...interestByYear(after, today)].filter(([y]) => y > YEAR);
          expect(Math.abs(closure[0].amountFen - later.reduce((s, [, v]) => s + v, 0)), m.accountNo).toBeLessThanOrEqual(later.length);
        }
        expect(account).toMatchObject({ status: 'CLOSED', balanceFen: 0 });
      }
      // nothing lost: what the API paid is what the ledger debited, and the balance is the sum of the entries
      expect(0 - sumFen(entries, (e) => e.type === 'WITHDRAWAL') || 0, m.accountNo).toBe(paidFen.get(m.accountNo) ?? 0);
      expect(sumFen(entries, () => true), m.accountNo).toBe(account.balanceFen);
      expect(entries.at(-1)?.balanceAfterFen ?? 0).toBe(account.balanceFen);
      balancesFen += account.balanceFen;
    }
    // the branch holds only this file's accounts: its control totals are their balances, to the fen
    expect((await controlTotals([branch])).balanceFen).toBe(balancesFen);

    // and the electronic audit's reconciliation finds nothing amiss in the branch
    const audit = await call('POST', '/v1/supervision/audit-runs', { token: auditor, body: {} });
    expect(audit.status, JSON.stringify(audit.body)).toBe(202);
    const audited = await pollUntil(async () => call('GET', `/v1/supervision/audit-runs/${audit.body.runId}`, { token: auditor }), (r) => r.body.status !== 'RUNNING', 300_000);
    expect(audited.body.status).toBe('COMPLETED');
    expect(audited.body.reconciliation?.mismatchedBranches ?? []).not.toContain(branch);
    const ours = new Set([...renters, ...retirees].map((m) => m.accountNo));
    expect((await allFindings(auditor, 'RECONCILIATION_ACCOUNT')).filter((f) => ours.has(f.subject))).toEqual([]);
    expect((await allFindings(auditor, 'RECONCILIATION_TOTALS')).filter((f) => JSON.stringify(f.evidence ?? {}).includes(branch))).toEqual([]);
  }, 600_000);
});
