// `npm run seed -- --units 300 --employees 30000 --months 12`: fills a RUNNING local system with demo
// data THROUGH ITS API, as the online channel and the center's staff would: units (names, valid credit
// codes), employees (Chinese names, valid resident IDs, bases within the policy's range), the last
// `months` remittances of every unit (created, paid at the bank simulator, posted), some withdrawals (rent, purchase) and
// some loans (quote, apply, approve, disburse) for eligible members; then prints a summary and the
// supervision indicators. Writes are POSTs with an Idempotency-Key, retried with the same key on a
// network error or a 5xx/429, so a retry never does anything twice.
//
// Options: --url (default http://127.0.0.1:$PORT, PORT default 3000), --units, --employees, --months,
// --withdrawals and --loans (counts; default 2% and 0.5% of the employees), --branches (comma-separated),
// --concurrency (requests in flight, default 16), --seed (random generator seed: the same seed draws
// the same names, bases and amounts). Tokens are minted with the local development secret
// (HPF_JWT_SECRET, as the runtime).
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { mintToken } from './jwt.ts';
import { creditCodeOf, residentIdOf, seededRandom, type Random } from './random.ts';
import { inPool } from '../../shared/pool.ts';
import { policyOn } from '../../shared/policy.ts';
import { addDays, addMonths, businessDate, periodOf } from '../../shared/clock.ts';
import { parseResidentId } from '../../shared/validators.ts';

/** Elapsed milliseconds as seconds with one decimal (a duration, not money). */
const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;
import { D, fenToYuan, roundFen, yuanToFen } from '../../shared/money.ts';

export interface SeedOptions {
  url: string;
  units: number;
  employees: number;
  months: number;
  withdrawals: number;
  loans: number;
  branches: readonly string[];
  concurrency: number;
  seed: number;
  /** Progress bars and the summary on stderr/stdout (off in tests). */
  verbose: boolean;
}

export interface SeedSummary {
  unitIds: string[];
  employees: number;
  periods: string[];
  remittances: number;
  /** Σ of the posted remittances (yuan). */
  remitted: string;
  withdrawals: { paid: number; reviewedAndPaid: number; rejected: number; amount: string };
  loans: { disbursed: number; notEligible: number; principal: string };
  seconds: Record<'units' | 'employees' | 'remittances' | 'withdrawals' | 'loans' | 'total', number>;
  indicators: unknown;
}

export const DEFAULT_BRANCHES = ['SC', 'JJ', 'QY', 'WJ', 'TF'] as const;

export function seedDefaults(employees = 30_000): Omit<SeedOptions, 'url'> {
  return { units: 300, employees, months: 12, withdrawals: Math.round(employees * 0.02), loans: Math.round(employees * 0.005), branches: DEFAULT_BRANCHES, concurrency: 16, seed: Date.now() % 2 ** 31, verbose: true };
}

// ---------- demo data ----------

/** Districts of the seed city (Chengdu): branch → district name and administrative division code. */
const DISTRICTS: Record<string, { name: string; code: string }> = {
  SC: { name: '双流', code: '510116' },
  JJ: { name: '锦江', code: '510104' },
  QY: { name: '青羊', code: '510105' },
  WJ: { name: '温江', code: '510115' },
  TF: { name: '天府', code: '510117' },
};
const CITY = { name: '成都', code: '510100' };
/** Where employees were first registered: mostly Sichuan, some from neighbouring provinces. */
const BIRTH_REGIONS = ['510104', '510105', '510106', '510107', '510108', '510112', '510113', '510114', '510115', '510116', '510121', '510181', '511002', '511102', '511302', '511502', '512002', '513401', '500101', '500103', '520102', '530102', '420106', '610113'];
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤'.split('');
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏飞宇浩欣婷雪琳晨阳帆思佳俊凯鑫瑶怡晓文斌建辉丹波宁梅蕾倩颖博林然婧睿泽轩涵琪蓉川渝锦'.split('');
const TRADE = ['科技', '信息技术', '电子', '软件', '生物医药', '食品', '建筑工程', '物流', '商贸', '餐饮管理', '文化传媒', '教育咨询', '机械制造', '汽车销售', '医疗器械', '环保科技', '旅游开发', '物业管理', '农业开发', '家具制造'];
const SUFFIX = ['有限公司', '有限责任公司', '股份有限公司', '集团有限公司'];
const PUBLIC_UNITS = ['人民医院', '第一中学', '实验小学', '街道办事处', '市场监督管理局', '图书馆', '疾病预防控制中心', '社区卫生服务中心'];
const WORD = '天府蜀锦芙蓉金沙熊猫银杏青城峨眉都江锦城蓉城西岭浣花望江龙泉'.split('');

