// A city's year at full size (issue 20): 3,000 units and 300,000 accounts with a year of history,
// loaded straight into the store of a local runtime, then the busiest days measured against the
// store's own limit measured in the same run:
//   - the limit: raw TransactWriteItems of the remittance posting's shape (per 40 accounts: the account
//     and its entry each, a control-total and a period-flow shard, the chunk flag and the remittance's
//     progress: 84 items, built by the ledger), at concurrency 1, 2, 4, 8 and 16 — the best one;
//   - the remittance wave: every unit's remittance of one month paid at the bank, its signed arrival
//     notice through the bank simulator (POST /_local/bank/arrivals → POST /v1/bank/notifications), and
//     every employee credited by the posting worker; postings/s against the limit (target ≥ 0.7);
//   - interest settlement without a freeze: the June 30 run (POST /v1/interest-settlements) over every
//     account while members withdraw (rents, POST /v1/withdrawals) at a steady rate from before the
//     run until it is over: the run in ≤ 10 min, each account credited exactly once (its balance and
//     its entry count, read back), the run's counts and the control totals exact, and the withdrawals'
//     p99 during the run ≤ 2× their p99 before it;
//   - the daily audit (POST /v1/supervision/audit-runs) over a tenth of the city, then over all of it:
//     ≤ 11× the time for 10× the accounts;
//   - memory: the peak resident memory of the runtime's process (the handlers run in it: the local
//     runtime imports every function and its SQS pollers invoke them in-process) during the audit at
//     both sizes, and during the wave and the settlement; DynamoDB Local's JVM (the store) beside it.
//
// The runtime runs in a child process (city-runtime.ts), so that its memory is its own and not the
// loader's; this process writes the city into its DynamoDB Local directly with BatchWriteItem.
//
// The city, in the shapes the code writes (its item builders, not hand-written items): per unit the
// unit record, its credit-code guard and unit count (deposits store newUnitItems) and its registration
// archive record; per employee the account (shared/ledger openAccountItems, then every posting through
// ledgerWrite in date order: the account item as the last write left it, every entry), the resident-ID
// guard, the employment with its history (withHire, employmentItem) and the hire's archive record; per
// unit and month of the last year a REGULAR remittance (newRemittanceItems: the record and the period
// claim), POSTED, its chunks (putChunks) and its CREATE, SETTLE and POSTED archive records, the
// employees' REMITTANCE entries value-dated on the 10th of the month after the period; one employee in
// ten withdraws for rent twice in the year and one in a hundred for a purchase (the withdrawals
// domain's decideApplication, payout, newWithdrawal, putWithdrawalItem, putClaimItem and the archive
// record: what planApplication commits, without the payment order). The month after the history, every
// unit's remittance AWAITING_FUNDS with its PENDING chunks: what the wave pays. The ledger's control
// totals, period flows and branch registry are the sums of what every one of those writes added (one
// update per item key), so the books reconcile and an audit of consistent data finds nothing. No loans.
//
// Sizes (environment): CITY_ACCOUNTS (default 300000), CITY_UNITS (default accounts / 100), the
// audit's first size CITY_SMALL_ACCOUNTS (default a tenth: whole units, loaded first), CITY_POLLERS
// (the runtime's poller concurrency per queue, default 4: Lambda's concurrency here),
// CITY_WITHDRAWALS_PER_S (default 4), CITY_BEFORE_SECONDS (the withdrawals measured before the run,
// default 60), CITY_LOAD_CONCURRENCY (BatchWriteItem requests in flight, default 12).
// Run: npm run bench -- city   (CITY_ACCOUNTS=3000 npm run bench -- city while developing)
import { fork, type ChildProcess } from 'node:child_process';
import { createHash, randomInt, randomUUID } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { mintToken } from '../../infra/local/jwt.ts';
import type { TxItem } from '../../shared/ddb.ts';
import { inPool as pool } from '../../shared/pool.ts';
import { AddUpdates, batchWriteTables, distinctAccountNos, writeTransactions, type TableWrite } from './support.ts';
import { printTable, type BenchRow } from './types.ts';

export type { BenchRow };

