// A month's arrival notices (到账通知, issue 16 "What it must show"): 3,000 units, one notice each,
// each naming its AWAITING_FUNDS remittance with its amount, processed through POST
// /v1/bank/notifications signed as the bank (the runtime's bank simulator sends them: its `arrive`, the
// same code behind POST /_local/bank/arrivals) — vs the settlement of as many units' remittances
// through the staff route POST /v1/remittances/{id}/settlements, in the same run, at the same client
// concurrency, on the same DynamoDB Local. Both are timed twice: until every request was answered
// (notice 200 matched / settlement 202), and until the postings are done (every queue drained: the
// remittance-posting worker credited the employees). Then, untimed: every remittance is POSTED and
// every employee's account was credited exactly once (balance one month's amount, one version).
//
// The machine is shared and its load drifts: each path runs in two halves, alternating (arrivals,
// staff, arrivals, staff), and the halves are summed. DynamoDB Local is a Java program whose hot paths
// compile during the first thousands of operations: a warm-up of both paths (untimed) runs first.
//
// Parameters (environment): HPF_BENCH_UNITS (default 3000, per path), HPF_BENCH_EMPLOYEES per unit
// (default 1), HPF_BENCH_CONCURRENCY requests in flight (default 8).
// Run: npm run bench -- arrivals   (or: HPF_BENCH_UNITS=300 npx tsx test/bench/arrivals.bench.ts)
import { randomUUID } from 'node:crypto';
import { inPool } from '../../shared/pool.ts';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startLocalRuntime } from '../../infra/local/runtime.ts';
import { freePort } from '../../infra/local/ports.ts';
import { mintToken } from '../../infra/local/jwt.ts';
import { printTable, type BenchRow } from './types.ts';

export type { BenchRow };

