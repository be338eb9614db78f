// zod 4 building blocks for the API edge (docs/api.md, Conventions). Helpers only: request objects
// (`z.strictObject`) are defined by the handlers that own them. zod/mini API (shared/zod.ts).
import * as z from './zod.ts';
import { MAX_AMOUNT_FEN, YUAN_PATTERN, fenToYuan, yuanToFen } from './money.ts';
import { latestPolicy, policies, WITHDRAWAL_REASONS } from './policy.ts';
import { creditCodeProblem, isCalendarDate, residentIdProblem } from './validators.ts';
import { businessDate } from './clock.ts';
import { isAccountNo } from './ids.ts';
import { canonicalBankAccount, canonicalDocumentNumber, canonicalPersonName, canonicalText, DOCUMENT_NUMBER_MAX_CHARS, PERSON_NAME_MAX_CHARS, type Canonical, type TextProblem } from './text.ts';

// ------------------------------------------------------------------------------------ money

const YUAN_MESSAGE =
  'amount must be a string in yuan with at most two decimals, e.g. "1500.50" (no numbers, signs, exponents or spaces) / 金额须为字符串，最多两位小数';

const MAX_AMOUNT_MESSAGE = `amount must not exceed ${fenToYuan(MAX_AMOUNT_FEN)} yuan / 金额不得超过${fenToYuan(MAX_AMOUNT_FEN)}元`;

/** A yuan string of the request form, at most MAX_AMOUNT_FEN: for amounts kept as the submitted text. */
export const yuanText = z
  .string({ error: YUAN_MESSAGE })
  .check(z.regex(YUAN_PATTERN, { error: YUAN_MESSAGE, abort: true }), z.refine((s) => yuanToFen(s) <= MAX_AMOUNT_FEN, { error: MAX_AMOUNT_MESSAGE }));

/**
 * Request money: a JSON string in yuan ("1500", "1500.5", "1500.50") → integer fen (150050).
 * Refused: JSON numbers, exponents, spaces, signs, more than 2 decimals, leading zeros, empty string,
 * more than MAX_AMOUNT_FEN (every money field of the API has that named maximum). Zero is accepted
 * (use `positiveYuan` where the amount moves money).
 */
export const yuanAmount = z.pipe(yuanText, z.transform((s: string) => yuanToFen(s)));

/** Like `yuanAmount`, and refuses zero (amounts that move money). Output: integer fen > 0. */
export const positiveYuan = yuanAmount.check(z.refine((fen) => fen > 0, { error: 'amount must be greater than zero / 金额须大于零' }));

/** Response money as the API prints it: "1920.00", "-700.00" (for OpenAPI documentation of outputs). */
export const yuanString = z.string().check(z.regex(/^-?(0|[1-9][0-9]*)\.[0-9]{2}$/));

// ------------------------------------------------------------------------------------ dates

/** 'YYYY-MM', month 01–12, year 1990–2100. Output: the same string. */
export const period = z.string({ error: 'period must be a string YYYY-MM / 期间格式应为 YYYY-MM' }).check(
  z.regex(/^[0-9]{4}-[0-9]{2}$/, { error: 'period must be YYYY-MM / 期间格式应为 YYYY-MM' }),
  z.refine(
    (s) => {
      const y = Number(s.slice(0, 4));
      const m = Number(s.slice(5, 7));
      return y >= 1990 && y <= 2100 && m >= 1 && m <= 12;
    },
    { error: 'period must have a month 01–12 and a year 1990–2100 / 期间的年份或月份无效' },
  ),
);

/** 'YYYY-MM-DD', a real calendar date. Output: the same string. */
export const isoDate = z.string({ error: 'date must be a string YYYY-MM-DD / 日期格式应为 YYYY-MM-DD' }).check(
  z.regex(/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/, { error: 'date must be YYYY-MM-DD / 日期格式应为 YYYY-MM-DD' }),
  z.refine(isCalendarDate, { error: 'not a real calendar date / 日期不存在' }),
);

/** The first day of the policy history: no money event of this system is dated before it. */
export const POLICY_HISTORY_START = policies[0].effectiveFrom;

/**
 * A date in a plausible window: not before `earliest` (default: the start of the policy history) and
 * not after today (the business date, Asia/Shanghai) plus `maxDaysAhead` (default 0). Money events
 * (a repayment's `paidOn`, a disbursement's `disbursedOn`) use the defaults: nothing dated in the
 * future, nothing before the policy history begins.
 */
