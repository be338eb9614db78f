// Identifier validators: PRC resident ID (GB 11643-1999) and unified social credit code (GB 32100-2015).
// Pure functions, no I/O. The only ambient input is the clock, used for "birth date not in the future"
// when the caller does not pass `today` explicitly.

// ---------------------------------------------------------------------------------------------
// Resident ID (公民身份号码), GB 11643-1999: 6-digit region code, 8-digit birth date (YYYYMMDD),
// 3-digit sequence (odd = male, even = female), check character by ISO 7064 MOD 11-2.
// ---------------------------------------------------------------------------------------------

const RESIDENT_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const RESIDENT_ID_CHECK_MAP = '10X98765432';
const RESIDENT_ID_SHAPE = /^[0-9]{17}[0-9X]$/;
const EARLIEST_BIRTH_DATE = '1900-01-01';

export type ResidentIdProblem = 'FORMAT' | 'BIRTH_DATE' | 'CHECK_DIGIT';

/** Today's date (YYYY-MM-DD) in China Standard Time (UTC+8, no DST). */
export function todayInChina(now: number = Date.now()): string {
  return new Date(now + 8 * 3600_000).toISOString().slice(0, 10);
}

/** True when `date` is 'YYYY-MM-DD' and a real Gregorian calendar date (e.g. no 2023-02-29). */
export function isCalendarDate(date: string): boolean {
  if (typeof date !== 'string' || !/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(date)) return false;
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= daysInMonth(y, m);
}

function daysInMonth(year: number, month: number): number {
  // Date.UTC with day 0 of the next month gives the last day of `month`; valid for years 0..9999.
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The GB 11643 check character for the first 17 digits of a resident ID. Throws unless 17 digits. */
export function residentIdCheckChar(first17: string): string {
  if (typeof first17 !== 'string' || !/^[0-9]{17}$/.test(first17)) {
    throw new Error('residentIdCheckChar needs exactly 17 digits');
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * RESIDENT_ID_WEIGHTS[i];
  return RESIDENT_ID_CHECK_MAP[sum % 11];
}

/**
 * Why a resident ID is invalid, or null when it is valid.
 * FORMAT: not 17 digits + [0-9X] (lower-case 'x' is refused; callers may upper-case first);
 * BIRTH_DATE: chars 7–14 are not a real date in [1900-01-01, today]; CHECK_DIGIT: MOD 11-2 mismatch.
 */
export function residentIdProblem(id: string, today?: string): ResidentIdProblem | null {
  if (typeof id !== 'string' || !RESIDENT_ID_SHAPE.test(id)) return 'FORMAT';
  const birth = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  const asOf = typeof today === 'string' ? today : todayInChina();
  if (!isCalendarDate(birth) || birth < EARLIEST_BIRTH_DATE || birth > asOf) return 'BIRTH_DATE';
  if (residentIdCheckChar(id.slice(0, 17)) !== id[17]) return 'CHECK_DIGIT';
  return null;
}

/**
 * 18-character PRC resident ID number (GB 11643-1999). `today` (YYYY-MM-DD) defaults to the current
 * date in China; pass it for deterministic results. A non-string second argument (e.g. an array index
 * from `ids.filter(isValidResidentId)`) is ignored.
 */
export function isValidResidentId(id: string, today?: string): boolean {
  return residentIdProblem(id, today) === null;
}

export interface ResidentIdInfo {
  /** YYYY-MM-DD */
  birthDate: string;
  /** The 17th character (sequence code's last digit): odd = male, even = female. */
  gender: 'M' | 'F';
  /** The 6-digit administrative division code of the place of first registration. */
  regionCode: string;
}

/** Birth date, gender and region of a valid resident ID. Throws on an invalid one. */
export function parseResidentId(id: string, today?: string): ResidentIdInfo {
  const problem = residentIdProblem(id, today);
  if (problem !== null) throw new Error(`invalid resident ID (${problem})`);
  return {
    birthDate: `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`,
    gender: Number(id[16]) % 2 === 1 ? 'M' : 'F',
    regionCode: id.slice(0, 6),
  };
}

/**
 * '510104199001010078' → '510104********0078': first 6 and last 4 kept, the rest starred.
 * Strings shorter than 11 characters are starred entirely (nothing meaningful can be shown safely).
 */
export function maskResidentId(id: string): string {
  if (id.length < 11) return '*'.repeat(id.length);
  return id.slice(0, 6) + '*'.repeat(id.length - 10) + id.slice(-4);
}

// ---------------------------------------------------------------------------------------------
// Unified social credit code (统一社会信用代码), GB 32100-2015: 1 char registration authority,
// 1 char organisation category, 6-digit administrative division, 9-char organisation code,
// 1 check character. Alphabet of 31 characters (no I, O, Z, S, V).
// ---------------------------------------------------------------------------------------------

export const CREDIT_CODE_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CREDIT_CODE_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;
const CREDIT_CODE_SHAPE = /^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$/;

export type CreditCodeProblem = 'FORMAT' | 'CHECK_CHAR';

/** The GB 32100 check character for the first 17 characters. Throws on a character outside the charset. */
export function creditCodeCheckChar(first17: string): string {
  if (typeof first17 !== 'string' || first17.length !== 17) {
    throw new Error('creditCodeCheckChar needs exactly 17 characters');
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = CREDIT_CODE_CHARSET.indexOf(first17[i]);
    if (value < 0) throw new Error(`character not allowed in a credit code: ${first17[i]}`);
    sum += value * CREDIT_CODE_WEIGHTS[i];
  }
  const check = (31 - (sum % 31)) % 31; // 31 → 0
  return CREDIT_CODE_CHARSET[check];
}

/**
 * Why a credit code is invalid, or null. FORMAT: not 18 characters of the GB 32100 alphabet
 * (upper case only) with digits at positions 3–8 (administrative division); CHECK_CHAR: mismatch.
 * The registration-authority and category characters are checked against the alphabet only.
 */
export function creditCodeProblem(code: string): CreditCodeProblem | null {
  if (typeof code !== 'string' || !CREDIT_CODE_SHAPE.test(code)) return 'FORMAT';
  if (creditCodeCheckChar(code.slice(0, 17)) !== code[17]) return 'CHECK_CHAR';
  return null;
}

/** 18-character unified social credit code (GB 32100-2015) with a correct check character. */
export function isValidCreditCode(code: string): boolean {
  return creditCodeProblem(code) === null;
}