const intEnv = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer`);
  return v;
};
const UNITS = intEnv('HPF_BENCH_UNITS', 3000);
const EMPLOYEES = intEnv('HPF_BENCH_EMPLOYEES', 1);
const CONCURRENCY = intEnv('HPF_BENCH_CONCURRENCY', 8);
const WARM_UP_UNITS = Math.min(200, Math.max(10, Math.floor(UNITS / 10)));
const PERIOD = '2025-06';
const MONTHLY_FEN = 192_000; // base 8,000.00 × (12% + 12%): what openEmployees gives each employee


interface Prepared {
  remittanceId: string;
  amount: string;
  accountNos: string[];
}

export async function runArrivalsBench(): Promise<BenchRow[]> {
  process.env.LOG_LEVEL ??= 'silent';
  const runtime = await startLocalRuntime({ port: await freePort(), scheduler: false });
  try {
    const sim = runtime.bank;
    if (!sim) throw new Error('the runtime has no bank simulator');
    // imported only now: the AWS clients bind the runtime's endpoints at load
    const { getAccounts } = await import('../../shared/ledger/ledger.ts');
    const { creditCodeOf, cryptoRandom } = await import('../../infra/local/random.ts');
    const { openEmployees } = await import('../integration/deposits-bulk.ts');

    const branch = `BENCHARR${Date.now().toString(36)}`.slice(0, 32);
    const staff = await mintToken({ sub: 'bench-staff', role: 'staff', branch });
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${runtime.url}${path}`, { method, headers: { authorization: `Bearer ${staff}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as any };
    };
    const creditCodes = new Set<string>();
    const creditCode = () => {
      for (;;) {
        const cc = creditCodeOf(cryptoRandom(), '91330106');
        if (!creditCodes.has(cc)) return creditCodes.add(cc), cc;
      }
    };
    /** `n` units, each with EMPLOYEES employees and its AWAITING_FUNDS remittance of PERIOD. */
    const prepare = (n: number): Promise<Prepared[]> =>
      inPool(Array.from({ length: n }), CONCURRENCY, async (_x, i) => {
        const unit = await api('POST', '/v1/units', { name: `基准到账单位${i}`, creditCode: creditCode(), branch, payDay: 10, employerRate: '12', employeeRate: '12', startPeriod: '2025-01' });
        if (unit.status !== 201) throw new Error(`unit: ${JSON.stringify(unit.body)}`);
        const accountNos = await openEmployees(unit.body.unitId, branch, EMPLOYEES);
        const rem = await api('POST', `/v1/units/${unit.body.unitId}/remittances`, { period: PERIOD });
        if (rem.status !== 201 || rem.body.status !== 'AWAITING_FUNDS') throw new Error(`remittance: ${JSON.stringify(rem.body)}`);
        return { remittanceId: rem.body.remittanceId as string, amount: rem.body.totalAmount as string, accountNos };
      });

    const unmatched: string[] = [];
    /** Each unit pays at the bank: the simulator's signed arrival notice, the center's answer awaited. */
    const byArrival = (units: readonly Prepared[]) =>
      inPool(units, CONCURRENCY, async (u) => {
        const r = await sim.arrive({ amount: u.amount, reference: u.remittanceId, payerName: '基准到账单位', payerAccount: '6222000011112222' });
        const matched = (r.body as { matched?: { kind: string; id: string } | null } | undefined)?.matched;
        if (r.status !== 200 || matched?.kind !== 'REMITTANCE' || matched.id !== u.remittanceId) unmatched.push(`${u.remittanceId}: ${r.status} ${JSON.stringify(r.body)}`);
      });
    const refused: string[] = [];
    /** A clerk types each bank confirmation: the staff settlement route. */
    const byStaff = (units: readonly Prepared[]) =>
      inPool(units, CONCURRENCY, async (u) => {
        const r = await api('POST', `/v1/remittances/${u.remittanceId}/settlements`, { amount: u.amount, bankRef: `BENCH-${u.remittanceId.slice(-8)}` });
        if (r.status !== 202) refused.push(`${u.remittanceId}: ${r.status} ${JSON.stringify(r.body)}`);
      });
    /** Seconds until answered, and until every posting is done (queues drained). */
    const timed = async (go: () => Promise<unknown>) => {
      const t0 = performance.now();
      await go();
      const answered = (performance.now() - t0) / 1000;
      await runtime.drain();
      return { answered, posted: (performance.now() - t0) / 1000 };
    };

    const progress = (what: string) => console.error(`[arrivals bench ${new Date().toISOString().slice(11, 19)}] ${what}`);
    // set-up (untimed): warm-up units of both paths, then the measured ones
    progress(`preparing ${2 * (WARM_UP_UNITS + UNITS)} units with their remittances`);
    const warmA = await prepare(WARM_UP_UNITS);
    const warmS = await prepare(WARM_UP_UNITS);
    const arrivals = await prepare(UNITS);
    const clerks = await prepare(UNITS);
    await runtime.drain();
    progress('warm-up');
    await timed(() => byArrival(warmA));
    await timed(() => byStaff(warmS));
    progress('measuring');

    const half = Math.ceil(UNITS / 2);
    const a1 = await timed(() => byArrival(arrivals.slice(0, half)));
    const s1 = await timed(() => byStaff(clerks.slice(0, half)));
    const a2 = await timed(() => byArrival(arrivals.slice(half)));
    const s2 = await timed(() => byStaff(clerks.slice(half)));
    const A = { answered: a1.answered + a2.answered, posted: a1.posted + a2.posted };
    const S = { answered: s1.answered + s2.answered, posted: s1.posted + s2.posted };

    progress('checking');
    // checks (untimed): every remittance POSTED, every employee credited exactly once
    const statuses = await inPool([...arrivals, ...clerks], CONCURRENCY, async (u) => (await api('GET', `/v1/remittances/${u.remittanceId}`)).body.status as string);
    const postedA = statuses.slice(0, UNITS).filter((s) => s === 'POSTED').length;
    const postedS = statuses.slice(UNITS).filter((s) => s === 'POSTED').length;
    const creditedOnce = async (units: readonly Prepared[]) => {
      const accounts = await getAccounts(units.flatMap((u) => u.accountNos));
      return [...accounts.values()].filter((a) => a.balanceFen === MONTHLY_FEN && a.version === 1).length;
    };
    const onceA = await creditedOnce(arrivals);
    const onceS = await creditedOnce(clerks);
    const people = UNITS * EMPLOYEES;

    const rate = (s: number) => `${(UNITS / s).toFixed(0)} /s`;
    const setting = `${UNITS} units × ${EMPLOYEES} employee${EMPLOYEES > 1 ? 's' : ''}, ${CONCURRENCY} in flight`;
    return [
      { name: `arrival notices answered (200, remittance settled), ${setting}`, value: `${rate(A.answered)} (${A.answered.toFixed(1)} s)`, target: 'informational', met: null },
      { name: 'staff settlements answered (202), the same', value: `${rate(S.answered)} (${S.answered.toFixed(1)} s)`, target: 'informational', met: null },
      { name: 'ratio notices / staff settlements, answered', value: (S.answered / A.answered).toFixed(2), target: 'informational', met: null },
      { name: 'arrival notices through posting (employees credited)', value: `${rate(A.posted)} (${A.posted.toFixed(1)} s)`, target: 'informational', met: null },
      { name: 'staff settlements through posting', value: `${rate(S.posted)} (${S.posted.toFixed(1)} s)`, target: 'informational', met: null },
      { name: 'ratio notices / staff settlements, through posting', value: (S.posted / A.posted).toFixed(2), target: 'informational', met: null },
      { name: 'notices matched to their remittance', value: `${UNITS - unmatched.length} / ${UNITS}`, target: `${UNITS} / ${UNITS}`, met: unmatched.length === 0 },
      { name: 'staff settlements accepted', value: `${UNITS - refused.length} / ${UNITS}`, target: `${UNITS} / ${UNITS}`, met: refused.length === 0 },
      { name: 'remittances POSTED: by notice / by staff', value: `${postedA} / ${postedS}`, target: `${UNITS} / ${UNITS}`, met: postedA === UNITS && postedS === UNITS },
      { name: 'employees credited exactly once: by notice / by staff', value: `${onceA} / ${onceS}`, target: `${people} / ${people}`, met: onceA === people && onceS === people },
      ...(unmatched.length || refused.length ? [{ name: `first problem: ${[...unmatched, ...refused][0]!.slice(0, 160)}`, value: '—', target: '—', met: false }] : []),
    ];
  } finally {
    await runtime.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  printTable('Arrival notices (到账通知) vs staff settlements', await runArrivalsBench());
}