export function dateInWindow(opts: { earliest?: string; maxDaysAhead?: number } = {}) {
  const earliest = opts.earliest ?? POLICY_HISTORY_START;
  const ahead = opts.maxDaysAhead ?? 0;
  return isoDate.check(
    z.refine((d) => d >= earliest, { error: `date must not be before ${earliest} / 日期不得早于${earliest}` }),
    z.refine((d) => d <= latestAllowed(ahead), { error: ahead === 0 ? 'date must not be in the future / 日期不得晚于今天' : `date must not be more than ${ahead} days ahead / 日期不得晚于${ahead}天后` }),
  );
}
const latestAllowed = (daysAhead: number) => {
  const today = businessDate();
  if (daysAhead === 0) return today;
  const t = Date.UTC(Number(today.slice(0, 4)), Number(today.slice(5, 7)) - 1, Number(today.slice(8, 10))) + daysAhead * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
};
/** The date of a money event: from the start of the policy history to today. */
export const moneyEventDate = dateInWindow();

// ------------------------------------------------------------------------------------ identifiers

const RESIDENT_ID_MESSAGES = {
  FORMAT: '身份证号码应为18位：17位数字加校验位（0-9或大写X） / resident ID must be 17 digits and a check character (0-9 or upper-case X)',
  BIRTH_DATE: '身份证号码中的出生日期无效 / invalid birth date in resident ID',
  CHECK_DIGIT: '身份证号码校验位错误 / invalid resident ID check digit',
} as const;

/** 18-character PRC resident ID (GB 11643-1999), with a specific message per problem. */
export const residentId = z.string({ error: RESIDENT_ID_MESSAGES.FORMAT }).check(
  z.superRefine((s, ctx) => {
    const problem = residentIdProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: RESIDENT_ID_MESSAGES[problem] });
  }),
);

const ACCOUNT_NO_MESSAGES = {
  FORMAT: 'accountNo must be a 12-digit account number / 账号应为12位数字',
  CHECK_DIGIT: 'invalid account number check digit / 账号校验位错误',
} as const;

/** One of our personal account numbers (个人账号): 12 digits, the first not 0, the last its Luhn check digit (shared/ids.ts). */
export const accountNumber = z
  .string({ error: ACCOUNT_NO_MESSAGES.FORMAT })
  .check(z.regex(/^[1-9][0-9]{11}$/, { error: ACCOUNT_NO_MESSAGES.FORMAT, abort: true }), z.refine(isAccountNo, { error: ACCOUNT_NO_MESSAGES.CHECK_DIGIT }));

const CREDIT_CODE_MESSAGES = {
  FORMAT:
    '统一社会信用代码应为18位大写字母或数字（不含I、O、Z、S、V），第3-8位为数字 / credit code must be 18 upper-case characters of the GB 32100 alphabet, characters 3–8 digits',
  CHECK_CHAR: '统一社会信用代码校验位错误 / invalid unified social credit code check character',
} as const;

/** 18-character unified social credit code (GB 32100-2015). */
export const creditCode = z.string({ error: CREDIT_CODE_MESSAGES.FORMAT }).check(
  z.superRefine((s, ctx) => {
    const problem = creditCodeProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: CREDIT_CODE_MESSAGES[problem] });
  }),
);

// ------------------------------------------------------------------------------------ text

function describe(problem: TextProblem, what: string, alphabet: string): string {
  switch (problem.kind) {
    case 'EMPTY':
      return `${what} is empty or too short / ${what}为空或过短`;
    case 'TOO_LONG':
      return `${what} is longer than ${problem.max} characters / ${what}超过${problem.max}个字符`;
    case 'CHARACTER':
      return `${what} holds a character that is not allowed (${problem.codePoint} at position ${problem.index + 1}; allowed: ${alphabet}) / ${what}含不允许的字符`;
  }
}

const canonical = (fn: (s: string) => Canonical, what: string, alphabet: string) =>
  z.pipe(
    z.string({ error: `${what} must be a string / ${what}须为字符串` }).check(
      z.superRefine((s, ctx) => {
        const r = fn(s);
        if (!r.ok) ctx.addIssue({ code: 'custom', message: describe(r.problem, what, alphabet) });
      }),
    ),
    z.transform((s: string) => (fn(s) as { ok: true; value: string }).value),
  );

const DOCUMENT_ALPHABET = 'letters A-Z, digits, Chinese characters and - _ / . # ( ) [ ] 〔 〕 【 】';

/**
 * A document number (certificate, contract, permit, lease, receipt, filing, bank reference): output
 * its canonical form (shared/text.ts: NFKC, Latin upper case, alphabet checked, nothing stripped).
 * Store and compare only this form.
 */
export const documentNumber = (max = DOCUMENT_NUMBER_MAX_CHARS) =>
  canonical((s) => canonicalDocumentNumber(s, max), 'document number', DOCUMENT_ALPHABET);

/** A bank account number: 8–32 digits (full-width digits accepted and made ASCII). */
export const bankAccountNumber = canonical(canonicalBankAccount, 'bank account number', 'digits 0-9, 8 to 32 of them');