const chineseName = (r: Random) => r.pick(SURNAMES) + r.pick(GIVEN) + (r.next() < 0.7 ? r.pick(GIVEN) : '');

function unitName(r: Random, branch: string, publicUnit: boolean): string {
  const district = DISTRICTS[branch]?.name ?? CITY.name;
  if (publicUnit) return `${CITY.name}市${district}区${r.pick(PUBLIC_UNITS)}`;
  return `${CITY.name}${r.pick(WORD)}${r.pick(WORD)}${r.pick(TRADE)}${r.pick(SUFFIX)}`;
}

/** A unified social credit code (GB 32100): 9 (industry and commerce) or 1 (public body), category, division, organisation code, check character. */
const creditCode = (r: Random, branch: string, publicUnit: boolean): string => creditCodeOf(r, `${publicUnit ? '12' : '91'}${DISTRICTS[branch]?.code ?? CITY.code}`);

/** A resident ID (GB 11643) of someone aged 22–58 on `today`. */
function residentId(r: Random, today: string): string {
  const birthDate = addDays(`${Number(today.slice(0, 4)) - r.int(22, 58)}-01-01`, r.int(0, 364));
  return residentIdOf(r, { region: r.pick(BIRTH_REGIONS), birthDate });
}

const TEN_YUAN_FEN = 1_000;

/** A monthly base drawn around the average wage (log-normal), in tens of yuan, within [floor, cap]. */
function monthlyBaseFen(r: Random, base: { floorFen: number; capFen: number; averageWageFen: number }): number {
  const tens = Math.round((base.averageWageFen / TEN_YUAN_FEN) * 0.85 * Math.exp(0.45 * r.normal()));
  return Math.min(base.capFen, Math.max(base.floorFen, tens * TEN_YUAN_FEN));
}

/** Unit sizes: a few large employers and many small ones (weights ∝ 1/rank^0.9), each ≥ 1, summing to `employees`. */
function unitSizes(units: number, employees: number): number[] {
  const weights = Array.from({ length: units }, (_, i) => 1 / (i + 1) ** 0.9);
  const total = weights.reduce((s, w) => s + w, 0);
  const sizes = weights.map((w) => 1 + Math.floor(((employees - units) * w) / total));
  for (let i = 0; sizes.reduce((s, n) => s + n, 0) < employees; i = (i + 1) % units) sizes[i]++;
  return sizes;
}

// ---------- HTTP ----------

interface Reply {
  status: number;
  body: any;
}

class Api {
  constructor(private readonly baseUrl: string) {}

  /** One request; a POST carries a fresh Idempotency-Key kept across its retries (network errors, 5xx, 429). */
  async call(method: 'GET' | 'POST', path: string, token: string, body?: unknown): Promise<Reply> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (method === 'POST') Object.assign(headers, { 'content-type': 'application/json', 'idempotency-key': randomUUID() });
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await fetch(`${this.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
        const text = await res.text();
        const reply = { status: res.status, body: text ? JSON.parse(text) : undefined };
        if ((res.status < 500 && res.status !== 429) || attempt >= 5) return reply;
      } catch (err) {
        if (attempt >= 5) throw err;
      }
      await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
    }
  }

  /**
   * A payment arriving at the local runtime's bank simulator (POST /_local/bank/arrivals): sent once,
   * never retried (each arrival is a new movement at the bank); 'NO_BANK' where there is no simulator.
   */
  async arrival(body: { amount: string; reference: string; payerName: string; payerAccount: string }): Promise<'MATCHED' | 'NO_BANK'> {
    const res = await fetch(`${this.baseUrl}/_local/bank/arrivals`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await res.text();
    if (res.status === 404) return 'NO_BANK';
    const answer = text ? JSON.parse(text) : undefined;
    if (res.status !== 200 || answer?.centerAnswer?.matched?.kind !== 'REMITTANCE') throw new Error(`arrival for ${body.reference} → ${res.status} ${text.slice(0, 300)}`);
    return 'MATCHED';
  }

  /** The reply's body, or an error naming the request when the status is not `expected`. */
  async expect(expected: number, method: 'GET' | 'POST', path: string, token: string, body?: unknown): Promise<any> {
    const reply = await this.call(method, path, token, body);
    if (reply.status !== expected) throw new Error(`${method} ${path} → ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body;
  }
}

