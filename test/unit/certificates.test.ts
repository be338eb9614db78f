// The certificates domain's pure rules (issue 17): verification codes, masking, validity and the
// public view, what a certificate prints.
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import {
  canonicalVerificationCode,
  certificateLayout,
  codeKey,
  maskName,
  maskNumber,
  maskedStatement,
  shanghaiTime,
  verificationCodeOf,
  verificationView,
  CODE_RANDOM_BYTES,
  type CertificateRecord,
  type DepositStatement,
  type PayoffStatement,
} from '../../functions/certificates/domain/certificate.ts';
import { requestOrigin, verificationUrl } from '../../functions/certificates/usecases/issue.ts';

const CODE = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$/;

const deposit: DepositStatement = {
  holder: { name: '张小三', idNumber: '330102198806151234', accountNo: '513594168231' },
  unitName: '示例科技有限公司',
  status: 'NORMAL',
  openedOn: '2025-01-01',
  monthsDeposited: 24,
  consecutiveMonths: 12,
  monthlyBase: '8000.00',
  monthlyAmount: '1920.00',
  balance: '46080.00',
  lastPaidPeriod: '2026-11',
};

describe('verification codes', () => {
  it('are 20 Crockford base32 characters in five groups of four, 100 bits of the random bytes', () => {
    expect(verificationCodeOf(new Uint8Array(CODE_RANDOM_BYTES))).toBe('0000-0000-0000-0000-0000');
    expect(verificationCodeOf(new Uint8Array(CODE_RANDOM_BYTES).fill(255))).toBe('ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ');
    // 0x08 0x42 … : 00001 00001 00001 0000(1) … reads 1111…
    expect(verificationCodeOf(Uint8Array.from([0x08, 0x42, 0x10, 0x84, 0x21, 0x08, 0x42, 0x10, 0x84, 0x21, 0x08, 0x42, 0x10]))).toBe('1111-1111-1111-1111-1111');
    expect(() => verificationCodeOf(new Uint8Array(12))).toThrow();
    const codes = new Set(Array.from({ length: 2000 }, () => verificationCodeOf(randomBytes(CODE_RANDOM_BYTES))));
    expect(codes.size).toBe(2000);
    for (const c of codes) expect(c).toMatch(CODE);
    // every character position takes every one of the 32 symbols (no position is fixed)
    const firsts = new Set([...codes].map((c) => c[0]));
    expect(firsts.size).toBe(32);
  });

  it('are read the Crockford way: case, hyphens and spaces ignored, O as 0, I and L as 1; anything else is no code', () => {
    expect(canonicalVerificationCode('7k3m-9qx2-abcd-efgh-jkmn')).toBe('7K3M-9QX2-ABCD-EFGH-JKMN');
    expect(canonicalVerificationCode('7K3M9QX2ABCDEFGHJKMN')).toBe('7K3M-9QX2-ABCD-EFGH-JKMN');
    expect(canonicalVerificationCode(' 7K3M 9QX2 ABCD EFGH JKMN ')).toBe('7K3M-9QX2-ABCD-EFGH-JKMN');
    expect(canonicalVerificationCode('OOOO-IIII-LLLL-0000-1111')).toBe('0000-1111-1111-0000-1111');
    for (const bad of ['', 'ABC', 'UUUU-UUUU-UUUU-UUUU-UUUU', '7K3M-9QX2-ABCD-EFGH-JKM', '7K3M-9QX2-ABCD-EFGH-JKMNP', '住房公积金证明验证码一二三四五六七八九十', '7K3M_9QX2_ABCD_EFGH_JKMN', 'A'.repeat(65), '7K3M-9QX2-ABCD-EFGH-JKM\u0000']) {
      expect(canonicalVerificationCode(bad), bad).toBeUndefined();
    }
    expect(codeKey('7K3M-9QX2-ABCD-EFGH-JKMN')).toBe('7K3M9QX2ABCDEFGHJKMN');
  });
});

describe('masking', () => {
  it('names keep their first and last characters (two characters: the first), by characters', () => {
    expect(maskName('张三')).toBe('张*');
    expect(maskName('张小三')).toBe('张*三');
    expect(maskName('欧阳小明')).toBe('欧**明');
    expect(maskName('买买提·艾力')).toBe('买****力');
    expect(maskName('李')).toBe('*');
    expect(maskName('𠀋𠀌𠀍')).toBe('𠀋*𠀍'); // outside the BMP: one character each
    expect(maskName('Zhang San')).toBe('Z*******n');
  });

  it('ID and account numbers keep their first four and last four', () => {
    expect(maskNumber('330102198806151234')).toBe('3301**********1234');
    expect(maskNumber('33010219880615123X')).toBe('3301**********123X');
    expect(maskNumber('513594168231')).toBe('5135****8231');
    expect(maskNumber('12345678')).toBe('*******8');
    expect(maskNumber('7')).toBe('*');
  });

  it('the statement anyone sees and the PDF prints hides the holder, and only the holder', () => {
    const shown = maskedStatement(deposit);
    expect(shown.holder).toEqual({ name: '张*三', idNumber: '3301**********1234', accountNo: '5135****8231' });
    expect({ ...shown, holder: undefined }).toEqual({ ...deposit, holder: undefined });
    expect(deposit.holder.name).toBe('张小三'); // not changed in place
  });
});

