// Certificates (电子证明, domain.md §9): what a certificate states, its verification code, the masking
// of what anyone holding its code may see, and the rules of validity. Pure: no I/O, no zod.
//
// Decisions (documented for reviewers):
//  - A verification code is 20 Crockford base32 characters (100 random bits), printed in five groups
//    of four for reading aloud (`7K3M-9QX2-...`). It is not the certificate number (which is printed on
//    the certificate and told to partners): knowing a number never lets anyone verify or read a
//    certificate, and 2^100 codes make enumeration pointless. Input is read leniently the Crockford way
//    (case-insensitive, hyphens and spaces ignored, O→0, I/L→1); anything else is malformed (400).
//  - What the verification shows: the statement with the holder's name, ID number and account number
//    masked (张*三 / 张*, 3301**********1234, 1234****9012); amounts, dates and the unit's name as stated.
//    The PDF prints the same masked holder (it is handed to third parties, who compare it with the
//    person's ID card and with the verification page one to one).
//  - Validity: a deposit certificate (a balance as of a moment) is superseded by the next deposit
//    certificate issued for the same account: it then verifies `valid: false` with `supersededBy` (the
//    newer certificate's NUMBER, never its code: a holder of an old certificate must not be able to
//    follow the member's balance through the codes) and `supersededAt`. A payoff certificate states a
//    closed fact and stays valid.
//  - Reissue: a certificate asked again while nothing it states changed is the same certificate (same
//    number, code and issue time): the latest of its subject is reused when the digest of its kind and
//    statement is the same. Anything stated that changed (balance, months, status, purpose…) issues a new one.
import { shanghaiWallClock } from '../../../shared/clock.ts';

export type CertificateKind = 'DEPOSIT' | 'PAYOFF';
export const CERTIFICATE_KINDS: readonly CertificateKind[] = ['DEPOSIT', 'PAYOFF'];

/** The member a certificate is about, as our records hold them (masked when shown to anyone). */
export interface Holder {
  name: string;
  idNumber: string;
  accountNo: string;
}

/** 缴存证明: the deposit facts of an account as of the issue (yuan strings, dates). */
export interface DepositStatement {
  holder: Holder;
  unitName?: string;
  status: string;
  openedOn: string;
  monthsDeposited: number;
  consecutiveMonths: number;
  monthlyBase: string;
  monthlyAmount: string;
  balance: string;
  lastPaidPeriod: string | null;
  purpose?: string;
}

/** 贷款结清证明: a loan paid off. */
export interface PayoffStatement {
  holder: Holder;
  loanId: string;
  principal: string;
  disbursedOn: string;
  closedOn: string;
}

export type Statement = DepositStatement | PayoffStatement;

/** What the certificates table keeps of one certificate (by its code). */
export interface CertificateRecord {
  verificationCode: string;
  kind: CertificateKind;
  certificateNo: string;
  /** accountNo (DEPOSIT) or loanId (PAYOFF). */
  subject: string;
  statement: Statement;
  /** SHA-256 of the canonical { kind, statement }: the same digest is the same certificate. */
  digest: string;
  issuedAt: string;
  supersededBy?: string;
  supersededAt?: string;
}

/** The latest certificate of a subject (kind + subject). */
export interface LatestOfSubject {
  verificationCode: string;
  certificateNo: string;
  digest: string;
  issuedAt: string;
}

export const TITLES: Record<CertificateKind, string> = { DEPOSIT: '住房公积金缴存证明', PAYOFF: '住房公积金贷款结清证明' };

// ---------- verification codes ----------

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CODE_CHARS = 20; // 100 bits
export const CODE_RANDOM_BYTES = 13; // 104 bits, the first 100 used
const CODE_BODY = /^[0-9A-HJKMNP-TV-Z]{20}$/;
const MAX_CODE_INPUT = 64;

