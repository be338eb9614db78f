// Certificates (issue 17 items 2 and 3) against the local runtime: the member's deposit certificate and
// payoff certificate as PDFs in Chinese, read back with PDF.js (text) and jsQR (the QR code, decoded
// from a raster of the rectangles the page draws), and verified through the public route with no
// token: masked names and ID numbers, a deposit certificate superseded by a newer one, a payoff
// certificate valid for good; who may have a certificate issued, and what an unknown code answers.
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { auditorToken, baseUrl, call, memberToken, staffToken, unitToken } from '../support/http.ts';
import { openFundedAccount, randomResidentId } from '../support/fixtures.ts';
import { readPdf } from '../support/pdf.ts';
import { SELLER } from '../support/seller.ts';
import { commit } from '../../shared/tx.ts';
import { addMonths, businessDate, periodOf } from '../../shared/clock.ts';
import { ledgerWrite, mustGetAccount, type Account } from '../../shared/ledger/ledger.ts';

const today = businessDate();
const newBranch = () => `CT${randomUUID().slice(0, 8)}`;
const CODE = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$/;

async function pdf(path: string, token: string) {
  const res = await fetch(`${baseUrl()}${path}`, { headers: { authorization: `Bearer ${token}`, accept: 'application/pdf' } });
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, contentType: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), bytes };
}

const verify = (code: string) => call('GET', `/v1/certificates/${encodeURIComponent(code)}`);

/** Credits the account (a DEPOSIT entry through the ledger): its balance changes. */
async function credit(accountNo: string, amountFen: number) {
  await commit({
    plan: async () => {
      const account = await mustGetAccount(accountNo);
      return { items: ledgerWrite([{ account, postings: [{ amountFen, type: 'DEPOSIT', ref: 'certificates-test', valueDate: today }] }]).items, body: null };
    },
  });
}

/** An account with six consecutive monthly remittances up to last month (eligible for a loan). */
async function depositor(branch: string, name: string, idNumber: string): Promise<Account> {
  const acc = await openFundedAccount({ branch, name, idNumber });
  const current = periodOf(today);
  await commit({
    plan: async () => {
      const account = await mustGetAccount(acc.accountNo);
      const postings = Array.from({ length: 6 }, (_, i) => ({ amountFen: 100_000, type: 'REMITTANCE' as const, period: addMonths(current, i - 6), ref: 'fixture-remittance', valueDate: today }));
      return { items: ledgerWrite([{ account, postings }]).items, body: null };
    },
  });
  return mustGetAccount(acc.accountNo);
}

const maskedId = (id: string) => `${id.slice(0, 4)}${'*'.repeat(10)}${id.slice(-4)}`;

