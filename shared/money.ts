// Money: integer fen inside, decimal strings in yuan at the API. decimal.js for rate maths, half-up.
import { Decimal } from 'decimal.js';

export const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
export type Dec = InstanceType<typeof D>;

/** Strict request form: digits, optionally a point and 1–2 decimals. No sign, exponent or spaces. */
export const YUAN_PATTERN = /^(0|[1-9][0-9]{0,12})(\.[0-9]{1,2})?$/;

/**
 * The named maximum of every money field of the API: one billion yuan (10^11 fen). Large enough for
 * any house price or unit remittance, small enough that sums over a province and products with rates
 * stay exact safe integers.
 */
export const MAX_AMOUNT_FEN = 100_000_000_000;

/** "1500.5" → 150050. Throws on anything YUAN_PATTERN refuses (callers validate first with zod). */
export function yuanToFen(yuan: string): number {
  if (!YUAN_PATTERN.test(yuan)) throw new Error(`not a yuan amount: ${yuan}`);
  const [whole, frac = ''] = yuan.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
}

/** 150050 → "1500.50"; negative fen → "-700.00". Exact for any safe integer. */
export function fenToYuan(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new Error(`fen must be a safe integer: ${fen}`);
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const whole = Math.trunc(abs / 100);
  const cents = abs % 100;
  return `${sign}${whole}.${cents.toString().padStart(2, '0')}`;
}

/** Round a decimal amount of fen half-up to a whole fen. */
export function roundFen(x: Dec): number {
  return x.toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber();
}

/** A percentage string as the API prints it: no trailing zeros ("12", "2.6", "3.075"). */
export function percentString(rate: Dec | string): string {
  return new D(rate).times(100).toDecimalPlaces(6).toString();
}
