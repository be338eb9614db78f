// `npm run seed -- --units 300 --employees 30000 --months 12`: fills a RUNNING local system with demo
// data THROUGH THE API — units, employees, monthly remittances (created, settled, posted through the
// queue), some rent withdrawals and some loans — with a progress bar on stderr and a summary.
// Options: --url (default http://127.0.0.1:$PORT or 3000), --concurrency (default 16), --seed.
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import { mintToken } from './jwt.ts';
import { creditCodeCheckChar, CREDIT_CODE_CHARSET, residentIdCheckChar } from '../../shared/validators.ts';
import { addMonths, businessDate, periodOf } from '../../shared/clock.ts';
import { fenToYuan, yuanToFen } from '../../shared/money.ts';

export interface SeedOptions {
  url: string;
  units: number;
  employees: number;
  months: number;
  concurrency?: number;
  seed?: number;
  quiet?: boolean;
  /** Branches the units are spread over (default five districts). */
  branches?: readonly string[];
}

export interface SeedSummary {
  units: number;
  employees: number;
  remittances: number;
  creditedFen: number;
  withdrawals: number;
  withdrawnFen: number;
  loans: number;
  disbursedFen: number;
  seconds: number;
  indicators: Record<string, unknown>;
}

const BRANCHES = ['SC', 'JJ', 'QY', 'WJ', 'TF'];
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗';
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华';
const INDUSTRY = ['科技', '建设', '商贸', '医药', '物流', '电子', '食品', '文化', '能源', '机械'];