describe('the deposit certificate (缴存证明)', () => {
  it('is a Chinese PDF with its number, the masked holder and a QR code of the verification URL; anyone verifies it without signing in', async () => {
    const branch = newBranch();
    const idNumber = randomResidentId('1988-06-15', 'M');
    const acc = await depositor(branch, '张小三', idNumber);
    const member = await memberToken(acc.accountNo);

    const data = await call('GET', `/v1/accounts/${acc.accountNo}/deposit-certificate`, { token: member });
    expect(data.status, JSON.stringify(data.body)).toBe(200);
    expect(data.body).toMatchObject({ accountNo: acc.accountNo, name: '张*三', idNumber: maskedId(idNumber), status: 'NORMAL', balance: '6000.00', monthsDeposited: 6, consecutiveMonths: 6 });
    expect(data.body.certificateNo).toMatch(/^DC[0-9A-Z]{20,}$/);
    expect(data.body.verificationCode).toMatch(CODE);
    expect(data.body.verificationCode.replace(/-/g, '')).not.toContain(data.body.certificateNo.slice(2, 12)); // not derived from the number
    expect(data.body.verificationUrl).toBe(`${baseUrl()}/v1/certificates/${data.body.verificationCode}`);

    // the same facts asked again: the same certificate, as JSON and as the PDF
    const again = await call('GET', `/v1/accounts/${acc.accountNo}/deposit-certificate`, { token: member });
    expect(again.body).toEqual(data.body);
    const doc = await pdf(`/v1/accounts/${acc.accountNo}/deposit-certificate`, member);
    expect(doc.status).toBe(200);
    expect(doc.contentType).toBe('application/pdf');
    expect(doc.disposition).toContain(`${data.body.certificateNo}.pdf`);
    expect(Buffer.from(doc.bytes.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
    expect(doc.bytes.byteLength).toBeLessThan(40_000); // the font subset to the characters used, not 10 MB

    const read = await readPdf(doc.bytes);
    expect(read.pages).toBe(1);
    expect(read.text).toContain('住房公积金缴存证明');
    expect(read.text).toContain(data.body.certificateNo);
    expect(read.text).toContain('张*三');
    expect(read.text).not.toContain('张小三');
    expect(read.text).toContain(maskedId(idNumber));
    expect(read.text).not.toContain(idNumber);
    expect(read.text).toContain('6000.00 元');
    expect(read.text).toContain(data.body.verificationCode);
    expect(read.qr).toBe(data.body.verificationUrl);

    // the URL the QR code holds, fetched with no token
    const res = await fetch(read.qr!);
    expect(res.status).toBe(200);
    const v = (await res.json()) as any;
    expect(v).toMatchObject({ verificationCode: data.body.verificationCode, kind: 'DEPOSIT', certificateNo: data.body.certificateNo, issuedAt: data.body.issuedAt, valid: true });
    expect(v.statement).toMatchObject({ holder: { name: '张*三', idNumber: maskedId(idNumber), accountNo: `${acc.accountNo.slice(0, 4)}****${acc.accountNo.slice(-4)}` }, balance: '6000.00', monthsDeposited: 6, status: 'NORMAL' });
    const text = JSON.stringify(v);
    expect(text).not.toContain(idNumber);
    expect(text).not.toContain('张小三');
    expect(text).not.toContain(acc.accountNo);
    // a code read aloud or typed: lower case, no hyphens
    expect((await verify(data.body.verificationCode.replace(/-/g, '').toLowerCase())).body.certificateNo).toBe(data.body.certificateNo);
  });

  it('a newer certificate after the balance changed supersedes the older one: the old code verifies valid:false naming the new number', async () => {
    const branch = newBranch();
    const acc = await depositor(branch, '李四', randomResidentId('1990-01-01', 'F'));
    const member = await memberToken(acc.accountNo);
    const first = (await call('GET', `/v1/accounts/${acc.accountNo}/deposit-certificate`, { token: member })).body;
    await credit(acc.accountNo, 12_345);
    const second = await call('GET', `/v1/accounts/${acc.accountNo}/deposit-certificate`, { token: member });
    expect(second.status).toBe(200);
    expect(second.body.balance).toBe('6123.45');
    expect(second.body.certificateNo).not.toBe(first.certificateNo);
    expect(second.body.verificationCode).not.toBe(first.verificationCode);

    const old = await verify(first.verificationCode);
    expect(old.status).toBe(200);
    expect(old.body).toMatchObject({ certificateNo: first.certificateNo, valid: false, supersededBy: second.body.certificateNo, supersededAt: second.body.issuedAt });
    expect(old.body.statement.balance).toBe('6000.00'); // what it stated when issued
    expect(JSON.stringify(old.body)).not.toContain(second.body.verificationCode); // the newer code is never told
    const fresh = await verify(second.body.verificationCode);
    expect(fresh.body).toMatchObject({ valid: true, statement: { balance: '6123.45', holder: { name: '李*' } } });
    expect(fresh.body.supersededBy).toBeUndefined();

    // staff of the branch get the same (current) certificate: nothing changed since
    const staff = await call('GET', `/v1/accounts/${acc.accountNo}/deposit-certificate`, { token: await staffToken(branch) });
    expect(staff.status).toBe(200);
    expect(staff.body.verificationCode).toBe(second.body.verificationCode);
  });

  it('asked five times at once for the first time: one certificate, every answer the same number and code', async () => {
    const branch = newBranch();
    const acc = await openFundedAccount({ branch, balanceFen: 250_000, name: '王五' });
    const member = await memberToken(acc.accountNo);
    const answers = await Promise.all(Array.from({ length: 5 }, (_, i) => (i % 2 ? pdf(`/v1/accounts/${acc.accountNo}/deposit-certificate`, member) : call('GET', `/v1/accounts/${acc.accountNo}/deposit-certificate`, { token: member }))));
    for (const a of answers) expect(a.status).toBe(200);
    const json = (await call('GET', `/v1/accounts/${acc.accountNo}/deposit-certificate`, { token: member })).body;
    for (const a of answers) {
      if ('bytes' in a) expect((await readPdf(a.bytes)).qr).toBe(json.verificationUrl);
      else expect(a.body).toEqual(json);
    }
    expect((await verify(json.verificationCode)).body.valid).toBe(true);
  });

  it('only the owner and staff covering the branch have one issued: another member or branch 404, unit and auditor 403, no token 401', async () => {
    const branch = newBranch();
    const acc = await openFundedAccount({ branch, balanceFen: 100_000 });
    const other = await openFundedAccount({ branch, balanceFen: 100_000 });
    const path = `/v1/accounts/${acc.accountNo}/deposit-certificate`;
    expect((await call('GET', path, { token: await memberToken(other.accountNo) })).status).toBe(404);
    expect((await pdf(path, await memberToken(other.accountNo))).status).toBe(404);
    expect((await call('GET', path, { token: await staffToken(newBranch()) })).status).toBe(404);
    expect((await call('GET', path, { token: await unitToken('U-nobody') })).status).toBe(403);
    expect((await call('GET', path, { token: await auditorToken() })).status).toBe(403);
    expect((await call('GET', path)).status).toBe(401);
    expect((await call('GET', `/v1/accounts/${acc.accountNo.slice(0, 11)}${(Number(acc.accountNo[11]) + 1) % 10}/deposit-certificate`, { token: await staffToken('*') })).status).toBe(404);
    const city = await call('GET', path, { token: await staffToken('*') });
    expect(city.status).toBe(200);
    expect(city.body.balance).toBe('1000.00');
  });
});

describe('the public verification route', () => {
  it('an unknown code 404, a malformed one 400 VALIDATION_FAILED', async () => {
    const unknown = await verify('ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('NOT_FOUND');
    for (const bad of ['ABC', 'UUUU-UUUU-UUUU-UUUU-UUUU', 'ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-Z', '住房公积金', 'A'.repeat(100)]) {
      const res = await verify(bad);
      expect(res.status, bad).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
  });
});

describe('the payoff certificate (贷款结清证明)', () => {
  it('a closed loan: the PDF with its JQ number and QR code; verified valid, and still valid asked again', async () => {
    const branch = newBranch();
    const idNumber = randomResidentId('1985-02-20', 'F');
    const a = await depositor(branch, '欧阳小明', idNumber);
    const member = await memberToken(a.accountNo);
    const applied = await call('POST', '/v1/loans', {
      token: member,
      body: { accountNo: a.accountNo, amount: '30000', housePrice: '2000000', firstHome: true, termMonths: 12, monthlyIncome: '20000', borrowerCategory: 'TALENT', location: 'DISTRICT', repaymentMethod: 'EQUAL_INSTALLMENT' },
    });
    expect(applied.status, JSON.stringify(applied.body)).toBe(201);
    const loanId = applied.body.loanId as string;
    expect((await call('POST', `/v1/loans/${loanId}/approve`, { token: await staffToken(branch) })).status).toBe(200);
    const disbursed = await call('POST', `/v1/loans/${loanId}/disburse`, { token: await staffToken(branch), body: { payee: SELLER, disbursedOn: today } });
    expect(disbursed.status, JSON.stringify(disbursed.body)).toBe(200);
    const path = `/v1/loans/${loanId}/payoff-certificate`;
    expect((await call('GET', path, { token: member })).status).toBe(409); // ACTIVE: nothing to certify
    expect((await call('POST', `/v1/loans/${loanId}/prepayments`, { token: member, body: { full: true, source: 'BANK' } })).status).toBe(201);

    const data = await call('GET', path, { token: member });
    expect(data.status, JSON.stringify(data.body)).toBe(200);
    expect(data.body).toMatchObject({ loanId, principal: '30000.00', closedOn: today, accountNo: a.accountNo });
    expect(data.body.certificateNo).toMatch(/^JQ[0-9A-Z]{20,}$/);
    expect(data.body.verificationCode).toMatch(CODE);
    expect(data.body.verificationUrl).toBe(`${baseUrl()}/v1/certificates/${data.body.verificationCode}`);

    const doc = await pdf(path, member);
    expect(doc.status).toBe(200);
    expect(doc.contentType).toBe('application/pdf');
    const read = await readPdf(doc.bytes);
    expect(read.text).toContain('住房公积金贷款结清证明');
    expect(read.text).toContain(data.body.certificateNo);
    expect(read.text).toContain('欧**明');
    expect(read.text).not.toContain('欧阳小明');
    expect(read.text).toContain('30000.00 元');
    expect(read.qr).toBe(data.body.verificationUrl);

    const v = await call('GET', new URL(read.qr!).pathname);
    expect(v.status).toBe(200);
    expect(v.body).toMatchObject({ kind: 'PAYOFF', certificateNo: data.body.certificateNo, valid: true, statement: { loanId, principal: '30000.00', closedOn: today, holder: { name: '欧**明', idNumber: maskedId(idNumber) } } });

    // asked again (by staff too): the same certificate, still valid
    const later = await call('GET', path, { token: await staffToken(branch) });
    expect(later.body).toMatchObject({ certificateNo: data.body.certificateNo, verificationCode: data.body.verificationCode, issuedAt: data.body.issuedAt });
    expect((await verify(data.body.verificationCode)).body.valid).toBe(true);
    // another member: 404 as before
    const stranger = await openFundedAccount({ branch });
    expect((await pdf(path, await memberToken(stranger.accountNo))).status).toBe(404);
  });
});
