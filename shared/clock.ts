// Business dates are dates in Asia/Shanghai. One place that knows "today".
//
// Asia/Shanghai is UTC+8 all year (China has observed no daylight saving time since 1991), so the
// business date is the UTC date of the instant plus eight hours: no Intl.DateTimeFormat, whose
// time-zone data costs ~6 ms at cold start (test/unit/clock.test.ts checks it against Intl).
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/** YYYY-MM-DD in Asia/Shanghai for the given instant (a Date or an ISO timestamp; default: now). */
export const businessDate = (at: Date | string = new Date()): string => new Date(instantOf(at).getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
/** The current instant (timestamps, expiry arithmetic); business dates come from `businessDate`. */
export const now = (): Date => new Date();
export const nowIso = (): string => now().toISOString();
/** The current instant in milliseconds (budgets and deadlines of a running task). */
export const nowMs = (): number => now().getTime();
/** The current instant in whole seconds (signature timestamps, TTLs). */
export const nowSeconds = (): number => Math.floor(nowMs() / 1000);
/** An instant: a Date, an ISO timestamp (what a record states) or milliseconds since the epoch. */
export type Instant = Date | string | number;
/** The instant as a Date. */
export const instantOf = (at: Instant): Date => (at instanceof Date ? at : new Date(at));
/** The ISO timestamp `ms` milliseconds after the instant `at` (before it when negative). */
export const isoAfter = (at: Instant, ms: number): string => new Date(instantOf(at).getTime() + ms).toISOString();
/** An ISO instant as Asia/Shanghai wall-clock time, "YYYY-MM-DDTHH:MM:SS.sss" (no offset). */
export const shanghaiWallClock = (at: Date | string): string => new Date(instantOf(at).getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 23);
/** YYYY-MM of a business date. */
export const periodOf = (date: string): string => date.slice(0, 7);

const DAY_MS = 86_400_000;
const toUtc = (date: string) => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
/** Whole days from `from` to `to` (dates YYYY-MM-DD); negative when `to` is earlier. */
export const daysBetween = (from: string, to: string): number => Math.round((toUtc(to) - toUtc(from)) / DAY_MS);
export const addDays = (date: string, days: number): string => new Date(toUtc(date) + days * DAY_MS).toISOString().slice(0, 10);
/** Adds months to a period YYYY-MM. */
export const addMonths = (period: string, months: number): string => {
  const idx = Number(period.slice(0, 4)) * 12 + Number(period.slice(5, 7)) - 1 + months;
  return `${Math.floor(idx / 12)}-${String((idx % 12) + 1).padStart(2, '0')}`;
};
/** Months from period a to period b (b − a). */
export const monthsBetween = (a: string, b: string): number =>
  Number(b.slice(0, 4)) * 12 + Number(b.slice(5, 7)) - (Number(a.slice(0, 4)) * 12 + Number(a.slice(5, 7)));
