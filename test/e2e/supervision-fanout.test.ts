// The fund-wide audit rules fanned out (issue 20): property reuse per claim shard, unit arrears per
// unit shard, rent with a loan or a purchase per submission year of the RENT withdrawals, each read
// page by page through the audit-segments queue.
//  - Over a seeded set (properties reused in several claim shards, rent withdrawals over two years
//    and more than one page, units in arrears or deferred) the fan-out finds exactly what the
//    one-shot rules find (all the facts in one invocation, as finalise() did before the fan-out,
//    reproduced here over the same published readers): the same rule, subject, severity, evidence.
//  - A part's page delivered again after the worker died between sending its successor and
//    counting it (and after its list grew inside the page's range: the same range is read, the same
//    successor sent), and every message of the run delivered twice: each page counted once (the run's
//    findings, its parts done), one successor per page, the run completed once.
// Handlers run in-process; the SQS client of this process is tapped (the runtime's pollers never see
// this run's messages), and the findings the run writes are read off its own upserts.
import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { randomInt, randomUUID } from 'node:crypto';
import { commit, faults } from '../../shared/tx.ts';
import { addMonths, businessDate, periodOf } from '../../shared/clock.ts';
import { newId } from '../../shared/ids.ts';
import { policyOn } from '../../shared/policy.ts';
import type { Page, PageRange } from '../../shared/ddb.ts';
import { SEGMENTS } from '../../shared/ledger/ledger.ts';
import { putClaimItem, putWithdrawalItem } from '../../functions/withdrawals/store.ts';
import type { Withdrawal } from '../../functions/withdrawals/domain/withdrawal.ts';
import { CLAIM_SHARDS, propertyClaimsOfShardPage, withdrawalsByReasonAndYearPage, withdrawalsOfAccount } from '../../functions/withdrawals/public.ts';
import { UNIT_SHARDS, unitDeferrals, unitsOfShardPage } from '../../functions/deposits/public.ts';
import { borrowerFlagsOf } from '../../functions/loans/public.ts';
import { propertyReuse, rentConflicts, unitArrears, type FindingCandidate } from '../../functions/supervision/domain/rules.ts';
import * as supervisionStore from '../../functions/supervision/store.ts';
import { startAuditRun, PART_PAGE_SIZE } from '../../functions/supervision/usecases/audit.ts';
import { fundWideParts, withFundWidePart } from '../../functions/supervision/usecases/facts.ts';
import { call, staffToken } from '../support/http.ts';
import { registerUnit } from './deposits-fixtures.ts';
import { deliver, interceptDdb, QueueTap, type TappedMessage } from '../hardening/workload-support.ts';

const tap = new QueueTap();
beforeAll(() => void tap.install());
afterAll(() => tap.uninstall());
afterEach(() => {
  faults.beforeWrite = undefined;
  tap.failSend = undefined;
});

const FUND_WIDE = ['PROPERTY_REUSE', 'RENT_WITH_LOAN_OR_PURCHASE', 'UNIT_NO_REMITTANCE'];
const today = businessDate();
const year = Number(today.slice(0, 4));
const tag = randomUUID().slice(0, 8).toUpperCase();
const branch = `FO${tag.slice(0, 6)}`;
const accountPrefix = `9${String(randomInt(1e8)).padStart(8, '0')}`;
/** Account numbers of this file's withdrawals and claims (the rules read the withdrawals domain only). */
const fakeAccountNo = (i: number) => `${accountPrefix}${String(i).padStart(3, '0')}`;

// ---------- the one-shot rules (finalise()'s fundWideFindings before the fan-out) ----------