// ---------- progress ----------

const BAR_WIDTH = 30;

/** A text progress bar on stderr: redrawn in place on a terminal, every 10% otherwise. */
class Progress {
  private done = 0;
  private shown = -1;
  private readonly t0 = performance.now();
  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly enabled: boolean,
  ) {
    this.draw();
  }

  tick(n = 1) {
    this.done += n;
    this.draw();
  }

  private draw() {
    if (!this.enabled) return;
    const fraction = this.total ? Math.min(1, this.done / this.total) : 1;
    const step = process.stderr.isTTY ? Math.floor(fraction * 200) : Math.floor(fraction * 10);
    if (step === this.shown) return;
    this.shown = step;
    const filled = Math.round(fraction * BAR_WIDTH);
    const line = `${this.label.padEnd(24)} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}% ${this.done}/${this.total} ${seconds(performance.now() - this.t0)}`;
    process.stderr.write(process.stderr.isTTY ? `\r${line}${fraction === 1 ? '\n' : ''}` : `${line}\n`);
  }
}

// ---------- the seed ----------

interface SeededUnit {
  unitId: string;
  name: string;
  branch: string;
  employees: number;
}

interface Employee {
  accountNo: string;
  idNumber: string;
  baseFen: number;
  branch: string;
}

const POLL_MS = 300;
const POLL_BATCH = 4;
const PURCHASE_SHARE = 0.3; // of the withdrawals; the rest pay rent
const LOAN_TERMS_YEARS = [10, 15, 20, 25, 30];

