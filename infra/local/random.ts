// Random draws for demo data, tests and benchmarks. A small seeded generator (mulberry32): the same
// seed gives the same sequence, so that demo data (`npm run seed -- --seed N`) and the randomized
// workload test (HPF_WORKLOAD_SEED) can be replayed; `cryptoRandom` is the same interface over
// node:crypto for tests whose records must never clash across runs.
//
// The one generator of valid identifiers for tests and tools: resident IDs (GB 11643, `residentIdOf`)
// and unified social credit codes (GB 32100, `creditCodeOf`), each with its check character.
import { randomInt } from 'node:crypto';
import { addDays, daysBetween } from '../../shared/clock.ts';
import { CREDIT_CODE_CHARSET, creditCodeCheckChar, residentIdCheckChar } from '../../shared/validators.ts';

/** The draws of a source of numbers in [0, 1). */
function drawsOf(next: () => number) {
  return {
    next,
    /** Integer in [min, max]. */
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)],
    /** A key of `weights` chosen in proportion to its weight. */
    weighted: <K extends string>(weights: Record<K, number>): K => {
      const entries = Object.entries(weights) as [K, number][];
      let r = next() * entries.reduce((s, [, w]) => s + w, 0);
      for (const [k, w] of entries) if ((r -= w) < 0) return k;
      return entries[entries.length - 1][0];
    },
    /** ~N(0, 1) (Box–Muller). */
    normal: () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
  };
}
export type Random = ReturnType<typeof drawsOf>;

export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return drawsOf(() => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  });
}

const CRYPTO_RANGE = 2 ** 48 - 1; // randomInt's largest range
/** The same draws from node:crypto (not replayable). */
export const cryptoRandom = (): Random => drawsOf(() => randomInt(0, CRYPTO_RANGE) / CRYPTO_RANGE);

/** A date drawn in [from, to] (YYYY-MM-DD). */
export const dateIn = (r: Random, from: string, to: string): string => addDays(from, r.int(0, daysBetween(from, to)));

/**
 * A valid resident ID (GB 11643-1999): the region (6 digits; a shorter prefix is completed with
 * random digits), the birth date, a sequence number whose last digit is odd for a man and even for a
 * woman (any when no gender is asked), and the check character.
 */
export function residentIdOf(r: Random, o: { region: string; birthDate: string; gender?: 'M' | 'F' }): string {
  const region = o.region.length < 6 ? o.region + String(r.int(0, 10 ** (6 - o.region.length) - 1)).padStart(6 - o.region.length, '0') : o.region;
  const seq = o.gender ? String(r.int(0, 99)).padStart(2, '0') + String(r.int(0, 4) * 2 + (o.gender === 'M' ? 1 : 0)) : String(r.int(0, 999)).padStart(3, '0');
  const first17 = `${region}${o.birthDate.replace(/-/g, '')}${seq}`;
  return first17 + residentIdCheckChar(first17);
}

/** A valid unified social credit code (GB 32100-2015): `prefix` (8 characters: authority, category, division), 9 random organisation characters, the check character. */
export function creditCodeOf(r: Random, prefix: string): string {
  const first17 = prefix + Array.from({ length: 9 }, () => r.pick(CREDIT_CODE_CHARSET.split(''))).join('');
  return first17 + creditCodeCheckChar(first17);
}
