// Security of the withdrawals API over HTTP against the local runtime (issue 14): document numbers have
// ONE written form (kernel `documentNumber`: NFKC, Latin upper case, alphabet checked, nothing
// stripped), so an invisible or look-alike character cannot make another member's property a new one
// (finding 1), and no boundary input produces a 500 (finding 4).
import { describe, it, expect } from 'vitest';
import { randomUUID } from 'node:crypto';
import { call, memberToken, staffToken } from '../support/http.ts';
import { openFundedAccount } from '../support/fixtures.ts';
import { allEntries, mustGetAccount, type Account } from '../../shared/ledger/ledger.ts';
import { addDays, businessDate } from '../../shared/clock.ts';

const branch = `SW${randomUUID().slice(0, 8)}`;
const PAYEE = '6222021234567890123';
const today = businessDate();
const recentPurchase = addDays(today, -30);

interface Member {
  acc: Account;
  token: string;
}

async function member(balanceFen = 30_000_000): Promise<Member> {
  const acc = await openFundedAccount({ balanceFen, branch });
  return { acc, token: await memberToken(acc.accountNo) };
}

const withdraw = (m: Member, body: Record<string, unknown>) =>
  call('POST', '/v1/withdrawals', { token: m.token, body: { accountNo: m.acc.accountNo, payeeBankAccount: PAYEE, ...body } });

/** A canonical certificate number of "Alice" (upper case, ASCII): PC-ALICE-<hex>-1. */
const aliceCert = () => `PC-ALICE-${randomUUID().slice(0, 8).toUpperCase()}-1`;
const purchase = (propertyCertificateNo: string, price = '300000') => ({ contractNo: 'HT-1', propertyCertificateNo, price, purchaseDate: recentPurchase });

/** Full-width forms of ASCII letters, digits and '-' (U+FF01…U+FF5E). */
const fullWidth = (s: string) => [...s].map((c) => (c >= '!' && c <= '~' ? String.fromCodePoint(c.codePointAt(0)! + 0xfee0) : c)).join('');

/** Nothing moved and nothing recorded for the member. */
async function expectUntouched(m: Member, balanceFen: number) {
  expect((await mustGetAccount(m.acc.accountNo)).balanceFen).toBe(balanceFen);
  expect((await allEntries(m.acc.accountNo)).filter((e) => e.type === 'WITHDRAWAL')).toEqual([]);
  expect((await call('GET', `/v1/accounts/${m.acc.accountNo}/withdrawals`, { token: m.token })).body.items).toEqual([]);
}

const INVISIBLE = [
  ['U+200B zero width space', '\u200b'],
  ['U+200C zero width non-joiner', '\u200c'],
  ['U+200D zero width joiner', '\u200d'],
  ['U+2060 word joiner', '\u2060'],
  ['U+00AD soft hyphen', '\u00ad'],
] as const;

