import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  CREDIT_CODE_CHARSET,
  creditCodeCheckChar,
  creditCodeProblem,
  isCalendarDate,
  isValidCreditCode,
  isValidResidentId,
  maskResidentId,
  parseResidentId,
  residentIdCheckChar,
  residentIdProblem,
  todayInChina,
} from '../../shared/validators.ts';

const TODAY = '2025-06-01';

// Every character a mutation may try: the full printable ASCII range plus a few look-alikes.
const MUTATION_ALPHABET = [
  ...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)),
  '０',
  'Ｘ',
  '\u00A0',
];

function everySingleCharMutation(valid: string): string[] {
  const out: string[] = [];
  for (let pos = 0; pos < valid.length; pos++) {
    for (const ch of MUTATION_ALPHABET) {
      if (ch === valid[pos]) continue;
      out.push(valid.slice(0, pos) + ch + valid.slice(pos + 1));
    }
  }
  return out;
}

describe('resident ID (GB 11643-1999)', () => {
  it("api.md's test-vector ID 510104199001010078 IS valid under GB 11643 (computed check digit 8)", () => {
    expect(residentIdCheckChar('51010419900101007')).toBe('8');
    expect(isValidResidentId('510104199001010078', TODAY)).toBe(true);
    expect(isValidResidentId('510104199001010078')).toBe(true); // against the real clock too
    expect(parseResidentId('510104199001010078', TODAY)).toEqual({
      birthDate: '1990-01-01',
      gender: 'M', // 17th character '7' is odd
      regionCode: '510104',
    });
  });

  it('golden check characters from the standard (including X)', () => {
    expect(residentIdCheckChar('11010519491231002')).toBe('X');
    expect(isValidResidentId('11010519491231002X', TODAY)).toBe(true);
    expect(parseResidentId('11010519491231002X', TODAY).gender).toBe('F'); // '2' is even
    // The standard's own example 440524188001010014 has a correct check digit, but its birth year 1880
    // is before the 1900 floor this system applies, so it is refused as BIRTH_DATE.
    expect(residentIdCheckChar('44052418800101001')).toBe('4');
    expect(residentIdProblem('440524188001010014', TODAY)).toBe('BIRTH_DATE');
  });

  it('residentIdCheckChar refuses anything but 17 digits', () => {
    expect(() => residentIdCheckChar('5101041990010100')).toThrow();
    expect(() => residentIdCheckChar('5101041990010100X')).toThrow();
  });

  it('rejects every single-character change at every position', () => {
    for (const valid of ['510104199001010078', '11010519491231002X', '510104200002290011']) {
      expect(isValidResidentId(valid, TODAY)).toBe(true);
      const mutants = everySingleCharMutation(valid);
      expect(mutants.length).toBeGreaterThan(18 * 90);
      for (const m of mutants) {
        if (isValidResidentId(m, TODAY)) throw new Error(`mutant accepted: ${m} (from ${valid})`);
      }
    }
  });

  it('refuses lower-case x, wrong lengths, spaces, non-strings', () => {
    expect(isValidResidentId('11010519491231002x', TODAY)).toBe(false);
    expect(isValidResidentId('51010419900101007', TODAY)).toBe(false);
    expect(isValidResidentId('5101041990010100780', TODAY)).toBe(false);
    expect(isValidResidentId(' 510104199001010078', TODAY)).toBe(false);
    expect(isValidResidentId('', TODAY)).toBe(false);
    expect(isValidResidentId(510104199001010078 as unknown as string, TODAY)).toBe(false);
    expect(residentIdProblem('51010419900101007', TODAY)).toBe('FORMAT');
    expect(residentIdProblem('510104199001010079', TODAY)).toBe('CHECK_DIGIT');
  });

  const withCheck = (first17: string) => first17 + residentIdCheckChar(first17);

  it('birth date must be a real date between 1900-01-01 and today', () => {
    expect(isValidResidentId(withCheck('51010420000229001'), TODAY)).toBe(true); // 2000 is leap
    expect(residentIdProblem(withCheck('51010419000229001'), TODAY)).toBe('BIRTH_DATE'); // 1900 is not
    expect(residentIdProblem(withCheck('51010419901301001'), TODAY)).toBe('BIRTH_DATE'); // month 13
    expect(residentIdProblem(withCheck('51010419900431001'), TODAY)).toBe('BIRTH_DATE'); // April 31
    expect(residentIdProblem(withCheck('51010419900100001'), TODAY)).toBe('BIRTH_DATE'); // day 0
    expect(residentIdProblem(withCheck('51010418991231001'), TODAY)).toBe('BIRTH_DATE'); // before 1900
    expect(isValidResidentId(withCheck('51010419000101001'), TODAY)).toBe(true); // 1900-01-01 itself
    expect(isValidResidentId(withCheck('51010420250601001'), TODAY)).toBe(true); // born today
    expect(residentIdProblem(withCheck('51010420250602001'), TODAY)).toBe('BIRTH_DATE'); // tomorrow
    expect(() => parseResidentId(withCheck('51010420250602001'), TODAY)).toThrow(/BIRTH_DATE/);
  });

  it('a non-string second argument (Array.filter index) is ignored', () => {
    // TypeScript refuses `.filter(isValidResidentId)` (index is not a string); plain JS callers may still do it.
    const asFilter = isValidResidentId as unknown as (value: string, index: number) => boolean;
    expect(['510104199001010078', '510104199001010079'].filter(asFilter)).toEqual(['510104199001010078']);
  });

  it('masks as first 6 + 8 stars + last 4', () => {
    expect(maskResidentId('510104199001010078')).toBe('510104********0078');
    expect(maskResidentId('11010519491231002X')).toBe('110105********002X');
    expect(maskResidentId('123')).toBe('***');
  });

  it('property: any valid 17-digit prefix + computed check char is valid; gender follows the 17th digit', () => {
    const birth = fc
      .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date(`${TODAY}T00:00:00Z`), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10).replace(/-/g, ''));
    const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((a) => a.join(''));
    fc.assert(
      fc.property(digits(6), birth, digits(3), fc.nat({ max: 16 }), fc.integer({ min: 1, max: 10 }), (region, b, seq, pos, delta) => {
        const first17 = region + b + seq;
        const id = first17 + residentIdCheckChar(first17);
        expect(isValidResidentId(id, TODAY)).toBe(true);
        const info = parseResidentId(id, TODAY);
        expect(info.gender).toBe(Number(seq[2]) % 2 === 1 ? 'M' : 'F');
        expect(info.regionCode).toBe(region);
        expect(info.birthDate.replace(/-/g, '')).toBe(b);
        // change one digit of the first 17 to a different digit: the check digit no longer matches
        const changed = String((Number(id[pos]) + (delta % 10 || 1)) % 10);
        const mutant = id.slice(0, pos) + changed + id.slice(pos + 1);
        expect(isValidResidentId(mutant, TODAY)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});

describe('calendar helpers', () => {
  it('isCalendarDate', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2023-02-29')).toBe(false);
    expect(isCalendarDate('2100-02-29')).toBe(false);
    expect(isCalendarDate('2024-12-31')).toBe(true);
    expect(isCalendarDate('2024-00-10')).toBe(false);
    expect(isCalendarDate('2024-1-10')).toBe(false);
    expect(isCalendarDate('2024-01-10T00:00:00Z')).toBe(false);
  });
  it('todayInChina is UTC+8', () => {
    expect(todayInChina(Date.parse('2025-06-30T15:59:59Z'))).toBe('2025-06-30');
    expect(todayInChina(Date.parse('2025-06-30T16:00:00Z'))).toBe('2025-07-01');
  });
});

describe('unified social credit code (GB 32100-2015)', () => {
  it('golden: real codes are valid (check characters computed)', () => {
    expect(creditCodeCheckChar('91350100M000100Y4')).toBe('3');
    for (const code of ['91350100M000100Y43', '91110000600037341L', '91440300708461136T']) {
      expect(isValidCreditCode(code)).toBe(true);
    }
  });

  it('charset has 31 characters without I, O, Z, S, V', () => {
    expect(CREDIT_CODE_CHARSET).toHaveLength(31);
    for (const c of 'IOZSV') expect(CREDIT_CODE_CHARSET).not.toContain(c);
  });

  it('check value 31 maps to 0', () => {
    // find a prefix whose weighted sum is ≡ 0 (mod 31): its check character must be '0'
    const base = '9135010000000000';
    const hit = [...CREDIT_CODE_CHARSET].map((c) => base + c).find((p) => creditCodeCheckChar(p) === '0');
    expect(hit).toBeDefined();
    expect(isValidCreditCode(`${hit}0`)).toBe(true);
  });

  it('rejects every single-character change at every position', () => {
    for (const valid of ['91350100M000100Y43', '91110000600037341L', '91440300708461136T']) {
      const mutants = everySingleCharMutation(valid);
      for (const m of mutants) {
        if (isValidCreditCode(m)) throw new Error(`mutant accepted: ${m} (from ${valid})`);
      }
    }
  });

  it('characters 3–8 must be digits; lower case, excluded letters and wrong lengths are refused', () => {
    const first17 = '91A50100M000100Y4';
    expect(creditCodeProblem(first17 + creditCodeCheckChar(first17))).toBe('FORMAT');
    expect(isValidCreditCode('91350100m000100y43')).toBe(false);
    expect(isValidCreditCode('91350100M000100Y4')).toBe(false);
    expect(isValidCreditCode('91350100M000100Y433')).toBe(false);
    expect(() => creditCodeCheckChar('91350100I000100Y4')).toThrow();
    expect(() => creditCodeCheckChar('91350100M000100Y')).toThrow();
    expect(creditCodeProblem('91350100M000100Y44')).toBe('CHECK_CHAR');
  });

  it('property: any 17-char prefix + computed check char is valid; a changed character is not', () => {
    const ch = fc.constantFrom(...CREDIT_CODE_CHARSET);
    const digit = fc.constantFrom(...'0123456789');
    fc.assert(
      fc.property(
        fc.tuple(ch, ch),
        fc.array(digit, { minLength: 6, maxLength: 6 }),
        fc.array(ch, { minLength: 9, maxLength: 9 }),
        fc.nat({ max: 16 }),
        fc.integer({ min: 1, max: 30 }),
        ([a, b], div, org, pos, delta) => {
          const first17 = a + b + div.join('') + org.join('');
          const code = first17 + creditCodeCheckChar(first17);
          expect(isValidCreditCode(code)).toBe(true);
          const pool = pos >= 2 && pos <= 7 ? '0123456789' : CREDIT_CODE_CHARSET;
          const i = pool.indexOf(code[pos]);
          const replacement = pool[(i + (delta % pool.length || 1)) % pool.length];
          const mutant = code.slice(0, pos) + replacement + code.slice(pos + 1);
          expect(isValidCreditCode(mutant)).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });
});