const here = dirname(fileURLToPath(import.meta.url));
const intEnv = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer`);
  return v;
};
const ACCOUNTS = intEnv('CITY_ACCOUNTS', 300_000);
const UNITS = intEnv('CITY_UNITS', Math.max(1, Math.round(ACCOUNTS / 100)));
const POLLERS = intEnv('CITY_POLLERS', 4);
const WITHDRAWALS_PER_S = intEnv('CITY_WITHDRAWALS_PER_S', 4);
const BEFORE_SECONDS = intEnv('CITY_BEFORE_SECONDS', 60);
const LOAD_CONCURRENCY = intEnv('CITY_LOAD_CONCURRENCY', 12);
const BRANCHES = ['SC', 'XH', 'GS', 'BJ', 'JG', 'YH', 'XS', 'FY'];
const HISTORY_MONTHS = 12;
const RAW_CONCURRENCIES = [1, 2, 4, 8, 16];
const RAW_TRANSACTIONS_PER_LEVEL = 80;
const ARRIVALS_IN_FLIGHT = 8;
const TARGET_WAVE_RATIO = 0.7;
const TARGET_INTEREST_SECONDS = 600;
const TARGET_P99_RATIO = 2;
const TARGET_AUDIT_RATIO = 11;
const TARGET_MEMORY_RATIO = 1.25; // "does not grow": 10× the accounts within this of the smaller city's peak (measurement noise)
const RUN_TIMEOUT_MS = 3 * 3600_000;
const PAYEE = '6222021234567890123';

const label = (n: number) => Math.round(n).toLocaleString('en-US');
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
const t0 = performance.now();
const progress = (msg: string) => process.stderr.write(`[city bench +${((performance.now() - t0) / 1000).toFixed(0)} s, load ${loadavg()[0].toFixed(1)}] ${msg}\n`);


const percentile = (xs: readonly number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
};

/** An item's size as DynamoDB counts it (attribute names + values; numbers by significant digits, lists and maps 3 bytes + 1 per element). */
function itemBytes(v: unknown, top = true): number {
  if (v === null || v === undefined || typeof v === 'boolean') return 1;
  if (typeof v === 'string') return Buffer.byteLength(v);
  if (typeof v === 'number') return Math.ceil(String(Math.abs(v)).replace(/^0\.|\./, '').replace(/^0+/, '').length / 2) + 1;
  if (v instanceof Set) return [...v].reduce((s: number, x) => s + itemBytes(x, false), 0);
  if (Array.isArray(v)) return 3 + v.reduce((s: number, x) => s + 1 + itemBytes(x, false), 0);
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
  return (top ? 0 : 3) + entries.reduce((s, [k, x]) => s + Buffer.byteLength(k) + itemBytes(x, false) + (top ? 0 : 1), 0);
}

// ---------- the runtime in its own process, and memory ----------

interface Child {
  proc: ChildProcess;
  url: string;
  env: Record<string, string>;
  pid: number;
  call(cmd: 'drain' | 'stop'): Promise<void>;
}

async function startChild(): Promise<Child> {
  const proc = fork(join(here, 'city-runtime.ts'), [], { env: { ...process.env, CITY_POLLERS: String(POLLERS) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, { ok: () => void; fail: (e: Error) => void }>();
  let ids = 0;
  const ready = await new Promise<{ url: string; env: Record<string, string>; pid: number }>((ok, fail) => {
    proc.once('exit', (code) => fail(new Error(`the city runtime exited (${code}) before it was ready`)));
    proc.on('message', (m: any) => {
      if (m.ready) ok(m);
      else if (pending.has(m.id)) {
        const p = pending.get(m.id)!;
        pending.delete(m.id);
        if (m.ok) p.ok();
        else p.fail(new Error(m.error));
      }
    });
  });
  return {
    proc,
    ...ready,
    call: (cmd) =>
      new Promise<void>((ok, fail) => {
        const id = ++ids;
        pending.set(id, { ok, fail });
        proc.send({ id, cmd });
      }),
  };
}

const statusKb = (pid: number, field: 'VmRSS' | 'VmHWM'): number => {
  try {
    return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
};

/** The JVM of DynamoDB Local: the runtime process's child running java. */
function storePid(parent: number): number | undefined {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const m = /^\d+ \((.*)\) \S (\d+)/.exec(stat);
      if (m && Number(m[2]) === parent && m[1].includes('java')) return Number(d);
    } catch {
      /* gone */
    }
  }
  return undefined;
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat (clock ticks of 1/100 s). */
const cpuSeconds = (pid: number): number => {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
};

interface PhaseFigures {
  runtimeKb: number;
  storeKb: number;
  /** CPU seconds used during the phase: this process (the loader, the clients), the runtime's, the store's. */
  cpu: { bench: number; runtime: number; store: number };
  wall: number;
}

/**
 * Per phase: the peak RSS of the runtime's process (sampled every 250 ms, and its VmHWM reset at the
 * phase's start) and of the store's JVM, and the CPU time each process used.
 */
class ProcessWatch {
  private phase: string | undefined;
  private startCpu = { bench: 0, runtime: 0, store: 0, wall: 0 };
  readonly phases = new Map<string, PhaseFigures>();
  private readonly timer: NodeJS.Timeout;
  constructor(private readonly runtimePid: number, private readonly storePid: number | undefined) {
    this.timer = setInterval(() => this.sample(), 250);
    this.timer.unref();
  }
  private sample() {
    if (!this.phase) return;
    const p = this.phases.get(this.phase)!;
    p.runtimeKb = Math.max(p.runtimeKb, statusKb(this.runtimePid, 'VmRSS'), statusKb(this.runtimePid, 'VmHWM'));
    if (this.storePid) p.storeKb = Math.max(p.storeKb, statusKb(this.storePid, 'VmRSS'));
  }
  private cpuNow() {
    const u = process.cpuUsage();
    return { bench: (u.user + u.system) / 1e6, runtime: cpuSeconds(this.runtimePid), store: this.storePid ? cpuSeconds(this.storePid) : 0, wall: performance.now() / 1000 };
  }
  start(phase: string) {
    try {
      writeFileSync(`/proc/${this.runtimePid}/clear_refs`, '5'); // VmHWM := the current RSS
    } catch {
      /* sampling alone */
    }
    this.phase = phase;
    this.startCpu = this.cpuNow();
    this.phases.set(phase, { runtimeKb: statusKb(this.runtimePid, 'VmRSS'), storeKb: this.storePid ? statusKb(this.storePid, 'VmRSS') : 0, cpu: { bench: 0, runtime: 0, store: 0 }, wall: 0 });
  }
  stop(): PhaseFigures {
    this.sample();
    const p = this.phases.get(this.phase!)!;
    const now = this.cpuNow();
    p.cpu = { bench: now.bench - this.startCpu.bench, runtime: now.runtime - this.startCpu.runtime, store: now.store - this.startCpu.store };
    p.wall = now.wall - this.startCpu.wall;
    this.phase = undefined;
    progress(`  cpu: bench ${p.cpu.bench.toFixed(0)} s, runtime ${p.cpu.runtime.toFixed(0)} s, store ${p.cpu.store.toFixed(0)} s over ${p.wall.toFixed(0)} s; peak RSS: runtime ${mb(p.runtimeKb)}, store ${mb(p.storeKb)}`);
    return p;
  }
  close() {
    clearInterval(this.timer);
  }
}

// ---------- the benchmark ----------

export async function runCityBench(): Promise<BenchRow[]> {
  process.env.LOG_LEVEL ??= 'silent';
  const smallAccounts = Number(process.env.CITY_SMALL_ACCOUNTS ?? Math.floor(ACCOUNTS / 10));
  // accounts are spread over the units as evenly as integers allow; the small city is whole units
  const firstAccountOf = (u: number) => Math.floor((u * ACCOUNTS) / UNITS);
  let smallUnits = 1;
  while (smallUnits < UNITS && firstAccountOf(smallUnits) < smallAccounts) smallUnits++;
  const SMALL = firstAccountOf(smallUnits);
  if (SMALL >= ACCOUNTS) throw new Error('CITY_SMALL_ACCOUNTS must leave some units for the full city');

  progress(`starting the runtime (pollers ${POLLERS} per queue); the city: ${label(UNITS)} units, ${label(ACCOUNTS)} accounts (audit first at ${label(SMALL)})`);
  const child = await startChild();
  Object.assign(process.env, child.env); // this process writes into the same DynamoDB Local, the same tables
  const memory = new ProcessWatch(child.pid, storePid(child.pid));
  try {
    // imported only now: the AWS clients bind the runtime's endpoints at load
    const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    const { ddb } = await import('../../shared/ddb.ts');
    const { tableName } = await import('../../shared/config.ts');
    const { addDays, addMonths, businessDate, daysBetween, periodOf } = await import('../../shared/clock.ts');
    const { policyOn } = await import('../../shared/policy.ts');
    const { D, fenToYuan, roundFen, yuanToFen } = await import('../../shared/money.ts');
    const { newId } = await import('../../shared/ids.ts');
    const { canonicalJson } = await import('../../shared/canonical.ts');
    const { archiveItem } = await import('../../shared/archive.ts');
    const { CREDIT_CODE_CHARSET, creditCodeCheckChar } = await import('../../shared/validators.ts');
    const { openAccountItems, ledgerWrite, listAccountsOfSegment, controlTotals, SEGMENTS, interestYearEnd } = await import('../../shared/ledger/ledger.ts');
    type Account = import('../../shared/ledger/ledger.ts').Account;
    type Posting = import('../../shared/ledger/ledger.ts').Posting;
    const depositsStore = await import('../../functions/deposits/store.ts');
    const { chunked, lastSettledYearOn, lineFen, linesOf, LINES_PER_CHUNK, totalFen, withHire } = await import('../../functions/deposits/domain/rules.ts');
    const { accountOwner, unitOwner, SYSTEM_ACTOR } = await import('../../functions/deposits/usecases/archive.ts');
    type Remittance = import('../../functions/deposits/domain/types.ts').Remittance;
    type RemittanceChunk = import('../../functions/deposits/domain/types.ts').RemittanceChunk;
    type Unit = import('../../functions/deposits/domain/types.ts').Unit;
    const { decideApplication, newWithdrawal, withClaim, spendingOf, payout } = await import('../../functions/withdrawals/domain/withdrawal.ts');
    type WithdrawalApplication = import('../../functions/withdrawals/domain/withdrawal.ts').WithdrawalApplication;
    const { putClaimItem, putWithdrawalItem } = await import('../../functions/withdrawals/store.ts');
    const { archiveWithdrawal } = await import('../../functions/withdrawals/usecases/archive.ts');
    const { uniqueResidentIds } = await import('../integration/deposits-bulk.ts');

    const today = businessDate();
    const policy = policyOn(today);
    const YEAR = lastSettledYearOn(today, policy); // the June 30 run: the interest year that ended last
    const yearStart = `${YEAR - 1}-07-01`;
    const yearEnd = interestYearEnd(YEAR);
    const rate = policyOn(yearEnd).interest;
    const WAVE = addMonths(periodOf(today), -1); // the month the wave pays (remitted after pay day this month)
    const periods = Array.from({ length: HISTORY_MONTHS }, (_x, k) => addMonths(WAVE, k - HISTORY_MONTHS));
    const paidOn = (period: string) => `${addMonths(period, 1)}-10`; // a period's remittance is settled on the 10th of the next month
    const openedOn = `${periods[0]}-01`;
    const instant = (date: string, hh = '02') => new Date(`${date}T${hh}:00:00.000Z`); // 10:00 in Shanghai
    const rates = { fromPeriod: periods[0], employerRatePercent: 12, employeeRatePercent: 12 };
    const unitAgent = { sub: 'city-bench-unit-agent', role: 'unit' };
    const L = tableName('ledger');
    const DEP = tableName('deposits');
    const WD = tableName('withdrawals');
    const ARC = tableName('archive');

    // what this process keeps per account (index = the account's place in the city)
    const accountNos: string[] = new Array(ACCOUNTS);
    const indexOf = new Map<string, number>();
    const balanceFen = new Float64Array(ACCOUNTS); // after the load, then as the wave and the withdrawals move it
    const entries = new Uint16Array(ACCOUNTS); // the account's entries (its version)
    const interestFen = new Float64Array(ACCOUNTS); // the year's interest, from the history: Σ amount × days to the year's end
    const unitOfAccount = (i: number) => {
      let lo = 0;
      let hi = UNITS - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (firstAccountOf(mid) <= i) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    };
    const baseOf = (i: number) => 300_000 + ((i * 7919) % 50) * 30_000; // 3,000.00 … 17,700.00: within the floor and cap
    const rentAccount = (i: number) => i % 10 === 3; // withdraws for rent twice in the year
    const purchaseAccount = (i: number) => i % 100 === 7; // withdraws for a purchase once
    const branchOf = (u: number) => BRANCHES[u % BRANCHES.length];
    const unitIds: string[] = Array.from({ length: UNITS }, (_x, u) => `U${createHash('sha256').update(`city-${u}-${today}`).digest('hex').slice(0, 20).toUpperCase()}`);
    const waveRemittances: { remittanceId: string; totalFen: number }[] = new Array(UNITS);
    const historyRemittanceIds: string[][] = new Array(UNITS);
    const numbers = distinctAccountNos();
    const creditCode = (u: number) => {
      let n = u + 1;
      let body = '';
      for (let k = 0; k < 9; k++) {
        body = CREDIT_CODE_CHARSET[n % 31] + body;
        n = Math.floor(n / 31);
      }
      const first17 = `91330106${body}`;
      return first17 + creditCodeCheckChar(first17);
    };

    /** The items of units [from, to): what the loader writes, drawn lazily. Control totals and counters go to `totals`. */
    function* cityWrites(from: number, to: number, totals: AddUpdates): Generator<TableWrite> {
      const put = (table: string, item: TxItem) => ({ table, request: { PutRequest: { Item: item.Put!.Item! } } });
      const collect = (items: readonly TxItem[]) => {
        for (const item of items) if (item.Update) totals.add(item.Update);
      };
      for (let u = from; u < to; u++) {
        const unitId = unitIds[u];
        const branch = branchOf(u);
        const first = firstAccountOf(u);
        const count = firstAccountOf(u + 1) - first;
        const ids = uniqueResidentIds(count);
        const registeredAt = instant(addDays(openedOn, -5)).toISOString();
        const unit: Unit = {
          unitId,
          name: `城市基准单位${u}`,
          creditCode: creditCode(u),
          branch,
          payDay: 10,
          rateHistory: [rates],
          startPeriod: periods[0],
          status: 'ACTIVE',
          headcount: count,
          lastRemittedPeriod: WAVE,
          lastFundedPeriod: periods.at(-1),
          version: HISTORY_MONTHS + 1, // one change per remittance list (lastRemittedPeriod)
          createdAt: registeredAt,
          updatedAt: instant(addDays(today, -1)).toISOString(),
        };
        const unitItems = depositsStore.newUnitItems(unit);
        collect(unitItems);
        yield put(DEP, unitItems[0]);
        yield put(DEP, unitItems[2]);
        yield put(ARC, archiveItem({ subjectType: 'UNIT', subjectId: unitId, action: 'REGISTER', actor: unitAgent, submitted: { name: unit.name, creditCode: unit.creditCode, branch, payDay: 10, employerRate: 12, employeeRate: 12, startPeriod: periods[0] }, decision: { status: 'ACTIVE' }, owner: unitOwner(unit), at: registeredAt }));

        historyRemittanceIds[u] = periods.map(() => newId('R'));
        const waveRemittanceId = newId('R');
        // the employees: opened, hired, then their year in date order
        const roll: { accountNo: string; monthlyBaseFen: number }[] = [];
        for (let j = 0; j < count; j++) {
          const i = first + j;
          const accountNo = numbers.next();
          accountNos[i] = accountNo;
          indexOf.set(accountNo, i);
          const monthlyBaseFen = baseOf(i);
          roll.push({ accountNo, monthlyBaseFen });
          const monthlyAmountFen = lineFen(linesOf([{ accountNo, monthlyBaseFen }], rates)[0]);
          const opened = openAccountItems(
            { accountNo, idNumber: ids[j], name: `职工${i}`, kind: 'EMPLOYEE', unitId, branch, status: 'NORMAL', monthlyBaseFen, employerRatePercent: 12, employeeRatePercent: 12, monthlyAmountFen, openedOn },
            instant(openedOn).toISOString(),
          );
          collect(opened.items);
          yield put(L, opened.items[1]); // the one-account-per-ID guard
          yield put(DEP, depositsStore.employmentItem(withHire(undefined, { unitId, accountNo, startPeriod: periods[0], hiredOn: openedOn, monthlyBaseFen })));
          yield put(ARC, archiveItem({ subjectType: 'ACCOUNT', subjectId: accountNo, action: 'HIRE', actor: unitAgent, submitted: { idNumber: ids[j], name: `职工${i}`, monthlyBase: fenToYuan(monthlyBaseFen), startPeriod: periods[0] }, decision: { status: 'NORMAL', unitId }, owner: accountOwner(opened.account), at: instant(openedOn).toISOString() }));

          let account: Account = opened.account;
          let accountPut: TxItem | undefined;
          let fenDays = 0;
          const post = (write: Parameters<typeof ledgerWrite>[0][number], date: string, hh: string) => {
            const w = ledgerWrite([write], { now: instant(date, hh) });
            for (const item of w.items) {
              if (item.Update) totals.add(item.Update);
              else if (item.Put!.Item!.sk === 'ACCOUNT') accountPut = item;
            }
            for (const e of w.entries) if (e.valueDate < yearEnd) fenDays += e.amountFen * daysBetween(e.valueDate < yearStart ? yearStart : e.valueDate, yearEnd);
            account = { ...w.accounts[0], rev: (account.rev ?? 0) + 1 };
            return w;
          };
          const entryPuts = function* (w: ReturnType<typeof ledgerWrite>) {
            for (const item of w.items) if (item.Put && item.Put.Item!.sk !== 'ACCOUNT') yield put(L, item);
          };
          const withdraw = function* (body: WithdrawalApplication, date: string) {
            const withdrawalId = newId('W');
            const at = instant(date, '03').toISOString();
            const decision = decideApplication({ account, loanFlags: { hasOverdueLoan: false }, body, claim: undefined, today: date, policy: policyOn(date) });
            const accountBefore = account;
            const w = post(payout(account, { withdrawalId, reason: body.reason, ...decision }, date), date, '03');
            yield* entryPuts(w);
            const evidenceSha256 = createHash('sha256').update(canonicalJson(body.evidence)).digest('hex');
            const record = newWithdrawal({ withdrawalId, body, decision, evidenceSha256, submittedBy: { sub: `member:${accountNo}`, role: 'member' }, at, today: date, policy: policyOn(date), entryIds: w.entries.map((e) => e.entryId), branch, accountStatus: accountBefore });
            yield put(WD, putWithdrawalItem(record));
            const spending = spendingOf(body.reason, body.evidence);
            if (spending) yield put(WD, putClaimItem(withClaim(undefined, spending, record, date)));
            yield put(ARC, archiveWithdrawal(record, accountBefore, { action: 'SUBMIT', actor: { sub: `member:${accountNo}`, role: 'member' }, at, submitted: { ...body, amount: fenToYuan(body.amount!) }, decision: { status: record.status, amount: fenToYuan(record.amountFen) } }));
          };
          // the year's remittances, the postings between two withdrawals in one ledger write (dated
          // the last of them: one write of several postings, as the ledger takes them)
          let credits: Posting[] = [];
          const flush = function* () {
            if (!credits.length) return;
            const date = credits.at(-1)!.valueDate;
            const last = credits.at(-1)!.period!;
            yield* entryPuts(post({ account, postings: credits, changes: { lastPaidPeriod: last, employerRatePercent: 12, employeeRatePercent: 12, monthlyAmountFen } }, date, '02'));
            credits = [];
          };
          for (let k = 0; k < HISTORY_MONTHS; k++) {
            const period = periods[k];
            const date = paidOn(period);
            credits.push({ amountFen: monthlyAmountFen, type: 'REMITTANCE', ref: historyRemittanceIds[u][k], period, valueDate: date });
            if (rentAccount(i) && (k === 3 || k === 9)) {
              yield* flush();
              yield* withdraw({ accountNo, reason: 'RENT', amount: Math.floor(account.balanceFen * 0.3), payeeBankAccount: PAYEE, evidence: { housingKind: 'COMMERCIAL', noHouseCertificateNo: `CITY-NH-${i}` } }, addDays(date, 5));
            }
            if (purchaseAccount(i) && k === 8) {
              yield* flush();
              const when = addDays(date, 10);
              yield* withdraw({ accountNo, reason: 'PURCHASE', amount: Math.floor(account.balanceFen / 2), payeeBankAccount: PAYEE, evidence: { contractNo: `CITY-HT-${i}`, propertyCertificateNo: `CITY-PC-${i}`, price: '1000000.00', purchaseDate: addDays(when, -10) } }, when);
            }
          }
          yield* flush();
          yield put(L, accountPut!); // the account as its last write left it
          balanceFen[i] = account.balanceFen;
          entries[i] = account.version;
          interestFen[i] = roundFen(new D(fenDays).times(rate.annualRate).div(rate.dayBasis));
        }

        // the unit's remittances: a year of them POSTED, and the wave's month AWAITING_FUNDS
        const lines = linesOf(roll, rates);
        const chunkCount = chunked(lines, LINES_PER_CHUNK).length;
        const total = totalFen(lines);
        for (const [k, period] of [...periods, WAVE].entries()) {
          const wave = period === WAVE;
          const remittanceId = wave ? waveRemittanceId : historyRemittanceIds[u][k];
          const createdAt = instant(wave ? addDays(today, -1) : addDays(paidOn(period), -5)).toISOString();
          const settledAt = instant(paidOn(period)).toISOString();
          const r: Remittance = {
            remittanceId,
            unitId,
            branch,
            period,
            kind: 'REGULAR',
            status: wave ? 'AWAITING_FUNDS' : 'POSTED',
            employerRatePercent: 12,
            employeeRatePercent: 12,
            headcount: lines.length,
            totalFen: total,
            chunkCount,
            postedChunks: wave ? 0 : chunkCount,
            postedCount: wave ? 0 : lines.length,
            postedFen: wave ? 0 : total,
            skippedCount: 0,
            skippedFen: 0,
            createdAt,
            ...(wave ? {} : { settlement: { amountFen: total, bankRef: `HIST-${period}`, settledOn: paidOn(period), settledAt, settledBy: 'bank:SIM' }, postedAt: settledAt }),
          };
          for (const item of depositsStore.newRemittanceItems(r)) yield put(DEP, item);
          const owner = unitOwner(r);
          yield put(ARC, archiveItem({ subjectType: 'REMITTANCE', subjectId: remittanceId, action: 'CREATE', actor: unitAgent, submitted: { period, kind: 'REGULAR' }, decision: { status: 'AWAITING_FUNDS', headcount: lines.length, totalAmount: fenToYuan(total) }, owner, at: createdAt }));
          if (wave) {
            waveRemittances[u] = { remittanceId, totalFen: total };
          } else {
            yield put(ARC, archiveItem({ subjectType: 'REMITTANCE', subjectId: remittanceId, action: 'SETTLE', actor: { sub: 'bank:SIM', role: 'bank' }, submitted: { amount: fenToYuan(total), bankRef: `HIST-${period}` }, decision: { status: 'POSTING' }, owner, at: settledAt }));
            yield put(ARC, archiveItem({ subjectType: 'REMITTANCE', subjectId: remittanceId, action: 'POSTED', actor: SYSTEM_ACTOR, submitted: { remittanceId, chunks: chunkCount }, decision: { status: 'POSTED', postedCount: lines.length, postedAmount: fenToYuan(total), skippedCount: 0, skippedAmount: '0.00' }, owner, at: settledAt, dedupeKey: 'POSTED' }));
          }
        }
      }
    }

    /** The chunks of units [from, to)' remittances (putChunks, the store's own writer): POSTED for the history, PENDING for the wave. */
    const writeChunks = (from: number, to: number) =>
      pool(
        Array.from({ length: to - from }, (_x, k) => from + k),
        LOAD_CONCURRENCY,
        async (u) => {
          const first = firstAccountOf(u);
          const lines = linesOf(Array.from({ length: firstAccountOf(u + 1) - first }, (_x, j) => ({ accountNo: accountNos[first + j], monthlyBaseFen: baseOf(first + j) })), rates);
          const parts = chunked(lines, LINES_PER_CHUNK);
          const chunks: RemittanceChunk[] = [];
          for (const remittanceId of historyRemittanceIds[u]) parts.forEach((l, c) => chunks.push({ remittanceId, chunkNo: c + 1, status: 'POSTED', lines: l, skipped: [] }));
          parts.forEach((l, c) => chunks.push({ remittanceId: waveRemittances[u].remittanceId, chunkNo: c + 1, status: 'PENDING', lines: l }));
          await depositsStore.putChunks(chunks);
          return chunks.length;
        },
      );

    /** Loads units [from, to): items written, seconds. */
    const loadCity = async (from: number, to: number) => {
      memory.start(`load ${from}-${to}`);
      const started = performance.now();
      const totals = new AddUpdates();
      let items = await batchWriteTables(cityWrites(from, to, totals), LOAD_CONCURRENCY);
      items += (await writeChunks(from, to)).reduce((s, n) => s + n, 0);
      const updates = totals.updates();
      await pool(updates, 8, (u) => ddb.send(new UpdateCommand(u)));
      items += updates.length;
      const seconds = (performance.now() - started) / 1000;
      return { items, seconds, cpu: memory.stop().cpu };
    };

    const admin = await mintToken({ sub: 'city-bench-admin', role: 'admin' });
    const auditor = await mintToken({ sub: 'city-bench-auditor', role: 'auditor' });
    const api = async (method: 'GET' | 'POST', path: string, token: string, body?: unknown) => {
      const res = await fetch(`${child.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as any };
    };
    const pollRun = async (path: string, what: string) => {
      const started = performance.now();
      for (;;) {
        const r = await api('GET', path, auditor);
        if (r.status !== 200) throw new Error(`${what}: GET ${path} answered ${r.status}: ${JSON.stringify(r.body)}`);
        if (r.body.status !== 'RUNNING') return r.body;
        if (performance.now() - started > RUN_TIMEOUT_MS) throw new Error(`${what} still RUNNING after ${RUN_TIMEOUT_MS / 60_000} min`);
        await new Promise((ok) => setTimeout(ok, 1000));
      }
    };
    const rows: BenchRow[] = [];
    const audit = async (size: number, phase = `audit ${size}`) => {
      memory.start(phase);
      const started = performance.now();
      const r = await api('POST', '/v1/supervision/audit-runs', auditor);
      if (r.status !== 202) throw new Error(`audit run: ${r.status} ${JSON.stringify(r.body)}`);
      const run = await pollRun(`/v1/supervision/audit-runs/${r.body.runId}`, 'audit run');
      const seconds = (performance.now() - started) / 1000;
      memory.stop();
      if (run.status !== 'COMPLETED') throw new Error(`audit run: ${JSON.stringify(run)}`);
      progress(`audit over ${label(size)} accounts: ${seconds.toFixed(1)} s, ${run.findings} findings, ${run.accounts} accounts`);
      return { seconds, accounts: run.accounts as number, findings: run.findings as number };
    };

    // 1. the small city, and its audit
    progress(`loading ${label(smallUnits)} units, ${label(SMALL)} accounts`);
    const load1 = await loadCity(0, smallUnits);
    progress(`loaded ${label(load1.items)} items in ${load1.seconds.toFixed(0)} s (${label(load1.items / load1.seconds)} items/s)`);
    await child.call('drain');
    // a first audit, untimed: the runtime's code paths compiled and its heap grown to its working size
    // before either measured audit (the memory figures compare warm processes)
    await audit(SMALL, 'warm-up');
    const audit1 = await audit(SMALL);

    // 2. the whole city, and its audit
    progress(`loading ${label(UNITS - smallUnits)} more units, ${label(ACCOUNTS - SMALL)} accounts`);
    const load2 = await loadCity(smallUnits, UNITS);
    progress(`loaded ${label(load2.items)} items in ${load2.seconds.toFixed(0)} s (${label(load2.items / load2.seconds)} items/s)`);
    await child.call('drain');
    const audit2 = await audit(ACCOUNTS);

    // 3. the store's limit, on the store at full size: raw transactions of the posting's shape, in a
    // key space of their own (the same items and indexes, their keys prefixed RAW: the city never sees them)
    const rawKey = (v: unknown) => (typeof v === 'string' ? `RAW${v}` : v);
    const rawItem = (item: TxItem): TxItem => {
      if (item.Put) {
        const it = { ...item.Put.Item! };
        for (const k of ['pk', 'gsi1pk', 'gsi2pk']) if (k in it) it[k] = rawKey(it[k]);
        return { Put: { ...item.Put, Item: it } };
      }
      if (item.Update) return { Update: { ...item.Update, Key: { ...item.Update.Key!, pk: rawKey(item.Update.Key!.pk) } } };
      throw new Error('unexpected item');
    };
    const RAW_ACCOUNTS = RAW_TRANSACTIONS_PER_LEVEL * LINES_PER_CHUNK;
    const rawIds = uniqueResidentIds(RAW_ACCOUNTS);
    let raw: Account[] = [];
    const rawLoad: TableWrite[] = [];
    for (let j = 0; j < RAW_ACCOUNTS; j++) {
      const opened = openAccountItems({ accountNo: numbers.next(), idNumber: rawIds[j], name: '基准', kind: 'EMPLOYEE', unitId: 'URAW', branch: BRANCHES[Math.floor(j / LINES_PER_CHUNK) % BRANCHES.length], status: 'NORMAL', monthlyBaseFen: 800_000, employerRatePercent: 12, employeeRatePercent: 12, monthlyAmountFen: 192_000, openedOn });
      const w = ledgerWrite([{ account: opened.account, postings: [{ amountFen: 100_000, type: 'DEPOSIT', ref: 'raw', valueDate: openedOn }] }]);
      for (const item of w.items) if (item.Put) rawLoad.push({ table: L, request: { PutRequest: { Item: rawItem(item).Put!.Item! } } });
      raw.push({ ...w.accounts[0], rev: 1 });
    }
    await batchWriteTables(rawLoad, LOAD_CONCURRENCY);
    /** One level: every raw account posted once, 40 a transaction; postings/s. */
    const rawLevel = async (concurrency: number, tag: string) => {
      const next: Account[] = [];
      const transactions = chunked(raw, LINES_PER_CHUNK).map((group, t) => {
        const w = ledgerWrite(group.map((account) => ({ account, postings: [{ amountFen: 192_000, type: 'REMITTANCE' as const, ref: `RAW-${tag}`, period: WAVE, valueDate: today }], changes: { lastPaidPeriod: WAVE } })));
        w.accounts.forEach((a, k) => next.push({ ...a, rev: (group[k].rev ?? 0) + 1 }));
        const rem = { pk: `RAWREM#${tag}#${t}`, sk: 'REM' };
        return [
          ...w.items.map(rawItem),
          { Update: { TableName: DEP, Key: { pk: rem.pk, sk: 'C#0001' }, UpdateExpression: 'SET #s = :p', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':p': 'POSTED' } } },
          { Update: { TableName: DEP, Key: rem, UpdateExpression: 'ADD postedChunks :one, postedCount :n', ExpressionAttributeValues: { ':one': 1, ':n': group.length } } },
        ] satisfies TxItem[];
      });
      const seconds = await writeTransactions(transactions, concurrency);
      raw = next;
      return { rate: RAW_ACCOUNTS / seconds, items: transactions[0].length };
    };
    memory.start('limit');
    await rawLevel(2, 'warm'); // untimed: the engine's paths for this shape compiled
    const levels: { concurrency: number; rate: number }[] = [];
    let rawItems = 0;
    for (const c of RAW_CONCURRENCIES) {
      const l = await rawLevel(c, `c${c}`);
      rawItems = l.items;
      levels.push({ concurrency: c, rate: l.rate });
    }
    const limitCpu = memory.stop();
    const limit = Math.max(...levels.map((l) => l.rate));
    const best = levels.find((l) => l.rate === limit)!;
    progress(`the store's limit: ${levels.map((l) => `c=${l.concurrency} ${label(l.rate)}/s`).join(', ')}`);

    // 4. the remittance wave: every unit pays its month at the bank, the bank's notice settles it
    progress(`the wave: ${label(UNITS)} arrival notices, ${label(ACCOUNTS)} postings`);
    memory.start('wave');
    const waveStart = performance.now();
    const unmatched: string[] = [];
    await pool(waveRemittances, ARRIVALS_IN_FLIGHT, async (r) => {
      const res = await fetch(`${child.url}/_local/bank/arrivals`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ amount: fenToYuan(r.totalFen), reference: r.remittanceId, payerName: '城市基准单位', payerAccount: '6222000011112222' }) });
      const out = (await res.json()) as { centerStatus?: number; centerAnswer?: { matched?: { kind: string; id: string } | null } };
      if (res.status !== 200 || out.centerStatus !== 200 || out.centerAnswer?.matched?.id !== r.remittanceId) unmatched.push(`${r.remittanceId}: ${res.status} ${JSON.stringify(out).slice(0, 200)}`);
    });
    const noticesSeconds = (performance.now() - waveStart) / 1000;
    await child.call('drain');
    const waveSeconds = (performance.now() - waveStart) / 1000;
    memory.stop();
    const remittances = await pool(waveRemittances, 16, (r) => depositsStore.getRemittance(r.remittanceId));
    const postedRemittances = remittances.filter((r) => r?.status === 'POSTED').length;
    const postedLines = remittances.reduce((s, r) => s + (r?.postedCount ?? 0), 0);
    for (let u = 0; u < UNITS; u++) {
      const first = firstAccountOf(u);
      for (let i = first; i < firstAccountOf(u + 1); i++) {
        balanceFen[i] += lineFen(linesOf([{ accountNo: accountNos[i], monthlyBaseFen: baseOf(i) }], rates)[0]);
        entries[i] += 1;
      }
    }
    const waveRate = ACCOUNTS / waveSeconds;
    progress(`the wave: ${waveSeconds.toFixed(0)} s (${label(waveRate)} postings/s; notices answered in ${noticesSeconds.toFixed(0)} s), ${postedRemittances}/${UNITS} POSTED`);

    // 5. interest settlement without a freeze: withdrawals at a steady rate before, during and after the run
    const withdrawals: { startedAt: number; ms: number; ok: boolean }[] = [];
    const refused: string[] = [];
    const paidDuringRace = new Map<number, { fen: number; count: number }>();
    let sampleWithdrawalId: string | undefined;
    let streaming = true;
    const inFlight = new Set<Promise<void>>();
    const withdrawOnce = async () => {
      const i = randomInt(0, ACCOUNTS);
      const amountFen = randomInt(100, 5_001);
      const token = await mintToken({ sub: `member-${accountNos[i]}`, role: 'member', accountNo: accountNos[i] });
      const startedAt = performance.now();
      const r = await api('POST', '/v1/withdrawals', token, { accountNo: accountNos[i], reason: 'RENT', amount: fenToYuan(amountFen), payeeBankAccount: PAYEE, evidence: { housingKind: 'COMMERCIAL', noHouseCertificateNo: `CITY-NH-${i}` } });
      const ok = r.status === 201 && r.body.status === 'PAID';
      withdrawals.push({ startedAt, ms: performance.now() - startedAt, ok });
      if (!ok) refused.push(`${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
      else {
        sampleWithdrawalId ??= r.body.withdrawalId;
        const p = paidDuringRace.get(i) ?? { fen: 0, count: 0 };
        paidDuringRace.set(i, { fen: p.fen + yuanToFen(r.body.amount), count: p.count + 1 });
      }
    };
    const stream = (async () => {
      const interval = 1000 / WITHDRAWALS_PER_S;
      let due = performance.now();
      while (streaming) {
        if (inFlight.size < 32) {
          const p: Promise<void> = withdrawOnce().catch((e: Error) => void refused.push(e.message)).finally(() => inFlight.delete(p));
          inFlight.add(p);
        }
        due += interval;
        await new Promise((ok) => setTimeout(ok, Math.max(0, due - performance.now())));
      }
      await Promise.all(inFlight);
    })();
    progress(`withdrawals at ${WITHDRAWALS_PER_S}/s for ${BEFORE_SECONDS} s before the run`);
    await new Promise((ok) => setTimeout(ok, BEFORE_SECONDS * 1000));
    memory.start('interest');
    const runStart = performance.now();
    const started = await api('POST', '/v1/interest-settlements', admin, { year: YEAR });
    if (started.status !== 202) throw new Error(`interest run: ${started.status} ${JSON.stringify(started.body)}`);
    progress(`interest run ${started.body.runId} over ${label(ACCOUNTS)} accounts`);
    const run = await pollRun(`/v1/interest-settlements/${started.body.runId}`, 'interest run');
    const runSeconds = (performance.now() - runStart) / 1000;
    memory.stop();
    const runEnd = performance.now();
    await new Promise((ok) => setTimeout(ok, 5000)); // a few after the run
    streaming = false;
    await stream;
    await child.call('drain');
    progress(`interest run ${run.status} in ${runSeconds.toFixed(0)} s; ${withdrawals.length} withdrawals, ${refused.length} refused`);
    const before = withdrawals.filter((w) => w.ok && w.startedAt < runStart).map((w) => w.ms);
    const during = withdrawals.filter((w) => w.ok && w.startedAt >= runStart && w.startedAt + w.ms <= runEnd).map((w) => w.ms);
    const p99Before = percentile(before, 0.99);
    const p99During = percentile(during, 0.99);

    // the books, read back: every account once (balance, entry count, the year settled), the totals
    progress('reading every account back');
    const expectedInterest = interestFen.reduce((s, f) => s + f, 0);
    const credited = interestFen.filter((f) => f > 0).length;
    for (const [i, p] of paidDuringRace) {
      balanceFen[i] -= p.fen;
      entries[i] += p.count;
    }
    let exact = 0;
    const wrong: string[] = [];
    const sums = new Map<string, { balanceFen: number; entries: number }>();
    let seen = 0;
    await pool(
      Array.from({ length: SEGMENTS }, (_x, s) => s),
      8,
      async (segment) => {
        let cursor: string | undefined;
        do {
          const page = await listAccountsOfSegment(segment, 1000, cursor);
          for (const a of page.items) {
            const i = indexOf.get(a.accountNo);
            if (i === undefined) continue;
            seen++;
            const s = sums.get(a.branch) ?? { balanceFen: 0, entries: 0 };
            sums.set(a.branch, { balanceFen: s.balanceFen + a.balanceFen, entries: s.entries + a.version });
            const ok = a.balanceFen === balanceFen[i] + interestFen[i] && a.version === entries[i] + (interestFen[i] > 0 ? 1 : 0) && a.unsettledAccruals?.[String(YEAR)] === undefined && (a.accrualYear > YEAR);
            if (ok) exact++;
            else if (wrong.length < 3) wrong.push(`${a.accountNo}: balance ${a.balanceFen} (expected ${balanceFen[i] + interestFen[i]}), version ${a.version} (expected ${entries[i] + 1})`);
          }
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
      },
    );
    const totals = await Promise.all(BRANCHES.map(async (b) => ({ b, t: await controlTotals([b]) })));
    const reconciled = totals.filter(({ b, t }) => t.balanceFen === sums.get(b)?.balanceFen && t.entries === sums.get(b)?.entries).length;
    const interestByTotals = totals.reduce((s, { t }) => s + (t.byTypeFen.INTEREST ?? 0), 0);

    // the items' sizes, read back (docs/scale.md prices writes by them): 1 WCU per KB written, 1 RCU per 4 KB read
    const { GetCommand, QueryCommand } = await import('@aws-sdk/lib-dynamodb');
    const first = async (table: string, pk: string, prefix?: string) =>
      (await ddb.send(new QueryCommand({ TableName: table, KeyConditionExpression: prefix ? 'pk = :p AND begins_with(sk, :s)' : 'pk = :p', ExpressionAttributeValues: prefix ? { ':p': pk, ':s': prefix } : { ':p': pk }, Limit: 1 }))).Items?.[0];
    const sampleNo = accountNos[3]; // a renter: the largest accounts
    const wave0 = waveRemittances[0].remittanceId;
    const samples: [string, Record<string, unknown> | undefined][] = [
      ['account', (await ddb.send(new GetCommand({ TableName: L, Key: { pk: `ACC#${sampleNo}`, sk: 'ACCOUNT' } }))).Item],
      ['entry', await first(L, `ACC#${sampleNo}`, 'E#')],
      ['interest guard', await first(L, `ACC#${sampleNo}`, 'K#')],
      ['control-total shard', await first(L, `CTL#${BRANCHES[0]}`)],
      ['period-flow shard', await first(L, `FLOW#${periodOf(today)}`)],
      ['remittance', await first(DEP, `REM#${wave0}`, 'REM')],
      ['remittance chunk (40 lines)', await first(DEP, `REM#${wave0}`, 'C#')],
      ['employment', await first(DEP, `UNIT#${unitIds[0]}`, 'EMP#')],
      ['withdrawal (rent, paid by a payment order)', sampleWithdrawalId ? (await ddb.send(new GetCommand({ TableName: WD, Key: { pk: `W#${sampleWithdrawalId}`, sk: 'W' } }))).Item : undefined],
      ['archive record', await first(ARC, `ARC#REMITTANCE#${wave0}`)],
    ];
    const itemSizes = samples.filter(([, item]) => item).map(([name, item]) => `${name} ${itemBytes(item)} B`);

    // ---------- the table ----------
    const ratio = (rate: number) => `${(rate / limit).toFixed(2)}× the limit`;
    const peak = (phase: string) => memory.phases.get(phase) ?? { runtimeKb: 0, storeKb: 0, cpu: { bench: 0, runtime: 0, store: 0 }, wall: 0 };
    const auditRatio = audit2.seconds / audit1.seconds;
    const cpuPer = (phase: string, n: number) => `${((peak(phase).cpu.runtime * 1e3) / n).toFixed(2)} ms / ${((peak(phase).cpu.store * 1e3) / n).toFixed(2)} ms`;
    const memRatio = peak(`audit ${ACCOUNTS}`).runtimeKb / peak(`audit ${SMALL}`).runtimeKb;
    rows.push(
      { name: `the city: ${label(UNITS)} units in ${BRANCHES.length} branches, ${label(ACCOUNTS)} accounts, ${HISTORY_MONTHS} months of history (${periods[0]} … ${periods.at(-1)}), rents and purchases`, value: `${label(load1.items + load2.items)} items`, target: 'informational', met: null },
      { name: `load (BatchWriteItem, ${LOAD_CONCURRENCY} in flight): ${label(SMALL)} accounts, then ${label(ACCOUNTS - SMALL)} more`, value: `${load1.seconds.toFixed(0)} s + ${load2.seconds.toFixed(0)} s, ${label((load1.items + load2.items) / (load1.seconds + load2.seconds))} items/s`, target: 'informational', met: null },
      { name: `the store's limit: raw TransactWriteItems of the posting's shape (${rawItems} items per ${LINES_PER_CHUNK} accounts) at concurrency ${RAW_CONCURRENCIES.join(', ')}`, value: levels.map((l) => `${label(l.rate)}`).join(' / ') + ' postings/s', target: 'reference', met: null },
      { name: `the limit: the best (concurrency ${best.concurrency})`, value: `${label(limit)} postings/s (${label((limit * rawItems) / LINES_PER_CHUNK)} items/s)`, target: 'reference', met: null },
      { name: `remittance wave: ${label(UNITS)} arrival notices (${ARRIVALS_IN_FLIGHT} in flight) → ${label(ACCOUNTS)} accounts credited, pollers ${POLLERS}`, value: `${waveSeconds.toFixed(0)} s, ${label(waveRate)} postings/s = ${ratio(waveRate)}`, target: `≥ ${TARGET_WAVE_RATIO}× the limit`, met: waveRate / limit >= TARGET_WAVE_RATIO },
      { name: 'remittance wave: notices matched / remittances POSTED / lines posted', value: `${UNITS - unmatched.length} / ${postedRemittances} / ${label(postedLines)}`, target: `${UNITS} / ${UNITS} / ${label(ACCOUNTS)}`, met: unmatched.length === 0 && postedRemittances === UNITS && postedLines === ACCOUNTS },
      { name: `interest settlement ${YEAR} (202 → COMPLETED) over ${label(ACCOUNTS)} accounts, withdrawals racing it`, value: `${runSeconds.toFixed(0)} s, ${label(ACCOUNTS / runSeconds)} accounts/s = ${ratio(ACCOUNTS / runSeconds)}`, target: `≤ ${TARGET_INTEREST_SECONDS} s`, met: run.status === 'COMPLETED' && runSeconds <= TARGET_INTEREST_SECONDS },
      { name: 'interest: accounts exact (balance = history + wave + interest − withdrawals; entries + 1; year settled)', value: `${label(exact)} / ${label(seen)}`, target: `${label(ACCOUNTS)} / ${label(ACCOUNTS)}`, met: exact === ACCOUNTS && seen === ACCOUNTS },
      { name: 'interest: the run\'s accounts and total / the control totals\' INTEREST', value: `${label(run.accounts)}, ${run.totalInterest} / ${fenToYuan(interestByTotals)}`, target: `${label(credited)}, ${fenToYuan(expectedInterest)}`, met: run.accounts === credited && yuanToFen(run.totalInterest) === expectedInterest && interestByTotals === expectedInterest },
      { name: 'interest: reconciliation (per branch Σ balances and Σ entries = control totals)', value: `${reconciled} / ${BRANCHES.length} branches`, target: `${BRANCHES.length} / ${BRANCHES.length}`, met: reconciled === BRANCHES.length },
      { name: `withdrawals (rent, ${WITHDRAWALS_PER_S}/s through the API): p99 before the run / during it (n = ${before.length} / ${during.length})`, value: `${p99Before.toFixed(0)} ms / ${p99During.toFixed(0)} ms = ${(p99During / p99Before).toFixed(2)}×`, target: `≤ ${TARGET_P99_RATIO}×`, met: p99During / p99Before <= TARGET_P99_RATIO },
      { name: 'withdrawals: p50 before / during; refused', value: `${percentile(before, 0.5).toFixed(0)} ms / ${percentile(during, 0.5).toFixed(0)} ms; ${refused.length}`, target: '0 refused', met: refused.length === 0 },
      { name: `daily audit over ${label(SMALL)} accounts: time, findings`, value: `${audit1.seconds.toFixed(0)} s (${label(SMALL / audit1.seconds)} accounts/s = ${ratio(SMALL / audit1.seconds)}), ${audit1.findings}`, target: '0 findings', met: audit1.findings === 0 && audit1.accounts === SMALL },
      { name: `daily audit over ${label(ACCOUNTS)} accounts: time, findings`, value: `${audit2.seconds.toFixed(0)} s (${label(ACCOUNTS / audit2.seconds)} accounts/s = ${ratio(ACCOUNTS / audit2.seconds)}), ${audit2.findings}`, target: '0 findings', met: audit2.findings === 0 && audit2.accounts === ACCOUNTS },
      { name: `daily audit: time ratio ${label(ACCOUNTS)} / ${label(SMALL)} accounts`, value: `${auditRatio.toFixed(2)}×`, target: `≤ ${TARGET_AUDIT_RATIO}×`, met: auditRatio <= TARGET_AUDIT_RATIO },
      { name: `memory: the runtime's peak RSS during the audit at ${label(SMALL)} / ${label(ACCOUNTS)} accounts`, value: `${mb(peak(`audit ${SMALL}`).runtimeKb)} / ${mb(peak(`audit ${ACCOUNTS}`).runtimeKb)} = ${memRatio.toFixed(2)}×`, target: `≤ ${TARGET_MEMORY_RATIO}× (does not grow)`, met: memRatio <= TARGET_MEMORY_RATIO },
      { name: `memory: the runtime's peak RSS during the wave / the interest run (${label(ACCOUNTS)} accounts)`, value: `${mb(peak('wave').runtimeKb)} / ${mb(peak('interest').runtimeKb)}`, target: 'informational', met: null },
      { name: `memory: DynamoDB Local's JVM (the store) at ${label(SMALL)} / ${label(ACCOUNTS)} accounts`, value: `${mb(peak(`audit ${SMALL}`).storeKb)} / ${mb(Math.max(peak(`audit ${ACCOUNTS}`).storeKb, peak('interest').storeKb))}`, target: 'informational (holds the data)', met: null },
      { name: 'item sizes (read back)', value: itemSizes.join(', '), target: 'informational (docs/scale.md)', met: null },
      { name: 'CPU per posting in the wave: the runtime (handlers, queue, gateway) / the store', value: cpuPer('wave', ACCOUNTS), target: 'informational (docs/scale.md)', met: null },
      { name: 'CPU per account in the interest run (withdrawals included): the runtime / the store', value: cpuPer('interest', ACCOUNTS), target: 'informational (docs/scale.md)', met: null },
      { name: `CPU per account in the audit at ${label(ACCOUNTS)} accounts: the runtime / the store`, value: cpuPer(`audit ${ACCOUNTS}`, ACCOUNTS), target: 'informational (docs/scale.md)', met: null },
      { name: 'CPU of the load: this process (building the items) / the store, per item', value: `${((load1.cpu.bench + load2.cpu.bench) * 1e3 / (load1.items + load2.items)).toFixed(2)} ms / ${((load1.cpu.store + load2.cpu.store) * 1e3 / (load1.items + load2.items)).toFixed(2)} ms`, target: 'informational', met: null },
      { name: `CPU of the raw limit: this process / the store, per posting`, value: `${(limitCpu.cpu.bench * 1e3 / (RAW_ACCOUNTS * (RAW_CONCURRENCIES.length + 1))).toFixed(2)} ms / ${(limitCpu.cpu.store * 1e3 / (RAW_ACCOUNTS * (RAW_CONCURRENCIES.length + 1))).toFixed(2)} ms`, target: 'informational', met: null },
      ...[...unmatched, ...refused, ...wrong].slice(0, 3).map((p) => ({ name: `problem: ${p.slice(0, 200)}`, value: '—', target: '—', met: false })),
    );
    return rows;
  } finally {
    memory.close();
    const exited = new Promise((ok) => child.proc.once('exit', ok));
    await child.call('stop').catch(() => {});
    await Promise.race([exited, new Promise((ok) => setTimeout(ok, 10_000))]);
    if (child.proc.exitCode === null) child.proc.kill();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  printTable(`A city's year (${label(UNITS)} units, ${label(ACCOUNTS)} accounts)`, await runCityBench());
  process.exit(0);
}