export async function runSeed(input: Partial<SeedOptions> & Pick<SeedOptions, 'url'>): Promise<SeedSummary> {
  const o: SeedOptions = { ...seedDefaults(input.employees), ...input };
  if (o.units < 1 || o.employees < o.units) throw new Error('need at least one unit and one employee per unit');
  const r = seededRandom(o.seed);
  const api = new Api(o.url.replace(/\/$/, ''));
  const today = businessDate();
  const policy = policyOn(today);
  const currentPeriod = periodOf(today);
  const startPeriod = addMonths(currentPeriod, -o.months);
  const periods = Array.from({ length: o.months }, (_, i) => addMonths(startPeriod, i)); // up to last month: the current one is not due yet
  const staff = await mintToken({ sub: 'seed-clerk', role: 'staff', branch: '*' });
  const auditor = await mintToken({ sub: 'seed-auditor', role: 'auditor' });
  const member = (accountNo: string) => mintToken({ sub: `member-${accountNo}`, role: 'member', accountNo });
  const seconds = { units: 0, employees: 0, remittances: 0, withdrawals: 0, loans: 0, total: 0 };
  const t0 = performance.now();
  const timed = async <T>(phase: keyof typeof seconds, work: () => Promise<T>): Promise<T> => {
    const p0 = performance.now();
    const out = await work();
    seconds[phase] = (performance.now() - p0) / 1000;
    return out;
  };

  // units: registered by staff, starting `months` back; everything drawn before the requests run
  // concurrently, so that a seed draws the same data whatever the timing
  const sizes = unitSizes(o.units, o.employees);
  const unitBodies = sizes.map((_n, i) => {
    const branch = o.branches[i % o.branches.length];
    const publicUnit = r.next() < 0.15;
    const ratePercent = publicUnit ? policy.contribution.maxRatePercent : r.int(policy.contribution.minRatePercent, policy.contribution.maxRatePercent);
    return { name: unitName(r, branch, publicUnit), creditCode: creditCode(r, branch, publicUnit), branch, payDay: r.int(policy.unit.payDayMin, policy.unit.payDayMax), employerRate: String(ratePercent), employeeRate: String(ratePercent), startPeriod, publicUnit };
  });
  const units: SeededUnit[] = new Array(o.units);
  await timed('units', async () => {
    const bar = new Progress('units', o.units, o.verbose);
    await inPool(unitBodies, o.concurrency, async ({ publicUnit, ...body }, i) => {
      for (let attempt = 0; ; attempt++) {
        const reply = await api.call('POST', '/v1/units', staff, body);
        if (reply.status === 201) {
          units[i] = { unitId: reply.body.unitId, name: body.name, branch: body.branch, employees: sizes[i] };
          break;
        }
        if (reply.status !== 409 || attempt >= 3) throw new Error(`POST /v1/units → ${reply.status} ${JSON.stringify(reply.body)}`);
        body.creditCode = creditCode(seededRandom(o.seed + i * 7919 + attempt + 1), body.branch, publicUnit); // 409: the credit code is taken (an earlier seed): draw another
      }
      bar.tick();
    });
  });

  // employees: hired by staff, from the unit's start period
  const usedIds = new Set<string>();
  const freshId = (draw: Random) => {
    let id = residentId(draw, today);
    while (usedIds.has(id)) id = residentId(draw, today);
    usedIds.add(id);
    return id;
  };
  const hires = units.flatMap((u) => Array.from({ length: u.employees }, () => ({ unit: u, idNumber: freshId(r), name: chineseName(r), baseFen: monthlyBaseFen(r, policy.base) })));
  const hired: (Employee | undefined)[] = new Array(hires.length);
  await timed('employees', async () => {
    const bar = new Progress('employees', o.employees, o.verbose);
    await inPool(hires, o.concurrency, async (h, i) => {
      for (let attempt = 0; ; attempt++) {
        const reply = await api.call('POST', `/v1/units/${h.unit.unitId}/employees`, staff, { idNumber: h.idNumber, name: h.name, monthlyBase: fenToYuan(h.baseFen) });
        if (reply.status === 201) {
          hired[i] = { accountNo: reply.body.accountNo, idNumber: h.idNumber, baseFen: h.baseFen, branch: h.unit.branch };
          break;
        }
        if (reply.status !== 409 || attempt >= 3) throw new Error(`POST /v1/units/${h.unit.unitId}/employees → ${reply.status} ${JSON.stringify(reply.body)}`);
        h.idNumber = freshId(seededRandom(o.seed + i * 7919 + attempt + 1)); // 409: the person has an account under another unit (an earlier seed): draw another
      }
      bar.tick();
    });
  });
  const employees = hired.filter((e): e is Employee => !!e);

  // remittances: period by period, every unit's list created and settled, then polled until posted
  // (one period at a time: a period's chunks never race the next period's for the same accounts)
  let remittedFen = 0;
  let remittances = 0;
  await timed('remittances', async () => {
    const bar = new Progress(`remittances ×${o.months}`, o.months * o.employees, o.verbose);
    for (const period of periods) {
      const posting: { remittanceId: string; headcount: number }[] = [];
      await inPool(units, o.concurrency, async (u, i) => {
        const created = await api.expect(201, 'POST', `/v1/units/${u.unitId}/remittances`, staff, { period });
        // the unit pays at the bank: the local runtime's bank simulator posts the arrival notice, which
        // settles the remittance with no clerk (a runtime without the simulator: the staff route)
        const paid = await api.arrival({ amount: created.totalAmount, reference: created.remittanceId, payerName: u.name, payerAccount: `6222${String(i + 1).padStart(12, '0')}` });
        if (paid === 'NO_BANK') await api.expect(202, 'POST', `/v1/remittances/${created.remittanceId}/settlements`, staff, { amount: created.totalAmount, bankRef: `SEED-${period}-${i + 1}` });
        remittedFen += yuanToFen(created.totalAmount);
        posting.push({ remittanceId: created.remittanceId, headcount: created.headcount });
      });
      remittances += posting.length;
      // chunks post roughly in settlement order: poll the oldest few, sleep only when none had posted
      for (let pending = posting; pending.length; ) {
        const batch = pending.slice(0, POLL_BATCH);
        const posted = new Set<string>();
        await inPool(batch, POLL_BATCH, async (p) => {
          const { status } = await api.expect(200, 'GET', `/v1/remittances/${p.remittanceId}`, staff);
          if (status !== 'POSTED') return;
          posted.add(p.remittanceId);
          bar.tick(p.headcount);
        });
        pending = pending.filter((p) => !posted.has(p.remittanceId));
        if (!posted.size) await new Promise((res) => setTimeout(res, POLL_MS));
      }
    }
  });

  // withdrawals and loans go to different members (a rent withdrawal next to a loan is an audit rule)
  const shuffled = [...employees];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = r.int(0, i);
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  /** Loan terms (years) the member's age allows: at maturity at most retirement age + 5 (domain.md §4). */
  const termYears = (e: Employee) => {
    const { birthDate, gender } = parseResidentId(e.idNumber, today);
    const age = Number(today.slice(0, 4)) - Number(birthDate.slice(0, 4)); // at most one year more than the real age
    return LOAN_TERMS_YEARS.filter((y) => y * 12 <= policy.loans.maxTermMonths && age + y <= policy.loans.retirementAge[gender] + policy.loans.maturityAgeOverRetirement);
  };
  const withdrawers = shuffled.slice(0, o.withdrawals).map((e) => ({ ...e, draw: seededRandom(r.int(0, 2 ** 31)) }));
  const borrowers = shuffled
    .slice(o.withdrawals)
    .filter((e) => termYears(e).length)
    .slice(0, o.loans)
    .map((e) => ({ ...e, years: termYears(e), draw: seededRandom(r.int(0, 2 ** 31)) }));

  const withdrawals = { paid: 0, reviewedAndPaid: 0, rejected: 0, amountFen: 0 };
  await timed('withdrawals', async () => {
    const bar = new Progress('withdrawals', withdrawers.length, o.verbose);
    await inPool(withdrawers, o.concurrency, async (e) => {
      const token = await member(e.accountNo);
      const balanceFen = yuanToFen((await api.expect(200, 'GET', `/v1/accounts/${e.accountNo}`, token)).balance);
      const purchase = e.draw.next() < PURCHASE_SHARE;
      const percent = purchase ? 90 : e.draw.int(20, 60);
      const amountFen = Math.floor((balanceFen * percent) / 10_000) * 100; // that percent of the balance, in whole yuan
      if (amountFen <= 0) return bar.tick();
      const evidence = purchase
        ? { contractNo: `GFHT${today.slice(0, 4)}${e.draw.int(100000, 999999)}`, propertyCertificateNo: `川(${today.slice(0, 4)})成都市不动产权第${e.draw.int(1000000, 9999999)}号`, price: String(e.draw.int(60, 300) * 10_000), purchaseDate: addDays(today, -e.draw.int(10, 300)) }
        : e.draw.next() < 0.5
          ? { housingKind: 'COMMERCIAL', noHouseCertificateNo: `WFZM${e.draw.int(10000000, 99999999)}` }
          : { housingKind: e.draw.pick(['PUBLIC_RENTAL', 'AFFORDABLE_RENTAL']), leaseContractNo: `ZL${e.draw.int(10000000, 99999999)}`, rentReceiptNo: `SJ${e.draw.int(10000000, 99999999)}` };
      const applied = await api.expect(201, 'POST', '/v1/withdrawals', token, { accountNo: e.accountNo, reason: purchase ? 'PURCHASE' : 'RENT', amount: fenToYuan(amountFen), payeeBankAccount: `6222${e.draw.int(100000000, 999999999)}${e.draw.int(100000, 999999)}`, evidence });
      if (applied.status === 'PENDING_REVIEW') {
        await api.expect(200, 'POST', `/v1/withdrawals/${applied.withdrawalId}/approve`, staff, { note: '材料齐全，准予提取' });
        withdrawals.reviewedAndPaid++;
      } else if (applied.status === 'PAID') withdrawals.paid++;
      else withdrawals.rejected++;
      if (applied.status !== 'REJECTED') withdrawals.amountFen += yuanToFen(applied.amount);
      bar.tick();
    });
  });

  // loans: quoted, applied for, approved and disbursed, for members whose age allows a term and who
  // have the deposit months it needs
  const loans = { disbursed: 0, notEligible: 0, principalFen: 0 };
  await timed('loans', async () => {
    const eligible = o.months >= policy.loans.minConsecutiveDepositMonths ? borrowers : [];
    if (o.verbose && eligible.length < borrowers.length) process.stderr.write(`loans: skipped, they need ${policy.loans.minConsecutiveDepositMonths} months of deposits (--months ${o.months})\n`);
    const bar = new Progress('loans', eligible.length, o.verbose);
    await inPool(eligible, o.concurrency, async (e) => {
      const token = await member(e.accountNo);
      const housePriceFen = e.draw.int(80, 400) * 1_000_000; // 800,000.00 – 4,000,000.00
      const application = {
        accountNo: e.accountNo,
        housePrice: fenToYuan(housePriceFen),
        firstHome: e.draw.next() < 0.85,
        termMonths: e.draw.pick(e.years) * 12,
        monthlyIncome: fenToYuan(roundFen(new D(e.baseFen).times(1 + e.draw.next()))),
        borrowerCategory: 'STANDARD',
        location: e.branch === 'WJ' || e.branch === 'SC' ? 'COUNTY' : 'DISTRICT',
        repaymentMethod: e.draw.next() < 0.7 ? 'EQUAL_INSTALLMENT' : 'EQUAL_PRINCIPAL',
      };
      const quote = await api.expect(200, 'POST', '/v1/loan-quotes', token, application);
      const amountFen = Math.floor(yuanToFen(quote.maxAmount) / 100_000) * 100_000; // to 1,000 yuan
      if (amountFen <= 0) {
        loans.notEligible++;
        return bar.tick();
      }
      const applied = await api.call('POST', '/v1/loans', token, { ...application, amount: fenToYuan(amountFen) });
      if (applied.status === 422 && applied.body?.code === 'NOT_ELIGIBLE') {
        loans.notEligible++;
        return bar.tick();
      }
      if (applied.status !== 201) throw new Error(`POST /v1/loans → ${applied.status} ${JSON.stringify(applied.body)}`);
      await api.expect(200, 'POST', `/v1/loans/${applied.body.loanId}/approve`, staff, { note: '审批通过' });
      await api.expect(200, 'POST', `/v1/loans/${applied.body.loanId}/disburse`, staff, { disbursedOn: today, payee: { name: '杭州安居置业有限公司', bankAccount: '6222021234567890123' } });
      loans.disbursed++;
      loans.principalFen += amountFen;
      bar.tick();
    });
  });

  const indicators = await api.expect(200, 'GET', '/v1/supervision/indicators', auditor);
  seconds.total = (performance.now() - t0) / 1000;
  return {
    unitIds: units.map((u) => u.unitId),
    employees: employees.length,
    periods,
    remittances,
    remitted: fenToYuan(remittedFen),
    withdrawals: { paid: withdrawals.paid, reviewedAndPaid: withdrawals.reviewedAndPaid, rejected: withdrawals.rejected, amount: fenToYuan(withdrawals.amountFen) },
    loans: { disbursed: loans.disbursed, notEligible: loans.notEligible, principal: fenToYuan(loans.principalFen) },
    seconds,
    indicators,
  };
}