/** A person's name (NFC, letters and the separators names use; no invisible or control characters). */
export const personName = (max = PERSON_NAME_MAX_CHARS) =>
  canonical((s) => canonicalPersonName(s, max), 'name', 'letters of any script, space, · . \' -');

/** Free text: trimmed, printable characters only, at least one letter or digit. */
export const plainText = (max: number, opts: { multiline?: boolean } = {}) =>
  canonical((s) => canonicalText(s, max, opts), 'text', 'printable characters');

/**
 * An http(s) URL in printable ASCII (URL parsers silently drop tabs and newlines, so they are refused
 * here), without credentials (a `user:password@` would be a secret stored in plaintext): where we
 * call a partner center or a bank.
 */
export const httpUrl = z
  .string()
  .check(
    z.maxLength(2048),
    z.regex(/^[\x21-\x7e]+$/, { error: 'must be a URL in printable ASCII (no spaces or control characters)' }),
    z.refine((s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol), { error: 'must be an http(s) URL' }),
    z.refine((s) => !URL.canParse(s) || (new URL(s).username === '' && new URL(s).password === ''), { error: 'must not carry credentials' }),
  );

/** An identifier of ours or a counterparty's (request, tracking, notification, payment ids): 1–128 of [A-Za-z0-9_.:-]. */
export const RECORD_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
export const recordIdentifier = (what: string) => z.string().check(z.regex(RECORD_ID, { error: `${what} must be 1–128 of [A-Za-z0-9_.:-]` }));

/** Idempotency-Key header: 1–128 of [A-Za-z0-9_.:-]. */
export const idempotencyKey = z
  .string({ error: 'Idempotency-Key header is required' })
  .check(z.regex(/^[A-Za-z0-9_.:-]{1,128}$/, { error: 'Idempotency-Key must be 1–128 characters of [A-Za-z0-9_.:-]' }));

// ------------------------------------------------------------------------------------ numbers

/**
 * A whole-percent ratio in [min, max], given as a string ("12", per api.md) or a JSON integer (12).
 * Output: the number of percent (12 means 12%). Refused: "12.0", "012", "+12", " 12", 12.5.
 */
export function wholePercent(min: number, max: number) {
  const message = `must be a whole percent from ${min} to ${max}, e.g. "${max}" / 比例须为${min}到${max}之间的整数百分比`;
  return z.pipe(
    z.union([z.pipe(z.string().check(z.regex(/^(0|[1-9][0-9]{0,2})$/)), z.transform(Number)), z.int()], { error: message }),
    z.number().check(z.gte(min, { error: message }), z.lte(max, { error: message })),
  );
}

/** Employer or employee contribution ratio (5–12 under the current policy). */
export const contributionRatePercent = wholePercent(
  latestPolicy.contribution.minRatePercent,
  latestPolicy.contribution.maxRatePercent,
);

/** Flexible-employment combined rate (10–24 under the current policy). */
export const flexibleRatePercent = wholePercent(
  latestPolicy.contribution.flexibleMinRatePercent,
  latestPolicy.contribution.flexibleMaxRatePercent,
);

/** Unit pay day: a JSON integer 1–28. */
export const payDay = z
  .int({ error: `payDay must be an integer ${latestPolicy.unit.payDayMin}–${latestPolicy.unit.payDayMax}` })
  .check(z.gte(latestPolicy.unit.payDayMin), z.lte(latestPolicy.unit.payDayMax));

/** Withdrawal reason enum (api.md). */
export const withdrawalReason = z.enum(WITHDRAWAL_REASONS);

// ------------------------------------------------------------------------------------ lists

export const PAGE_LIMIT_DEFAULT = 50;
export const PAGE_LIMIT_MAX = 200;

/**
 * Query-string pagination fields: `limit` "1".."200" → number (default 50), `cursor` ≤ 1024 chars
 * (an empty `?cursor=` is the first page: undefined). Spread into a handler's query object:
 * `z.strictObject({ ...paginationShape, status: … })`.
 */
const LIMIT_MESSAGE = `limit must be an integer from 1 to ${PAGE_LIMIT_MAX}`;
export const paginationShape = {
  limit: z._default(
    z.optional(
      z.pipe(
        z.pipe(z.string().check(z.regex(/^[1-9][0-9]{0,2}$/, { error: LIMIT_MESSAGE })), z.transform(Number)),
        z.number().check(z.lte(PAGE_LIMIT_MAX, { error: LIMIT_MESSAGE })),
      ),
    ),
    PAGE_LIMIT_DEFAULT,
  ),
  cursor: z.pipe(
    z.optional(z.string().check(z.maxLength(1024, { error: 'cursor is too long' }))),
    z.transform((c: string | undefined) => (c === '' ? undefined : c)),
  ),
};

/** `{ limit, cursor? }` from a query string (unknown keys stripped; callers extend it as needed). */
export const pagination = z.object(paginationShape);
