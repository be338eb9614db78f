// Certificates (issue 17): the cost of a PDF in Chinese. renderCertificatePdf on a deposit and a payoff
// certificate: the first PDF of a process (reading the 10 MB Noto Sans SC TTF, fontkit parsing it,
// pdf-lib loading: what the first PDF after a cold start pays), then the median of ROUNDS more (the
// font parsed once per process, subset to the characters used per PDF), and the size of each PDF.
//
// Run: npx tsx test/bench/certificates.bench.ts (or npm run bench -- certificates)
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { printTable, type BenchRow } from './types.ts';
import { renderCertificatePdf, type CertificatePdfInput } from '../../functions/certificates/public.ts';

const ROUNDS = 30;
const TARGET_MS = 150;
const TARGET_KB = 60;
const TARGET_FIRST_MS = 2000;

const deposit: CertificatePdfInput = {
  kind: 'DEPOSIT',
  certificateNo: 'DC0MJQ3C3K8Z4W7XN2D5R9T1BV',
  verificationCode: '7K3M-9QX2-ABCD-EFGH-JKMN',
  verificationUrl: 'https://gjj.example.gov.cn/v1/certificates/7K3M-9QX2-ABCD-EFGH-JKMN',
  issuedAt: '2026-12-02T01:30:00.000Z',
  statement: { holder: { name: '欧阳小明', idNumber: '330102198806151234', accountNo: '513594168231' }, unitName: '杭州示例科技有限公司', status: 'NORMAL', openedOn: '2019-07-01', monthsDeposited: 89, consecutiveMonths: 60, monthlyBase: '12500.00', monthlyAmount: '3000.00', balance: '186452.37', lastPaidPeriod: '2026-11', purpose: '异地购房贷款' },
};
const payoff: CertificatePdfInput = {
  kind: 'PAYOFF',
  certificateNo: 'JQ0MJQ3C3K8Z4W7XN2D5R9T1BV',
  verificationCode: 'Q2W3-E4R5-T6Y7-8P9A-SDFG',
  verificationUrl: 'https://gjj.example.gov.cn/v1/certificates/Q2W3-E4R5-T6Y7-8P9A-SDFG',
  issuedAt: '2026-12-02T01:30:00.000Z',
  statement: { holder: { name: '张三', idNumber: '33010219700101123X', accountNo: '513594168231' }, loanId: 'L0MJQ3C3K8Z4W7XN2D5R9T1BV', principal: '600000.00', disbursedOn: '2016-03-15', closedOn: '2026-12-02' },
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function runCertificatesBench(): Promise<BenchRow[]> {
  let t = performance.now();
  const first = await renderCertificatePdf(deposit);
  const firstMs = performance.now() - t;
  const times: Record<'DEPOSIT' | 'PAYOFF', number[]> = { DEPOSIT: [], PAYOFF: [] };
  const sizes: Record<'DEPOSIT' | 'PAYOFF', number> = { DEPOSIT: first.byteLength, PAYOFF: 0 };
  for (let i = 0; i < ROUNDS; i++) {
    for (const input of [deposit, payoff]) {
      t = performance.now();
      const bytes = await renderCertificatePdf(input);
      times[input.kind].push(performance.now() - t);
      sizes[input.kind] = bytes.byteLength;
    }
  }
  const kb = (n: number) => n / 1024;
  return [
    { name: 'first PDF of a process (font read and parsed)', value: `${firstMs.toFixed(0)} ms`, target: `≤ ${TARGET_FIRST_MS} ms`, met: firstMs <= TARGET_FIRST_MS },
    { name: `deposit certificate PDF, median of ${ROUNDS}`, value: `${median(times.DEPOSIT).toFixed(1)} ms`, target: `≤ ${TARGET_MS} ms`, met: median(times.DEPOSIT) <= TARGET_MS },
    { name: `payoff certificate PDF, median of ${ROUNDS}`, value: `${median(times.PAYOFF).toFixed(1)} ms`, target: `≤ ${TARGET_MS} ms`, met: median(times.PAYOFF) <= TARGET_MS },
    { name: 'deposit certificate PDF size', value: `${kb(sizes.DEPOSIT).toFixed(1)} KB`, target: `≤ ${TARGET_KB} KB`, met: kb(sizes.DEPOSIT) <= TARGET_KB },
    { name: 'payoff certificate PDF size', value: `${kb(sizes.PAYOFF).toFixed(1)} KB`, target: `≤ ${TARGET_KB} KB`, met: kb(sizes.PAYOFF) <= TARGET_KB },
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  printTable('certificates', await runCertificatesBench());
}