describe('finding 1: another member’s property certificate with an invisible or look-alike character', () => {
  for (const reason of ['PURCHASE', 'OFFSITE_PURCHASE'] as const) {
    const evidence = (cert: string, price?: string) => (reason === 'PURCHASE' ? purchase(cert, price) : { ...purchase(cert, price), city: '杭州' });

    it.each(INVISIBLE)(`${reason}: %s inside the number → 400 VALIDATION_FAILED, nothing changes`, async (_name, ch) => {
      const alice = await member();
      const mallory = await member();
      const cert = aliceCert();
      expect((await withdraw(alice, { reason, amount: '250000', evidence: evidence(cert) })).body.status).toBe('PAID');
      const forged = cert.replace('ALICE', `ALICE${ch}`);
      const res = await withdraw(mallory, { reason, amount: '50000', evidence: evidence(forged) });
      expect([res.status, res.body.code], JSON.stringify(res.body)).toEqual([400, 'VALIDATION_FAILED']);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('body.evidence.propertyCertificateNo');
      await expectUntouched(mallory, 30_000_000);
    });

    it(`${reason}: a Cyrillic look-alike letter (А U+0410 for A) → 400, nothing changes`, async () => {
      const alice = await member();
      const mallory = await member();
      const cert = aliceCert();
      expect((await withdraw(alice, { reason, amount: '250000', evidence: evidence(cert) })).body.status).toBe('PAID');
      const res = await withdraw(mallory, { reason, amount: '1000', evidence: evidence(cert.replace('ALICE', '\u0410LICE')) });
      expect([res.status, res.body.code]).toEqual([400, 'VALIDATION_FAILED']);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('body.evidence.propertyCertificateNo');
      await expectUntouched(mallory, 30_000_000);
    });

    it(`${reason}: lower-case and full-width forms are the same number: review as claimed by another account, cap by what was withdrawn`, async () => {
      const alice = await member();
      const mallory = await member();
      const cert = aliceCert();
      expect((await withdraw(alice, { reason, amount: '250000', evidence: evidence(cert) })).body.status).toBe('PAID');
      for (const form of [cert.toLowerCase(), fullWidth(cert), fullWidth(cert.toLowerCase())]) {
        // the cap: price 300,000 less the 250,000 already withdrawn for this property by anyone
        const over = await withdraw(mallory, { reason, amount: '50000.01', evidence: evidence(form) });
        expect([over.status, over.body.code], form).toEqual([422, 'POLICY_VIOLATION']);
      }
      await expectUntouched(mallory, 30_000_000);
      const res = await withdraw(mallory, { reason, amount: '1000', evidence: evidence(fullWidth(cert.toLowerCase())) });
      expect(res.status).toBe(201);
      expect(res.body.status).toBe('PENDING_REVIEW');
      expect(res.body.reviewReasons).toContain('PROPERTY_CLAIMED_BY_ANOTHER_ACCOUNT');
      expect((await mustGetAccount(mallory.acc.accountNo)).balanceFen).toBe(30_000_000);
      // stored evidence holds the canonical number
      const got = await call('GET', `/v1/withdrawals/${res.body.withdrawalId}`, { token: mallory.token });
      expect(got.body.evidence.propertyCertificateNo).toBe(cert);
      expect(got.body.evidence.contractNo).toBe('HT-1');
      // and the claim is the one of Alice's property: the cap now counts nothing more (the pending one is not paid)
      const staff = await staffToken(branch);
      const approved = await call('POST', `/v1/withdrawals/${res.body.withdrawalId}/approve`, { token: staff, body: { note: '已核实' } });
      expect([approved.status, approved.body.status]).toEqual([200, 'PAID']);
      const overNow = await withdraw(mallory, { reason, amount: '49000.01', evidence: evidence(cert.toLowerCase()) });
      expect([overNow.status, overNow.body.code]).toEqual([422, 'POLICY_VIOLATION']);
    });
  }

  it('BUILD_REPAIR: the permit number is one number however written (the budget cap counts it)', async () => {
    const a = await member();
    const b = await member();
    const permit = `JZ-${randomUUID().slice(0, 8).toUpperCase()}`;
    expect((await withdraw(a, { reason: 'BUILD_REPAIR', amount: '40000', evidence: { permitNo: permit, budget: '50000' } })).body.status).toBe('PAID');
    const over = await withdraw(b, { reason: 'BUILD_REPAIR', amount: '10000.01', evidence: { permitNo: fullWidth(permit.toLowerCase()), budget: '50000' } });
    expect([over.status, over.body.code]).toEqual([422, 'POLICY_VIOLATION']);
    const hidden = await withdraw(b, { reason: 'BUILD_REPAIR', amount: '10000.01', evidence: { permitNo: permit.replace('-', '-\u200b'), budget: '50000' } });
    expect([hidden.status, hidden.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    await expectUntouched(b, 30_000_000);
  });
});

/** Every document-number field of the evidence, with a valid evidence object around it. */
const documentFields: [reason: string, evidence: Record<string, unknown>, field: string, closes?: boolean][] = [
  ['PURCHASE', purchase('PC-X-1'), 'contractNo'],
  ['PURCHASE', purchase('PC-X-1'), 'propertyCertificateNo'],
  ['OFFSITE_PURCHASE', { ...purchase('PC-X-1'), city: '杭州' }, 'contractNo'],
  ['RENT', { housingKind: 'PUBLIC_RENTAL', leaseContractNo: 'ZL-1', rentReceiptNo: 'SJ-1' }, 'leaseContractNo'],
  ['RENT', { housingKind: 'PUBLIC_RENTAL', leaseContractNo: 'ZL-1', rentReceiptNo: 'SJ-1' }, 'rentReceiptNo'],
  ['RENT', { housingKind: 'COMMERCIAL', noHouseCertificateNo: 'WF-1', spouseNoHouseCertificateNo: 'WF-2' }, 'noHouseCertificateNo'],
  ['RENT', { housingKind: 'COMMERCIAL', noHouseCertificateNo: 'WF-1', spouseNoHouseCertificateNo: 'WF-2' }, 'spouseNoHouseCertificateNo'],
  ['BUILD_REPAIR', { permitNo: 'JZ-1', budget: '50000' }, 'permitNo'],
  ['INCAPACITY', { certificateNo: 'SL-1' }, 'certificateNo', true],
  ['EMIGRATION', { certificateNo: 'CJ-1' }, 'certificateNo', true],
  ['DEATH', { heirIdNumber: '11010519491231002X', heirName: '李四', deathCertificateNo: 'SW-1' }, 'deathCertificateNo', true],
  ['HPF_LOAN_REPAYMENT', { centerCode: '310000', loanContractNo: 'GJJ-1' }, 'loanContractNo'],
  ['COMMERCIAL_LOAN_REPAYMENT', { bankName: '中国银行', loanContractNo: 'SD-1', outstandingAmount: '200000' }, 'loanContractNo'],
  ['ELEVATOR_RETROFIT', { projectFilingNo: 'DT-1', ownerShareAmount: '20000' }, 'projectFilingNo'],
];

describe('every document number of the evidence is canonical', () => {
  it('an invisible, look-alike, space or control character in any of them → 400 naming the field; nothing changes', async () => {
    const m = await member(100_000);
    for (const [reason, evidence, field, closes] of documentFields) {
      for (const bad of ['X\u200b1', 'X\u00ad1', '\u0410-1', 'X 1', 'X\u202e1', 'X\u00851', '\u200b', '', 'X'.repeat(65)]) {
        const res = await withdraw(m, { reason, ...(closes ? { full: true } : { amount: '10' }), evidence: { ...evidence, [field]: bad } });
        expect([reason, field, JSON.stringify(bad), res.status, res.body.code]).toEqual([reason, field, JSON.stringify(bad), 400, 'VALIDATION_FAILED']);
        // the field's own check, or the HTTP core's refusal of a control/bidi character anywhere in a body
        expect(res.body.errors.some((e: { path: string }) => e.path.endsWith(`evidence.${field}`)), JSON.stringify(res.body.errors)).toBe(true);
      }
    }
    await expectUntouched(m, 100_000);
    expect((await mustGetAccount(m.acc.accountNo)).status).toBe('NORMAL');
  });

  it('lower-case and full-width forms are stored canonical (evidence, its hash, payee account)', async () => {
    const m = await member(1_000_000);
    const res = await withdraw(m, {
      reason: 'RENT',
      amount: '10',
      payeeBankAccount: fullWidth('6222021234567890123'),
      evidence: { housingKind: 'PUBLIC_RENTAL', leaseContractNo: 'zl-（2026）-1', rentReceiptNo: fullWidth('sj-1') },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const got = await call('GET', `/v1/withdrawals/${res.body.withdrawalId}`, { token: m.token });
    expect(got.body.evidence).toEqual({ housingKind: 'PUBLIC_RENTAL', leaseContractNo: 'ZL-(2026)-1', rentReceiptNo: 'SJ-1' });
    expect(got.body.payeeBankAccount).toBe('6222021234567890123');
    const same = await withdraw(m, { reason: 'RENT', amount: '10', evidence: { housingKind: 'PUBLIC_RENTAL', leaseContractNo: 'ZL-(2026)-1', rentReceiptNo: 'SJ-1' } });
    const other = await call('GET', `/v1/withdrawals/${same.body.withdrawalId}`, { token: m.token });
    expect(other.body.evidenceSha256).toBe(got.body.evidenceSha256);
  });

  it('the payee bank account: digits only (no invisible character, no letters, 8–32)', async () => {
    const m = await member(100_000);
    for (const bad of ['6222\u200b021234567890', '6222-0212-3456', '1234567', '1'.repeat(33), '６２２２\u00ad０２１２３４５６７８９０']) {
      const res = await withdraw(m, { reason: 'RENT', amount: '10', payeeBankAccount: bad, evidence: { housingKind: 'COMMERCIAL', noHouseCertificateNo: 'WF-1' } });
      expect([JSON.stringify(bad), res.status, res.body.code]).toEqual([JSON.stringify(bad), 400, 'VALIDATION_FAILED']);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('body.payeeBankAccount');
    }
    await expectUntouched(m, 100_000);
  });

  it('names and free text: printable only (heirName, bankName, city, a reviewer’s note)', async () => {
    const m = await member(100_000);
    const bads = ['\u200b', '\u202e李四', '李\u0085四', '\u00ad', ' ', '李四\u200d'];
    for (const bad of bads) {
      const cases = [
        ['DEATH', { heirIdNumber: '11010519491231002X', heirName: bad, deathCertificateNo: 'SW-1' }, 'heirName', true],
        ['COMMERCIAL_LOAN_REPAYMENT', { bankName: bad, loanContractNo: 'SD-1', outstandingAmount: '200000' }, 'bankName', false],
        ['OFFSITE_PURCHASE', { ...purchase('PC-Y-1'), city: bad }, 'city', false],
      ] as const;
      for (const [reason, evidence, field, closes] of cases) {
        const res = await withdraw(m, { reason, ...(closes ? { full: true } : { amount: '10' }), evidence });
        expect([field, JSON.stringify(bad), res.status, res.body.code]).toEqual([field, JSON.stringify(bad), 400, 'VALIDATION_FAILED']);
      }
    }
    await expectUntouched(m, 100_000);
    expect((await mustGetAccount(m.acc.accountNo)).status).toBe('NORMAL');

    // a reviewer's note: printable text only
    const a = await member(1_000_000);
    const b = await member(1_000_000);
    const cert = aliceCert();
    await withdraw(a, { reason: 'PURCHASE', amount: '1000', evidence: purchase(cert) });
    const pending = await withdraw(b, { reason: 'PURCHASE', amount: '1000', evidence: purchase(cert) });
    expect(pending.body.status).toBe('PENDING_REVIEW');
    const staff = await staffToken(branch);
    for (const note of ['\u200b', '\u0085', '\u202e不符合']) {
      for (const action of ['approve', 'reject']) {
        const res = await call('POST', `/v1/withdrawals/${pending.body.withdrawalId}/${action}`, { token: staff, body: { note } });
        expect([action, JSON.stringify(note), res.status, res.body.code]).toEqual([action, JSON.stringify(note), 400, 'VALIDATION_FAILED']);
      }
    }
    expect((await call('GET', `/v1/withdrawals/${pending.body.withdrawalId}`, { token: b.token })).body.status).toBe('PENDING_REVIEW');
  });
});

describe('finding 4: boundary amounts and dates are 400/422, never 500', () => {
  it('money in the evidence and the amount: bounded by the kernel maximum and positive', async () => {
    const m = await member(100_000);
    const huge = '9999999999999.99';
    const cases: [string, Record<string, unknown>, Record<string, unknown>, string][] = [
      ['PURCHASE', purchase('PC-Z-1', huge), {}, 'body.evidence.price'],
      ['PURCHASE', purchase('PC-Z-1', '0'), {}, 'body.evidence.price'],
      ['PURCHASE', purchase('PC-Z-1', '1000000000.01'), {}, 'body.evidence.price'],
      ['BUILD_REPAIR', { permitNo: 'JZ-Z', budget: huge }, {}, 'body.evidence.budget'],
      ['COMMERCIAL_LOAN_REPAYMENT', { bankName: '中国银行', loanContractNo: 'SD-1', outstandingAmount: huge }, {}, 'body.evidence.outstandingAmount'],
      ['ELEVATOR_RETROFIT', { projectFilingNo: 'DT-1', ownerShareAmount: '0.00' }, {}, 'body.evidence.ownerShareAmount'],
      ['RENT', { housingKind: 'COMMERCIAL', noHouseCertificateNo: 'WF-1' }, { amount: huge }, 'body.amount'],
      // malformed yuan strings: a 400, never the server tripping over them
      ['RENT', { housingKind: 'COMMERCIAL', noHouseCertificateNo: 'WF-1' }, { amount: '-5' }, 'body.amount'],
      ['RENT', { housingKind: 'COMMERCIAL', noHouseCertificateNo: 'WF-1' }, { amount: '1e3' }, 'body.amount'],
      ['RENT', { housingKind: 'COMMERCIAL', noHouseCertificateNo: 'WF-1' }, { amount: ' 100' }, 'body.amount'],
      ['PURCHASE', purchase('PC-Z-1', '-300000'), {}, 'body.evidence.price'],
      ['BUILD_REPAIR', { permitNo: 'JZ-Z', budget: '5e4' }, {}, 'body.evidence.budget'],
      ['ELEVATOR_RETROFIT', { projectFilingNo: 'DT-1', ownerShareAmount: '２００００' }, {}, 'body.evidence.ownerShareAmount'],
    ];
    for (const [reason, evidence, extra, path] of cases) {
      const res = await withdraw(m, { reason, amount: '10', ...extra, evidence });
      expect([path, res.status, res.body.code]).toEqual([path, 400, 'VALIDATION_FAILED']);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    // the maximum itself is well-formed: the balance refuses it (409), not the server
    const max = await withdraw(m, { reason: 'PURCHASE', amount: '1000000000', evidence: purchase(aliceCert(), '1000000000') });
    expect([max.status, max.body.code]).toEqual([409, 'INSUFFICIENT_BALANCE']);
    await expectUntouched(m, 100_000);
  });

  it('dates: a purchase before the policy history or in the future, an absurd retirement date → 400; a real date outside the rules → 422', async () => {
    const m = await member(100_000);
    for (const purchaseDate of ['1990-01-01', '9999-12-01', addDays(today, 1), '2016-02-20']) {
      const res = await withdraw(m, { reason: 'PURCHASE', amount: '10', evidence: { ...purchase(aliceCert()), purchaseDate } });
      expect([purchaseDate, res.status, res.body.code]).toEqual([purchaseDate, 400, 'VALIDATION_FAILED']);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('body.evidence.purchaseDate');
    }
    const old = await withdraw(m, { reason: 'PURCHASE', amount: '10', evidence: { ...purchase(aliceCert()), purchaseDate: '2016-03-01' } });
    expect([old.status, old.body.code]).toEqual([422, 'POLICY_VIOLATION']);
    for (const retirementDate of ['9999-12-01', '1900-01-01']) {
      const res = await withdraw(m, { reason: 'RETIREMENT', full: true, evidence: { retirementDate } });
      expect([retirementDate, res.status, res.body.code]).toEqual([retirementDate, 400, 'VALIDATION_FAILED']);
    }
    const notYet = await withdraw(m, { reason: 'RETIREMENT', full: true, evidence: { retirementDate: addDays(today, 30) } });
    expect([notYet.status, notYet.body.code]).toEqual([422, 'NOT_ELIGIBLE']);
    await expectUntouched(m, 100_000);
    expect((await mustGetAccount(m.acc.accountNo)).status).toBe('NORMAL');
  });

  it('ids and queries at their bounds: a forged cursor, odd path ids → 4xx', async () => {
    const m = await member(100_000);
    for (const cursor of ['e30', 'bogus', 'x'.repeat(1024)]) {
      const res = await call('GET', `/v1/accounts/${m.acc.accountNo}/withdrawals?cursor=${cursor}`, { token: m.token });
      expect([cursor.slice(0, 8), res.status]).toEqual([cursor.slice(0, 8), 400]);
    }
    const staff = await staffToken('*');
    for (const id of ['W%E2%80%8B', 'W%C2%85', encodeURIComponent('W'.repeat(300))]) {
      const res = await call('GET', `/v1/withdrawals/${id}`, { token: staff });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    const queue = await call('GET', '/v1/withdrawals?cursor=e30', { token: staff });
    expect(queue.status).toBe(400);
  });
});

describe('finding 7: another member’s account answers like an unknown one', () => {
  it('applying on, reading and listing another member’s account or withdrawal: the unknown record’s 404, same detail', async () => {
    const owner = await member(100_000);
    const other = await member(100_000);
    const problemOf = (r: { status: number; body: any }) => ({ status: r.status, code: r.body?.code, detail: r.body?.detail, errors: r.body?.errors });
    const body = { reason: 'RENT', amount: '10', payeeBankAccount: PAYEE, evidence: { housingKind: 'COMMERCIAL', noHouseCertificateNo: 'WF-1' } };
    const foreign = await call('POST', '/v1/withdrawals', { token: other.token, body: { ...body, accountNo: owner.acc.accountNo } });
    const unknown = await call('POST', '/v1/withdrawals', { token: other.token, body: { ...body, accountNo: '999999999991' } }); // well-formed (its check digit), on no account
    expect(foreign.status).toBe(404);
    expect(problemOf(foreign)).toEqual(problemOf(unknown));
    const paid = await withdraw(owner, body);
    expect(paid.body.status).toBe('PAID');
    const readA = await call('GET', `/v1/withdrawals/${paid.body.withdrawalId}`, { token: other.token });
    const readB = await call('GET', '/v1/withdrawals/WNOSUCHWITHDRAWAL', { token: other.token });
    expect(readA.status).toBe(404);
    expect(problemOf(readA)).toEqual(problemOf(readB));
    const listA = await call('GET', `/v1/accounts/${owner.acc.accountNo}/withdrawals`, { token: await staffToken(`${branch}-other`) });
    const listB = await call('GET', '/v1/accounts/999999999999/withdrawals', { token: await staffToken(`${branch}-other`) });
    expect(listA.status).toBe(404);
    expect(problemOf(listA)).toEqual(problemOf(listB));
    expect((await mustGetAccount(owner.acc.accountNo)).balanceFen).toBe(99_000);
  });
});