function printSummary(o: SeedOptions, s: SeedSummary) {
  const t = (x: number) => seconds(x * 1000);
  console.log(`
Seeded ${o.url} (seed ${o.seed}) in ${t(s.seconds.total)}
  units         ${s.unitIds.length} in ${o.branches.join(', ')}  (${t(s.seconds.units)})
  employees     ${s.employees}  (${t(s.seconds.employees)})
  remittances   ${s.remittances} for ${s.periods[0]} … ${s.periods[s.periods.length - 1]}, ${s.remitted} yuan posted  (${t(s.seconds.remittances)})
  withdrawals   ${s.withdrawals.paid} paid, ${s.withdrawals.reviewedAndPaid} paid after review, ${s.withdrawals.rejected} rejected: ${s.withdrawals.amount} yuan  (${t(s.seconds.withdrawals)})
  loans         ${s.loans.disbursed} disbursed (${s.loans.principal} yuan), ${s.loans.notEligible} not eligible  (${t(s.seconds.loans)})

GET /v1/supervision/indicators
${JSON.stringify(s.indicators, null, 2)}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      units: { type: 'string' },
      employees: { type: 'string' },
      months: { type: 'string' },
      withdrawals: { type: 'string' },
      loans: { type: 'string' },
      branches: { type: 'string' },
      concurrency: { type: 'string' },
      seed: { type: 'string' },
    },
  });
  const count = (name: keyof typeof values, v: string | undefined) => {
    if (v === undefined) return undefined;
    if (!/^[0-9]+$/.test(v)) throw new Error(`--${name} must be a whole number`);
    return Number(v);
  };
  const employees = count('employees', values.employees);
  const options: SeedOptions = {
    ...seedDefaults(employees),
    url: values.url ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`,
    ...Object.fromEntries(
      (['units', 'months', 'withdrawals', 'loans', 'concurrency', 'seed'] as const).flatMap((k) => {
        const v = count(k, values[k]);
        return v === undefined ? [] : [[k, v]];
      }),
    ),
    ...(employees === undefined ? {} : { employees }),
    ...(values.branches ? { branches: values.branches.split(',').map((b) => b.trim()).filter(Boolean) } : {}),
  };
  const health = await fetch(`${options.url}/v1/health`).catch(() => undefined);
  if (!health?.ok) {
    console.error(`No HPF Cloud answers at ${options.url}: start it first (npm start), or pass --url`);
    process.exit(1);
  }
  try {
    printSummary(options, await runSeed(options));
  } catch (err) {
    console.error(`seed failed: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}