describe('validity and the public view', () => {
  const record: CertificateRecord = { verificationCode: '7K3M-9QX2-ABCD-EFGH-JKMN', kind: 'DEPOSIT', certificateNo: 'DC1', subject: '513594168231', statement: deposit, digest: 'd', issuedAt: '2026-12-02T01:30:00.000Z' };

  it('is valid until superseded; superseded: the newer number and when, never its code; the holder masked; no subject nor digest', () => {
    const v = verificationView(record);
    expect(v).toEqual({ verificationCode: record.verificationCode, kind: 'DEPOSIT', title: '住房公积金缴存证明', certificateNo: 'DC1', issuedAt: record.issuedAt, valid: true, statement: maskedStatement(deposit) });
    const old = verificationView({ ...record, supersededBy: 'DC2', supersededAt: '2026-12-03T00:00:00.000Z' });
    expect(old).toMatchObject({ valid: false, supersededBy: 'DC2', supersededAt: '2026-12-03T00:00:00.000Z' });
    const text = JSON.stringify(old);
    for (const secret of ['张小三', '330102198806151234', '513594168231']) expect(text).not.toContain(secret);
  });
});

describe('what a certificate prints', () => {
  it('a deposit certificate: its title, the masked holder, the facts in Chinese, the time in Beijing time', () => {
    const l = certificateLayout('DEPOSIT', { ...deposit, purpose: '异地贷款' }, '2026-12-01T17:30:00.000Z');
    expect(l.title).toBe('住房公积金缴存证明');
    expect(l.lead).toContain('2026年12月02日 01:30');
    expect(Object.fromEntries(l.rows)).toEqual({
      姓名: '张*三',
      证件号码: '3301**********1234',
      个人账号: '5135****8231',
      缴存单位: '示例科技有限公司',
      账户状态: '正常',
      开户日期: '2025年01月01日',
      缴存基数: '8000.00 元',
      月缴存额: '1920.00 元',
      账户余额: '46080.00 元',
      缴至年月: '2026年11月',
      累计缴存月数: '24 个月',
      连续缴存月数: '12 个月',
      用途: '异地贷款',
    });
    expect(Object.fromEntries(certificateLayout('DEPOSIT', { ...deposit, lastPaidPeriod: null, status: 'SEALED' }, '2026-12-01T00:00:00.000Z').rows)).toMatchObject({ 缴至年月: '无', 账户状态: '封存' });
  });

  it('a payoff certificate: the loan, its principal and the day it closed', () => {
    const p: PayoffStatement = { holder: deposit.holder, loanId: 'L1', principal: '300000.00', disbursedOn: '2020-05-01', closedOn: '2026-12-02' };
    const l = certificateLayout('PAYOFF', p, '2026-12-02T01:30:00.000Z');
    expect(l.title).toBe('住房公积金贷款结清证明');
    expect(l.lead).toContain('已于 2026年12月02日 全部结清');
    expect(Object.fromEntries(l.rows)).toMatchObject({ 姓名: '张*三', 贷款编号: 'L1', 贷款本金: '300000.00 元', 放款日期: '2020年05月01日', 结清日期: '2026年12月02日' });
  });

  it('Beijing time is UTC+8 across the day boundary', () => {
    expect(shanghaiTime('2026-12-31T16:00:00.000Z')).toBe('2027年01月01日 00:00');
  });
});

describe('the verification URL', () => {
  it('HPF_PUBLIC_BASE_URL wins; else the origin the request came to (https, http on loopback); else the local gateway', () => {
    const saved = process.env.HPF_PUBLIC_BASE_URL;
    try {
      delete process.env.HPF_PUBLIC_BASE_URL;
      expect(verificationUrl('A-B', requestOrigin({ requestContext: { domainName: 'abc123.execute-api.cn-north-1.amazonaws.com.cn' } }))).toBe('https://abc123.execute-api.cn-north-1.amazonaws.com.cn/v1/certificates/A-B');
      expect(verificationUrl('A-B', requestOrigin({ requestContext: { domainName: '127.0.0.1:3000' } }))).toBe('http://127.0.0.1:3000/v1/certificates/A-B');
      expect(requestOrigin({ requestContext: { domainName: 'evil.example/phish?' } })).toBeUndefined();
      expect(requestOrigin(undefined)).toBeUndefined();
      expect(verificationUrl('A-B')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/certificates\/A-B$/);
      process.env.HPF_PUBLIC_BASE_URL = 'https://gjj.example.gov.cn/';
      expect(verificationUrl('A-B', 'http://127.0.0.1:3000')).toBe('https://gjj.example.gov.cn/v1/certificates/A-B');
    } finally {
      if (saved === undefined) delete process.env.HPF_PUBLIC_BASE_URL;
      else process.env.HPF_PUBLIC_BASE_URL = saved;
    }
  });
});