/** The code (5 groups of 4) of CODE_RANDOM_BYTES random bytes. */
export function verificationCodeOf(random: Uint8Array): string {
  if (random.length < CODE_RANDOM_BYTES) throw new Error(`a verification code needs ${CODE_RANDOM_BYTES} random bytes`);
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of random.subarray(0, CODE_RANDOM_BYTES)) {
    value = ((value << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5 && out.length < CODE_CHARS) {
      out += CROCKFORD[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return groupCode(out);
}

const groupCode = (body: string) => body.match(/.{4}/g)!.join('-');

/**
 * The canonical code of what someone typed or scanned (case, hyphens, spaces, O/I/L read the Crockford
 * way); undefined when it cannot be a code.
 */
export function canonicalVerificationCode(input: string): string | undefined {
  if (input.length > MAX_CODE_INPUT) return undefined;
  const body = input
    .toUpperCase()
    .replace(/[-\s]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  return CODE_BODY.test(body) ? groupCode(body) : undefined;
}

/** The code without its hyphens (the table's key). */
export const codeKey = (code: string) => code.replace(/-/g, '');

// ---------- masking ----------

/** 张三 → 张*, 张小三 → 张*三, 欧阳小明 → 欧**明 (by characters, not UTF-16 units). */
export function maskName(name: string): string {
  const chars = Array.from(name.trim());
  if (chars.length <= 1) return '*';
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}

/** 330102199001011234 → 3301**********1234; 123456789012 → 1234****9012; short numbers keep only their last character. */
export function maskNumber(n: string): string {
  const chars = Array.from(n.trim());
  if (chars.length >= 9) return `${chars.slice(0, 4).join('')}${'*'.repeat(chars.length - 8)}${chars.slice(-4).join('')}`;
  if (chars.length <= 1) return '*';
  return `${'*'.repeat(chars.length - 1)}${chars[chars.length - 1]}`;
}

export const maskHolder = (h: Holder): Holder => ({ name: maskName(h.name), idNumber: maskNumber(h.idNumber), accountNo: maskNumber(h.accountNo) });

/** The statement as anyone holding the code may see it (and as the PDF prints it). */
export function maskedStatement<S extends Statement>(s: S): S {
  return { ...s, holder: maskHolder(s.holder) };
}

// ---------- validity and the public view ----------

export const isValid = (r: Pick<CertificateRecord, 'supersededBy'>) => r.supersededBy === undefined;

/** Only a deposit certificate is superseded by a newer one of its account. */
export const supersedes = (kind: CertificateKind) => kind === 'DEPOSIT';

/** GET /v1/certificates/{verificationCode}. */
export function verificationView(r: CertificateRecord) {
  return {
    verificationCode: r.verificationCode,
    kind: r.kind,
    title: TITLES[r.kind],
    certificateNo: r.certificateNo,
    issuedAt: r.issuedAt,
    valid: isValid(r),
    ...(r.supersededBy !== undefined ? { supersededBy: r.supersededBy, supersededAt: r.supersededAt } : {}),
    statement: maskedStatement(r.statement),
  };
}

// ---------- what the PDF prints ----------

const ACCOUNT_STATUS: Record<string, string> = { NORMAL: '正常', SEALED: '封存', FROZEN: '冻结', CLOSED: '销户' };

/** ISO instant → "2026年12月02日 09:24" in Asia/Shanghai (UTC+8, no daylight saving). */
export function shanghaiTime(iso: string): string {
  const t = shanghaiWallClock(iso);
  return `${t.slice(0, 4)}年${t.slice(5, 7)}月${t.slice(8, 10)}日 ${t.slice(11, 16)}`;
}

const chineseDate = (d: string) => `${d.slice(0, 4)}年${d.slice(5, 7)}月${d.slice(8, 10)}日`;
const chinesePeriod = (p: string | null) => (p ? `${p.slice(0, 4)}年${p.slice(5, 7)}月` : '无');
const yuan = (s: string) => `${s} 元`;

export interface CertificateLayout {
  title: string;
  /** The sentence stating what is certified. */
  lead: string;
  /** Label / value rows. */
  rows: [string, string][];
  /** Printed under the rows. */
  notes: string[];
}

/** The text of a certificate, from its masked statement (what the PDF prints, in Chinese). */
export function certificateLayout(kind: CertificateKind, statement: Statement, issuedAt: string): CertificateLayout {
  const s = maskedStatement(statement);
  const h = s.holder;
  const common: [string, string][] = [
    ['姓名', h.name],
    ['证件号码', h.idNumber],
    ['个人账号', h.accountNo],
  ];
  if (kind === 'DEPOSIT') {
    const d = s as DepositStatement;
    return {
      title: TITLES.DEPOSIT,
      lead: `兹证明下列职工在本中心缴存住房公积金，截至 ${shanghaiTime(issuedAt)} 情况如下：`,
      rows: [
        ...common,
        ...(d.unitName ? ([['缴存单位', d.unitName]] as [string, string][]) : []),
        ['账户状态', ACCOUNT_STATUS[d.status] ?? d.status],
        ['开户日期', chineseDate(d.openedOn)],
        ['缴存基数', yuan(d.monthlyBase)],
        ['月缴存额', yuan(d.monthlyAmount)],
        ['账户余额', yuan(d.balance)],
        ['缴至年月', chinesePeriod(d.lastPaidPeriod)],
        ['累计缴存月数', `${d.monthsDeposited} 个月`],
        ['连续缴存月数', `${d.consecutiveMonths} 个月`],
        ...(d.purpose ? ([['用途', d.purpose]] as [string, string][]) : []),
      ],
      notes: ['本证明所载缴存情况以最新出具的缴存证明为准；出具新的缴存证明后，本证明即失效。'],
    };
  }
  const p = s as PayoffStatement;
  return {
    title: TITLES.PAYOFF,
    lead: `兹证明下列借款人在本中心申请的住房公积金贷款已于 ${chineseDate(p.closedOn)} 全部结清。`,
    rows: [...common, ['贷款编号', p.loanId], ['贷款本金', yuan(p.principal)], ['放款日期', chineseDate(p.disbursedOn)], ['结清日期', chineseDate(p.closedOn)]],
    notes: [],
  };
}