/** A small deterministic PRNG (mulberry32) so a seed run can be repeated. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Progress {
  private done = 0;
  private last = 0;
  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly quiet: boolean,
  ) {
    this.draw(true);
  }
  tick(n = 1) {
    this.done += n;
    this.draw(this.done >= this.total);
  }
  private draw(force: boolean) {
    if (this.quiet || (!force && Date.now() - this.last < 200)) return;
    this.last = Date.now();
    const width = 30;
    const filled = this.total ? Math.round((this.done / this.total) * width) : width;
    process.stderr.write(`\r${this.label.padEnd(12)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.done}/${this.total}${this.done >= this.total ? '\n' : ''}`);
  }
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

export async function runSeed(o: SeedOptions): Promise<SeedSummary> {
  const started = Date.now();
  const random = rng(o.seed ?? 20261127);
  const pick = <T>(xs: readonly T[] | string) => xs[Math.floor(random() * xs.length)] as T;
  const limit = o.concurrency ?? 16;
  const quiet = !!o.quiet;
  const run = randomUUID().slice(0, 8);

  async function api(method: string, path: string, token: string, body?: unknown, expect: number[] = [200, 201, 202]) {
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(`${o.url}${path}`, {
        method,
        // the key is derived from the request: a retry of the same request is the same key
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(method === 'POST' ? { 'idempotency-key': `seed-${run}-${requestHash(method, path, body)}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      const json = text ? JSON.parse(text) : undefined;
      if (expect.includes(res.status)) return json;
      if ((res.status === 409 && json?.code === 'CONFLICT' && /concurrent|并发/.test(json.detail)) || res.status >= 500) {
        if (attempt < 5) continue; // a lost race or a transient fault: the same key retries safely
      }
      throw new Error(`${method} ${path} → ${res.status} ${text.slice(0, 300)}`);
    }
  }
  const requestHash = (method: string, path: string, body: unknown) => createHash('sha256').update(`${method} ${path} ${JSON.stringify(body ?? null)}`).digest('hex').slice(0, 32);

  const city = await mintToken({ sub: `seed-${run}`, role: 'staff', branch: '*' });
  const auditor = await mintToken({ sub: `seed-auditor-${run}`, role: 'auditor' });
  const current = periodOf(businessDate());
  const startPeriod = addMonths(current, -o.months);

  // 1. units
  const unitBar = new Progress('units', o.units, quiet);
  const units = await pool(Array.from({ length: o.units }, (_x, i) => i), limit, async (i) => {
    const first17 = `91${String(330100 + (i % 9)).padStart(6, '0')}${Array.from({ length: 9 }, () => pick(CREDIT_CODE_CHARSET.slice(0, 10) + 'ABCDEFGH')).join('')}`;
    const body = {
      name: `杭州${pick(INDUSTRY)}${pick(GIVEN)}${pick(GIVEN)}有限公司${i + 1}`,
      creditCode: first17 + creditCodeCheckChar(first17),
      branch: (o.branches ?? BRANCHES)[i % (o.branches ?? BRANCHES).length],
      payDay: 1 + (i % 28),
      employerRate: String(5 + Math.floor(random() * 8)),
      employeeRate: String(5 + Math.floor(random() * 8)),
      startPeriod,
    };
    const unit = await api('POST', '/v1/units', city, body, [201, 409]);
    unitBar.tick();
    return unit?.unitId ? { unitId: unit.unitId as string, branch: body.branch } : undefined;
  });
  const liveUnits = units.filter((u): u is { unitId: string; branch: string } => !!u);

  // 2. employees
  const empBar = new Progress('employees', o.employees, quiet);
  const employees = await pool(Array.from({ length: o.employees }, (_x, i) => i), limit, async (i) => {
    const unit = liveUnits[i % liveUnits.length];
    const year = 1965 + Math.floor(random() * 38);
    const birth = `${year}${String(1 + Math.floor(random() * 12)).padStart(2, '0')}${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`;
    const first17 = `330106${birth}${String(Math.floor(random() * 1000)).padStart(3, '0')}`;
    const baseYuan = 2000 + Math.floor(random() * 14000);
    const body = { idNumber: first17 + residentIdCheckChar(first17), name: `${pick(SURNAMES)}${pick(GIVEN)}${random() < 0.5 ? pick(GIVEN) : ''}`, monthlyBase: `${baseYuan}.00`, startPeriod };
    const res = await api('POST', `/v1/units/${unit.unitId}/employees`, city, body, [201, 409]);
    empBar.tick();
    return res?.accountNo ? { accountNo: res.accountNo as string, unit } : undefined;
  });
  const liveEmployees = employees.filter((e): e is NonNullable<typeof e> => !!e);

  // 3. remittances for each past month: created, settled (bank confirmed), posted through the queue
  const periods = Array.from({ length: o.months }, (_x, i) => addMonths(startPeriod, i));
  const jobs = periods.flatMap((period) => liveUnits.map((unit) => ({ unit, period })));
  const remBar = new Progress('remittances', jobs.length, quiet);
  let creditedFen = 0;
  const remittanceIds: string[] = [];
  for (const period of periods) {
    // one month at a time, oldest first, so that each unit's periods are remitted in order
    const monthJobs = jobs.filter((j) => j.period === period);
    await pool(monthJobs, limit, async ({ unit }) => {
      const rem = await api('POST', `/v1/units/${unit.unitId}/remittances`, city, { period }, [201, 409]);
      if (rem?.remittanceId && rem.headcount > 0) {
        await api('POST', `/v1/remittances/${rem.remittanceId}/settlements`, city, { amount: rem.totalAmount, bankRef: `BANK-${rem.remittanceId}` }, [202, 409]);
        creditedFen += yuanToFen(rem.totalAmount);
        remittanceIds.push(rem.remittanceId);
      }
      remBar.tick();
    });
  }
  const postBar = new Progress('posting', remittanceIds.length, quiet);
  await pool(remittanceIds, Math.min(limit, 8), async (id) => {
    for (;;) {
      const r = await api('GET', `/v1/remittances/${id}`, city);
      if (r.status === 'POSTED') break;
      await new Promise((res) => setTimeout(res, 300));
    }
    postBar.tick();
  });

  // 4. some rent withdrawals (about 5% of members) and some loans (about 1%)
  const renters = liveEmployees.filter(() => random() < 0.05);
  const wBar = new Progress('withdrawals', renters.length, quiet);
  let withdrawnFen = 0;
  let withdrawals = 0;
  await pool(renters, limit, async (e) => {
    const member = await mintToken({ sub: `member-${e.accountNo}`, role: 'member', accountNo: e.accountNo });
    const amount = `${100 + Math.floor(random() * 900)}.00`;
    const w = await api('POST', '/v1/withdrawals', member, { accountNo: e.accountNo, reason: 'RENT', amount, payeeBankAccount: '6222020200000000', evidence: { housingKind: 'COMMERCIAL', noHouseCertificateNo: `WF-${e.accountNo}` } }, [201, 409]);
    if (w?.status === 'PAID') {
      withdrawals++;
      withdrawnFen += yuanToFen(w.amount);
    }
    wBar.tick();
  });
  const borrowers = o.months >= 6 ? liveEmployees.filter(() => random() < 0.01) : [];
  const lBar = new Progress('loans', borrowers.length, quiet);
  let loans = 0;
  let disbursedFen = 0;
  await pool(borrowers, Math.min(limit, 8), async (e) => {
    const member = await mintToken({ sub: `member-${e.accountNo}`, role: 'member', accountNo: e.accountNo });
    const staff = await mintToken({ sub: `seed-staff-${e.unit.branch}`, role: 'staff', branch: e.unit.branch });
    const quote = await api('POST', '/v1/loan-quotes', member, { accountNo: e.accountNo, housePrice: '1500000', firstHome: true, termMonths: 240, monthlyIncome: '12000', borrowerCategory: 'STANDARD', location: 'DISTRICT', repaymentMethod: 'EQUAL_INSTALLMENT' }, [200, 422]);
    const amount = quote?.maxAmount;
    if (amount && yuanToFen(amount) >= 10_000_00) {
      const loan = await api('POST', '/v1/loans', member, { accountNo: e.accountNo, housePrice: '1500000', firstHome: true, termMonths: 240, monthlyIncome: '12000', borrowerCategory: 'STANDARD', location: 'DISTRICT', repaymentMethod: 'EQUAL_INSTALLMENT', amount }, [201, 422]);
      if (loan?.loanId) {
        await api('POST', `/v1/loans/${loan.loanId}/approve`, staff, undefined, [200, 409]);
        const d = await api('POST', `/v1/loans/${loan.loanId}/disburse`, staff, { disbursedOn: businessDate() }, [200, 409]);
        if (d) {
          loans++;
          disbursedFen += yuanToFen(amount);
        }
      }
    }
    lBar.tick();
  });

  const indicators = await api('GET', '/v1/supervision/indicators', auditor);
  return {
    units: liveUnits.length,
    employees: liveEmployees.length,
    remittances: remittanceIds.length,
    creditedFen,
    withdrawals,
    withdrawnFen,
    loans,
    disbursedFen,
    seconds: Math.round((Date.now() - started) / 100) / 10,
    indicators,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      units: { type: 'string', default: '30' },
      employees: { type: 'string', default: '3000' },
      months: { type: 'string', default: '6' },
      concurrency: { type: 'string', default: '16' },
      seed: { type: 'string' },
    },
  });
  const url = values.url ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;
  const health = await fetch(`${url}/v1/health`).catch(() => undefined);
  if (!health?.ok) {
    console.error(`No HPF Cloud at ${url}: start it first (npm start), or pass --url`);
    process.exit(1);
  }
  const s = await runSeed({ url, units: Number(values.units), employees: Number(values.employees), months: Number(values.months), concurrency: Number(values.concurrency), seed: values.seed ? Number(values.seed) : undefined });
  console.log(`\nSeeded ${url} in ${s.seconds} s:
  units ${s.units}, employees ${s.employees}
  remittances ${s.remittances} posted, credited ${fenToYuan(s.creditedFen)}
  rent withdrawals ${s.withdrawals}, paid ${fenToYuan(s.withdrawnFen)}
  loans ${s.loans}, disbursed ${fenToYuan(s.disbursedFen)}
Indicators (city): ${JSON.stringify(s.indicators, null, 2)}`);
}
