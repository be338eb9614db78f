import { it, expect } from 'vitest';
import { api, staff, member, uniqueResidentId, uniqueTag } from './workload-support.ts';
import { openFundedAccount } from '../support/fixtures.ts';

it('probe', async () => {
  const branch = uniqueTag('PB');
  const accs = await Promise.all(Array.from({ length: 40 }, () => openFundedAccount({ branch, balanceFen: 100_000_000 })));
  let t0 = Date.now();
  let n = 0;
  const worker = async () => { while (n < 2000) { n++; const a = accs[n % accs.length]; const r = await api('POST', '/v1/withdrawals', { as: member(a.accountNo), body: { accountNo: a.accountNo, reason: 'RENT', amount: '1.00', payeeBankAccount: '6222021234567890', evidence: { housingKind: 'COMMERCIAL', noHouseCertificateNo: 'N1' } } }); expect(r.status, JSON.stringify(r.body)).toBe(201); } };
  await Promise.all(Array.from({ length: 8 }, worker));
  console.log('withdrawals/s', 2000 / ((Date.now() - t0) / 1000));
  t0 = Date.now(); n = 0;
  const flex = await Promise.all(Array.from({ length: 40 }, async () => (await api('POST', '/v1/flexible-accounts', { as: staff(branch), body: { idNumber: uniqueResidentId(), name: '灵活', monthlyBase: '8000', rate: '12' } })).body.accountNo));
  const worker2 = async () => { while (n < 1000) { const i = n++; const a = flex[i % 40]; const p = `20${String(10 + Math.floor(i / 40 / 12)).padStart(2,'0')}-${String(i / 40 % 12 + 1 | 0).padStart(2, '0')}`; const r = await api('POST', `/v1/accounts/${a}/deposits`, { as: staff(branch), body: { period: p, amount: '960.00', bankRef: 'B' + i } }); expect(r.status, JSON.stringify(r.body) + p).toBe(201); } };
  await Promise.all(Array.from({ length: 8 }, worker2));
  console.log('deposits/s', 1000 / ((Date.now() - t0) / 1000));
}, 300_000);