async function all<F>(read: (range: PageRange) => Promise<Page<F>>): Promise<F[]> {
  const out: F[] = [];
  let cursor: string | undefined;
  do {
    const page = await read({ limit: 500, cursor });
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

const shards = (n: number) => Array.from({ length: n }, (_x, i) => i);
const paidOn = (w: { paidOn?: string; submittedAt: string }) => w.paidOn ?? w.submittedAt.slice(0, 10);

function expand(range: string): string[] {
  const [from, to] = range.split(':');
  const out: string[] = [];
  for (let p = from; p <= to; p = addMonths(p, 1)) out.push(p);
  return out;
}

async function oneShotFindings(date: string): Promise<FindingCandidate[]> {
  const policy = policyOn(date);
  const claims = (await Promise.all(shards(CLAIM_SHARDS).map((s) => all((r) => propertyClaimsOfShardPage(s, r))))).flat();
  const y = Number(date.slice(0, 4));
  const rents = (await Promise.all([y - 1, y].map((yy) => all((r) => withdrawalsByReasonAndYearPage('RENT', yy, r))))).flat().filter((w) => w.status === 'PAID');
  const byAccount = new Map<string, { withdrawalId: string; paidOn: string }[]>();
  for (const w of rents) byAccount.set(w.accountNo, [...(byAccount.get(w.accountNo) ?? []), { withdrawalId: w.withdrawalId, paidOn: paidOn(w) }]);
  const flags = await borrowerFlagsOf([...byAccount.keys()]);
  const rentFound: FindingCandidate[] = [];
  for (const [accountNo, rentWithdrawals] of byAccount) {
    const own = await withdrawalsOfAccount(accountNo);
    const purchaseWithdrawalYears = [...new Set(own.filter((w) => ['PURCHASE', 'OFFSITE_PURCHASE'].includes(w.reason) && w.status === 'PAID').map((w) => Number(paidOn(w).slice(0, 4))))];
    rentFound.push(...rentConflicts({ accountNo, rentWithdrawals, purchaseWithdrawalYears, hasActiveLoan: !!flags.get(accountNo)?.activeLoanId }));
  }
  const unitFound: FindingCandidate[] = [];
  for (const shard of shards(UNIT_SHARDS)) {
    for (const unit of await all((r) => unitsOfShardPage(shard, r))) {
      const deferredPeriods = (await unitDeferrals(unit.unitId)).flatMap((r) => expand(r));
      unitFound.push(...unitArrears({ unitId: unit.unitId, lastFundedPeriod: unit.lastFundedPeriod, startPeriod: unit.startPeriod, currentPeriod: periodOf(date), deferredPeriods }, policy.supervision.unitNoRemittanceMonths));
    }
  }
  return [...propertyReuse(claims, policy.withdrawals.propertyRepeatWindowMonths), ...rentFound, ...unitFound];
}

// ---------- the seeded facts, in the shapes the withdrawals store writes ----------

let seq = 0;
function withdrawal(accountNo: string, reason: 'RENT' | 'PURCHASE', status: 'PAID' | 'REJECTED', submittedOn: string): Withdrawal {
  const submittedAt = `${submittedOn}T0${seq % 10}:00:00.${String(seq++ % 1000).padStart(3, '0')}Z`;
  return {
    withdrawalId: newId('W'),
    accountNo,
    reason,
    reasonCode: reason === 'RENT' ? '05' : '01',
    status,
    amountFen: 10_000,
    interestFen: 0,
    closesAccount: false,
    requested: { full: false, amountFen: 10_000 },
    payeeBankAccount: '6222020000000001',
    branch,
    evidence: (reason === 'RENT' ? { housingKind: 'COMMERCIAL', noHouseCertificateNo: `WF-${tag}` } : { contractNo: `HT-${tag}`, propertyCertificateNo: `P-${tag}`, price: '900000.00', purchaseDate: submittedOn }) as Withdrawal['evidence'],
    evidenceSha256: '0'.repeat(64),
    submittedBy: { sub: `member-${accountNo}`, role: 'member' },
    submittedAt,
    reviewReasons: [],
    decisions: [],
    ...(status === 'PAID' ? { paidOn: submittedOn } : { rejection: { code: 'REVIEW_REJECTED', message: 'seeded' } }),
    entryIds: [],
  };
}

async function put(items: ReturnType<typeof putWithdrawalItem>[]) {
  for (let i = 0; i < items.length; i += 25) {
    const chunk = items.slice(i, i + 25);
    await commit({ plan: async () => ({ items: chunk, body: null }) });
  }
}

const claim = (accountNo: string, claimedOn: string, status: 'PAID' | 'REJECTED' = 'PAID') => ({ withdrawalId: newId('W'), accountNo, claimedOn, amountFen: 10_000, status });

describe('the fund-wide audit rules fanned out (issue 20)', () => {
  it('find what the one-shot rules find; a page repeated after a crash and every message delivered twice count once; the run completes once', async () => {
    // PROPERTY_REUSE: properties claimed by two accounts, one claimed twice by one account within the
    // repeat window, one claimed once, one whose second claim was rejected (does not count)
    const certs = Array.from({ length: 8 }, (_x, i) => `粤(${year})深圳市不动产权第${tag}${i}号`.toUpperCase());
    const window = policyOn(today).withdrawals.propertyRepeatWindowMonths;
    const claimsOf: ReturnType<typeof claim>[][] = [
      ...certs.slice(0, 5).map((_c, i) => [claim(fakeAccountNo(900 + i), `${year}-01-15`), claim(fakeAccountNo(950 + i), `${year}-03-20`)]),
      [claim(fakeAccountNo(960), `${year}-01-10`), claim(fakeAccountNo(960), addMonths(`${year}-01`, Math.max(0, window - 1)) + '-10')],
      [claim(fakeAccountNo(961), `${year}-02-01`)],
      [claim(fakeAccountNo(962), `${year}-02-01`), claim(fakeAccountNo(963), `${year}-04-01`, 'REJECTED')],
    ];
    await put(certs.map((docNo, i) => putClaimItem({ kind: 'PROPERTY', docNo, paidFen: 10_000 * claimsOf[i].length, claims: claimsOf[i], version: 1 })));

    // RENT_WITH_LOAN_OR_PURCHASE, over last year's and this year's RENT withdrawals (this year's over
    // more than one page, so that one account's rents lie in several pages):
    //  0: rent last year and this year, a purchase last year (the conflict: last year's rent)
    //  1: rent and purchase this year
    //  2: rent this year, no purchase (no finding)
    //  3: a rejected rent last year (its first rent: last year's part judges it), a paid one this year, a purchase this year
    //  4: three rents this year, far apart in the list, a purchase this year
    //  5: rent and purchase two years ago (outside the rule's years: no finding)
    //  6: (added while the run is under way, inside the first page's range) rent and purchase this year
    //  filler: 160 rents this year of 40 accounts with no purchase (no finding)
    const a = (i: number) => fakeAccountNo(i);
    const seeded: Withdrawal[] = [
      withdrawal(a(0), 'RENT', 'PAID', `${year - 1}-03-01`),
      withdrawal(a(0), 'RENT', 'PAID', `${year}-01-05`),
      withdrawal(a(0), 'PURCHASE', 'PAID', `${year - 1}-05-01`),
      withdrawal(a(1), 'RENT', 'PAID', `${year}-01-06`),
      withdrawal(a(1), 'PURCHASE', 'PAID', `${year}-02-01`),
      withdrawal(a(2), 'RENT', 'PAID', `${year}-01-07`),
      withdrawal(a(3), 'RENT', 'REJECTED', `${year - 1}-06-01`),
      withdrawal(a(3), 'RENT', 'PAID', `${year}-01-08`),
      withdrawal(a(3), 'PURCHASE', 'PAID', `${year}-03-01`),
      withdrawal(a(4), 'RENT', 'PAID', `${year}-01-02`),
      withdrawal(a(4), 'RENT', 'PAID', `${year}-06-15`),
      withdrawal(a(4), 'RENT', 'PAID', `${year}-11-20`),
      withdrawal(a(4), 'PURCHASE', 'PAID', `${year}-04-01`),
      withdrawal(a(5), 'RENT', 'PAID', `${year - 2}-03-01`),
      withdrawal(a(5), 'PURCHASE', 'PAID', `${year - 2}-04-01`),
      ...Array.from({ length: 160 }, (_x, i) => withdrawal(a(100 + (i % 40)), 'RENT', 'PAID', `${year}-${String(2 + Math.floor(i / 20)).padStart(2, '0')}-${String(1 + (i % 20)).padStart(2, '0')}`)),
    ];
    await put(seeded.map((w) => putWithdrawalItem(w)));
    const thisYearsRents = await all((r) => withdrawalsByReasonAndYearPage('RENT', year, r));
    expect(thisYearsRents.length, 'this year\'s rent withdrawals span more than one page').toBeGreaterThan(PART_PAGE_SIZE);

    // UNIT_NO_REMITTANCE: a unit owing five months, one whose months are deferred, one that starts now
    const start = addMonths(periodOf(today), -5);
    const arrears = await registerUnit(branch, { startPeriod: start });
    const deferred = await registerUnit(branch, { startPeriod: start });
    const current = await registerUnit(branch, { startPeriod: periodOf(today) });
    const deferral = await call('POST', `/v1/units/${deferred.unitId}/deferrals`, { token: await staffToken(branch), body: { fromPeriod: start, toPeriod: addMonths(periodOf(today), 2), reason: '经营困难' } });
    expect(deferral.status, JSON.stringify(deferral.body)).toBe(201);

    const subjects = new Set([...certs, ...Array.from({ length: 7 }, (_x, i) => a(i)), ...Array.from({ length: 40 }, (_x, i) => a(100 + i)), arrears.unitId, deferred.unitId, current.unitId]);
    // the properties lie in more than one claim shard (read through the published reader)
    const shardOf = new Map<string, number>();
    for (const s of shards(CLAIM_SHARDS)) for (const c of await all((r) => propertyClaimsOfShardPage(s, r))) if (certs.includes(c.propertyCertificateNo)) shardOf.set(c.propertyCertificateNo, s);
    expect(shardOf.size).toBe(certs.length);
    expect(new Set(shardOf.values()).size, 'claim shards of the seeded properties').toBeGreaterThan(1);

    // ---------- the run, its findings read off its own upserts ----------
    const { body } = await startAuditRun(`test:fanout:${tag}`, undefined, today);
    const runId = body.runId;
    const written: FindingCandidate[] = [];
    let completions = 0;
    const undo = interceptDdb(async (command, send) => {
      const input = (command as { input?: { Key?: { pk?: string }; UpdateExpression?: string; ExpressionAttributeValues?: Record<string, unknown> } }).input;
      const out = await send();
      const v = input?.ExpressionAttributeValues;
      if (v && v[':run'] === runId && input?.Key?.pk?.startsWith('FINDING#')) written.push({ rule: v[':rule'] as string, severity: v[':sev'] as FindingCandidate['severity'], subject: v[':sub'] as string, evidence: v[':ev'] as Record<string, unknown> });
      if (input?.Key?.pk === `RUN#${runId}` && input.UpdateExpression?.startsWith('SET #s = :done')) completions++;
      return out;
    });
    try {
      const messages = tap.take('audit-segments', (b) => b.runId === runId);
      const bodies = messages.map((m) => JSON.parse(m.body));
      expect(bodies.filter((b) => b.kind === 'SEGMENT')).toHaveLength(SEGMENTS);
      expect(bodies.filter((b) => b.kind !== 'SEGMENT')).toEqual(fundWideParts(runId, today));
      const run0 = (await supervisionStore.getRun(runId))!;
      expect(run0).toMatchObject({ partsTotal: CLAIM_SHARDS + UNIT_SHARDS + 2, partsDone: 0, findings: 0 });

      // this year's rents, first page: the worker dies after sending the next page, before counting this one
      const firstRents = messages.find((m) => JSON.parse(m.body).kind === 'RENTS' && JSON.parse(m.body).year === year && !JSON.parse(m.body).cursor)!;
      faults.beforeWrite = () => {
        throw new Error('injected: the worker died before counting its page');
      };
      expect(await deliver('audit-segments', [{ ...firstRents, receiveCount: 1 }])).toEqual([firstRents.messageId]);
      faults.beforeWrite = undefined;
      expect((await supervisionStore.getRun(runId))!).toMatchObject({ findings: 0, partsDone: 0 });
      // the list grows inside the page's range before the page comes again: a rent and a purchase of this year
      await put([withdrawal(a(6), 'RENT', 'PAID', `${year}-01-03`), withdrawal(a(6), 'PURCHASE', 'PAID', `${year}-01-04`)].map((w) => putWithdrawalItem(w)));
      const upsertsBefore = written.length;
      expect(await deliver('audit-segments', [{ ...firstRents, receiveCount: 2 }])).toEqual([]);
      const pageFindings = written.length - upsertsBefore;
      const successors = (): TappedMessage[] => tap.pending.filter((m) => m.queue === 'audit-segments' && JSON.parse(m.body).kind === 'RENTS' && JSON.parse(m.body).year === year);
      // the redelivery read its page through the bound the first delivery fixed (the new rent in it) and sent the same successor
      expect(new Set(successors().map((m) => m.body)).size, 'next-page messages sent for one page').toBe(1);
      expect(written.slice(upsertsBefore).map((f) => f.subject)).toContain(a(6));
      expect(successors()).toHaveLength(2); // the crashed delivery's and the redelivery's: the same message
      expect((await supervisionStore.getRun(runId))!).toMatchObject({ findings: pageFindings, partsDone: 0 });
      // and once more, a duplicate: nothing counted, nothing sent
      expect(await deliver('audit-segments', [{ ...firstRents, messageId: randomUUID(), receiveCount: 1 }])).toEqual([]);
      expect(successors()).toHaveLength(2);
      expect((await supervisionStore.getRun(runId))!).toMatchObject({ findings: pageFindings, partsDone: 0 });

      // everything else, each message delivered twice
      const rest = [...messages.filter((m) => m !== firstRents), ...tap.take('audit-segments', (b) => b.runId === runId)];
      tap.pending.push(...rest, ...rest.map((m) => ({ ...m, messageId: randomUUID() })));
      await tap.drain({ queue: 'audit-segments', concurrency: 8 });
    } finally {
      undo();
    }
    const run = (await supervisionStore.getRun(runId))!;
    expect(run).toMatchObject({ status: 'COMPLETED', segmentsDone: SEGMENTS, segmentsTotal: SEGMENTS, partsDone: CLAIM_SHARDS + UNIT_SHARDS + 2, partsTotal: CLAIM_SHARDS + UNIT_SHARDS + 2 });
    expect(completions, 'the run completed once').toBe(1);

    // the same findings as the one-shot rules, about the seeded subjects
    const key = (f: FindingCandidate) => `${f.rule}|${f.subject}`;
    const mine = (fs: readonly FindingCandidate[]) => [...new Map(fs.filter((f) => FUND_WIDE.includes(f.rule) && subjects.has(f.subject)).map((f) => [key(f), JSON.parse(JSON.stringify(f))])).values()].sort((x, y) => key(x).localeCompare(key(y)));
    const expected = mine(await oneShotFindings(today));
    expect(mine(written)).toEqual(expected);
    // what the seeds were made to show
    expect(expected.filter((f) => f.rule === 'PROPERTY_REUSE').map((f) => f.subject).sort()).toEqual(certs.slice(0, 6).sort());
    expect(expected.filter((f) => f.rule === 'RENT_WITH_LOAN_OR_PURCHASE').map((f) => f.subject).sort()).toEqual([a(0), a(1), a(3), a(4), a(6)].sort());
    expect(expected.find((f) => f.subject === a(0))!.evidence.rentWithdrawals).toHaveLength(1);
    expect(expected.find((f) => f.subject === a(4))!.evidence.rentWithdrawals).toHaveLength(3);
    expect(expected.filter((f) => f.rule === 'UNIT_NO_REMITTANCE').map((f) => f.subject)).toEqual([arrears.unitId]);
    // each account's rent rule applied by exactly one page of the two years' lists, read as the run reads them
    const judged = new Map<string, number>();
    for (const part of fundWideParts(runId, today).filter((p) => p.kind === 'RENTS')) {
      let cursor: string | undefined;
      do {
        const page = await withFundWidePart(part, today, async (rule) => {
          const read = await rule.read({ limit: PART_PAGE_SIZE, cursor });
          return { found: await rule.findings(read.items), nextCursor: read.nextCursor };
        });
        for (const f of page.found) if (subjects.has(f.subject)) judged.set(f.subject, (judged.get(f.subject) ?? 0) + 1);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    }
    expect(Object.fromEntries(judged)).toEqual(Object.fromEntries([a(0), a(1), a(3), a(4), a(6)].map((s) => [s, 1])));
  }, 300_000);
});
