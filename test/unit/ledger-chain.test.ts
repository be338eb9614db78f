// The ledger's hash chain (shared/ledger/chain.ts), pure: golden hashes (computed independently, with
// Python's hashlib over the canonical JSON written out here), the chain the ledger's postings build,
// entries written before the chain existed, and a property test: any edit, deletion, reordering or
// insertion of a chain's entries is detected.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { CHAIN_VERSION, HASHED_FIELDS, canonicalEntryJson, chainEntries, entryHash, genesisHash, verifyChain, type ChainedEntry } from '../../shared/ledger/chain.ts';
import { applyPostings, type Account, type Entry, type EntryType, type Posting } from '../../shared/ledger/account.ts';
import { canonicalJson } from '../../shared/canonical.ts';
import { createHash } from 'node:crypto';
import { flexibleAccount } from '../support/accounts.ts';

const GENESIS_A1 = '4462466ed038ef485af42f4805c5e7efd34ee321caf62d030e97a2e4c0925d39';
const H1 = 'a4cd8038d507392a9a2a162696a6dd6a8c6fd7a431a64c6c3a3ed85a6e7de6fc';
const H2 = '5d0a9e964e6e918810d70eade422a9ae71505febc2dcb3c6c88ab1da079c6c93';

const e1 = { entryId: 'A1-1', accountNo: 'A1', seq: 1, type: 'DEPOSIT', amountFen: 50_000, balanceAfterFen: 50_000, ref: 'R1', valueDate: '2025-01-01', occurredAt: '2025-01-01T00:00:00.000Z', branch: 'SC' };
const e2 = { entryId: 'A1-2', accountNo: 'A1', seq: 2, type: 'INTEREST', amountFen: -1, balanceAfterFen: 49_999, ref: 'INTEREST-2025', valueDate: '2025-07-01', occurredAt: '2025-07-01T00:00:00.000Z', branch: 'SC', period: '2025-06', entryKey: 'INTEREST-2025', memo: '结息 "年度"' };

describe('hash chain: golden values', () => {
  it('genesis and entry hashes are SHA-256 over the version line and the canonical JSON of the facts and prevHash', () => {
    expect(CHAIN_VERSION).toBe('hpf-ledger-chain/1');
    expect(genesisHash('A1')).toBe(GENESIS_A1);
    expect(genesisHash('A2')).not.toBe(GENESIS_A1);
    // the exact bytes hashed, written out
    const canonical1 = `{"accountNo":"A1","amountFen":50000,"balanceAfterFen":50000,"branch":"SC","entryId":"A1-1","occurredAt":"2025-01-01T00:00:00.000Z","prevHash":"${GENESIS_A1}","ref":"R1","seq":1,"type":"DEPOSIT","valueDate":"2025-01-01"}`;
    expect(canonicalJson({ ...e1, prevHash: GENESIS_A1 })).toBe(canonical1);
    expect(createHash('sha256').update(`hpf-ledger-chain/1\n${canonical1}`).digest('hex')).toBe(H1);
    expect(entryHash(e1, GENESIS_A1)).toBe(H1);
    expect(entryHash(e2, H1)).toBe(H2);
  });

  it('an undefined field hashes as an absent one (DynamoDB stores neither); fields outside the facts do not count', () => {
    expect(entryHash({ ...e1, period: undefined, memo: undefined, entryKey: undefined }, GENESIS_A1)).toBe(H1);
    expect(entryHash({ ...e1, hash: 'x', prevHash: 'y', pk: 'ACC#A1' } as typeof e1, GENESIS_A1)).toBe(H1);
  });

  it('the entry serializer is canonical JSON of the facts present with prevHash (property)', () => {
    const value = fc.oneof(fc.string(), fc.integer(), fc.constant(undefined));
    fc.assert(
      fc.property(fc.record(Object.fromEntries(HASHED_FIELDS.map((f) => [f, value]))), fc.string(), (raw, prevHash) => {
        const e = { ...raw, accountNo: String(raw.accountNo), seq: 1 };
        const present = Object.fromEntries(Object.entries({ ...e, prevHash }).filter(([, v]) => v !== undefined));
        expect(canonicalEntryJson(e, prevHash)).toBe(canonicalJson(present));
      }),
    );
  });

  it('chainEntries links from the head and returns the new head', () => {
    const { entries, head } = chainEntries('A1', {}, [e1, e2]);
    expect(entries.map((e) => [e.prevHash, e.hash])).toEqual([
      [GENESIS_A1, H1],
      [H1, H2],
    ]);
    expect(head).toEqual({ chainHash: H2, chainSeq: 2 });
    expect(verifyChain({ accountNo: 'A1', version: 2, ...head }, entries)).toEqual({ intact: true, chainStartSeq: 1, hashedEntries: 2, problems: [] });
    // continuing from a head
    const second = chainEntries('A1', { chainHash: H1, chainSeq: 1 }, [e2]);
    expect(second.entries[0]).toMatchObject({ prevHash: H1, hash: H2 });
    expect(chainEntries('A1', { chainHash: H1, chainSeq: 1 }, []).head).toEqual({ chainHash: H1, chainSeq: 1 });
  });

  it('names each kind of break', () => {
    const chained = chainEntries('A1', {}, [e1, e2, { ...e1, entryId: 'A1-3', seq: 3, balanceAfterFen: 99_999 }]);
    const acc = { accountNo: 'A1', version: 3, ...chained.head };
    const [c1, c2, c3] = chained.entries;
    const problems = (entries: ChainedEntry[], account = acc) => verifyChain(account, entries).problems;
    expect(problems([c1, { ...c2, amountFen: -100 }, c3])).toEqual([{ problem: 'ALTERED', seq: 2, entryId: 'A1-2' }]);
    expect(problems([c1, c3])).toEqual([
      { problem: 'MISSING', seq: 2, throughSeq: 2 },
      { problem: 'LINK_BROKEN', seq: 3, entryId: 'A1-3' },
    ]);
    expect(problems([c1, c2])).toEqual([
      { problem: 'MISSING', seq: 3, throughSeq: 3 },
      { problem: 'HEAD_MISMATCH', headSeq: 3, lastHashedSeq: 2 },
    ]);
    expect(problems([c1, c3, c2])).toContainEqual({ problem: 'OUT_OF_ORDER', seq: 2, afterSeq: 3 });
    const { hash: _h, prevHash: _p, ...unhashed } = c2;
    expect(problems([c1, unhashed, c3])).toEqual([
      { problem: 'UNHASHED', seq: 2, entryId: 'A1-2' },
      { problem: 'LINK_BROKEN', seq: 3, entryId: 'A1-3' },
    ]);
    expect(problems([c1, c2, c3], { ...acc, chainHash: undefined, chainSeq: undefined })).toEqual([{ problem: 'HEAD_MISMATCH', headSeq: undefined, lastHashedSeq: 3 }]);
    // the same chain on another account number does not verify: the genesis value differs
    expect(problems([c1, c2, c3], { ...acc, accountNo: 'A2' })).toContainEqual({ problem: 'LINK_BROKEN', seq: 1, entryId: 'A1-1' });
  });
});

// ---------- the chain the ledger's postings build ----------

const account = (over: Partial<Account> = {}): Account => flexibleAccount({ accountNo: 'A9', idNumber: '110101199003070000', name: '测试', balanceFen: 0, version: 0, rev: 0, accrualYear: 2025, accrualDate: '2025-01-01', ...over });
const posting = (amountFen: number, i: number): Posting => ({ amountFen, type: 'DEPOSIT', ref: `R${i}`, valueDate: '2025-02-01', ...(i % 2 ? { period: '2025-02', memo: `m${i}` } : {}) });
const idOf = (seq: number) => `A9-${seq}`;

describe('applyPostings chains its entries', () => {
  it('over several writes: each entry links to the one before, the account keeps the head', () => {
    let a = account();
    const all: Entry[] = [];
    for (const [i, amounts] of [[100, 200], [300], [-50, 70, 80]].entries()) {
      const out = applyPostings(a, amounts.map(posting), `2025-02-0${i + 1}T00:00:00.000Z`, idOf);
      a = out.account;
      all.push(...out.entries);
    }
    expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(all[0].prevHash).toBe(genesisHash('A9'));
    for (let i = 1; i < all.length; i++) expect(all[i].prevHash).toBe(all[i - 1].hash);
    expect(a).toMatchObject({ version: 6, chainSeq: 6, chainHash: all[5].hash });
    expect(verifyChain(a, all)).toMatchObject({ intact: true, chainStartSeq: 1, hashedEntries: 6 });
  });

  it('entries written before the chain existed are outside it: the chain starts at the first hashed entry, which links to the genesis value', () => {
    const legacy: Entry[] = [1, 2, 3].map((seq) => ({ entryId: idOf(seq), accountNo: 'A9', seq, type: 'DEPOSIT', amountFen: 100, balanceAfterFen: 100 * seq, ref: 'old', valueDate: '2024-01-01', occurredAt: '2024-01-01T00:00:00.000Z', branch: 'SC' }));
    const before = account({ version: 3, balanceFen: 300 });
    expect(verifyChain(before, legacy)).toEqual({ intact: true, chainStartSeq: undefined, hashedEntries: 0, problems: [] });
    const out = applyPostings(before, [posting(50, 0), posting(60, 1)], '2025-02-01T00:00:00.000Z', idOf);
    expect(out.entries[0]).toMatchObject({ seq: 4, prevHash: genesisHash('A9') });
    expect(verifyChain(out.account, [...legacy, ...out.entries])).toMatchObject({ intact: true, chainStartSeq: 4, hashedEntries: 2 });
    // a legacy entry deleted still shows, as a gap in the sequence
    expect(verifyChain(out.account, [legacy[0], legacy[2], ...out.entries]).problems).toEqual([{ problem: 'MISSING', seq: 2, throughSeq: 2 }]);
    // the first hashed entry stripped of its hash (made to look older) breaks the link of the next
    const { hash: _h, prevHash: _p, ...stripped } = out.entries[0];
    expect(verifyChain(out.account, [...legacy, stripped, out.entries[1]]).problems).toContainEqual({ problem: 'LINK_BROKEN', seq: 5, entryId: idOf(5) });
  });
});

// ---------- property: any tampering is detected ----------

const entryTypes: EntryType[] = ['REMITTANCE', 'DEPOSIT', 'WITHDRAWAL', 'INTEREST', 'REVERSAL'];
const arbFacts = fc.record({
  type: fc.constantFrom(...entryTypes),
  amountFen: fc.integer({ min: -1_000_000, max: 1_000_000 }).filter((n) => n !== 0),
  ref: fc.string({ minLength: 1, maxLength: 12 }),
  period: fc.option(fc.constantFrom('2025-01', '2025-02', '2026-12'), { nil: undefined }),
  memo: fc.option(fc.string({ maxLength: 8 }), { nil: undefined }),
  entryKey: fc.option(fc.string({ minLength: 1, maxLength: 8 }), { nil: undefined }),
});

/** A chain of n ≥ 1 entries after `legacy` unhashed ones, with its account head. */
const arbChain = fc
  .record({ legacy: fc.nat({ max: 3 }), facts: fc.array(arbFacts, { minLength: 1, maxLength: 12 }) })
  .map(({ legacy, facts }) => {
    let balance = 0;
    const raw = [...Array.from({ length: legacy }, () => ({ type: 'DEPOSIT' as EntryType, amountFen: 100, ref: 'old', period: undefined, memo: undefined, entryKey: undefined })), ...facts].map((f, i) => {
      balance += f.amountFen;
      return { entryId: `ACC-${i + 1}`, accountNo: 'ACC', seq: i + 1, balanceAfterFen: balance, valueDate: '2025-03-01', occurredAt: `2025-03-01T00:00:${String(i).padStart(2, '0')}.000Z`, branch: 'SC', ...f };
    });
    const chained = chainEntries('ACC', {}, raw.slice(legacy));
    const entries: ChainedEntry[] = [...raw.slice(0, legacy), ...chained.entries];
    return { legacy, entries, account: { accountNo: 'ACC', version: raw.length, ...chained.head } };
  });

const changed = (field: (typeof HASHED_FIELDS)[number], v: unknown): unknown => {
  if (typeof v === 'number') return field === 'seq' ? v + 100 : v + 1;
  if (typeof v === 'string') return `${v}x`;
  return 'x'; // an absent optional field given a value
};

describe('hash chain: any tampering is detected (property)', () => {
  it('an untouched chain verifies', () => {
    fc.assert(
      fc.property(arbChain, ({ entries, account: acc }) => {
        expect(verifyChain(acc, entries).problems).toEqual([]);
      }),
    );
  });

  it('an edited hashed field, with or without the entry re-hashed, is detected', () => {
    fc.assert(
      fc.property(arbChain, fc.nat(), fc.constantFrom(...HASHED_FIELDS), fc.boolean(), ({ legacy, entries, account: acc }, pick, field, rehash) => {
        const i = legacy + (pick % (entries.length - legacy));
        const e = { ...entries[i], [field]: changed(field, entries[i][field]) } as ChainedEntry;
        if (rehash) e.hash = entryHash(e, e.prevHash!); // the editor recomputes the entry's own hash
        const tampered = entries.map((x, j) => (j === i ? e : x));
        expect(verifyChain(acc, tampered).intact).toBe(false);
      }),
    );
  });

  it('a deleted entry is detected, also when the account is rolled back to hide a deleted last entry', () => {
    fc.assert(
      fc.property(arbChain, fc.nat(), fc.boolean(), ({ legacy, entries, account: acc }, pick, rollBack) => {
        const i = legacy + (pick % (entries.length - legacy));
        const tampered = entries.filter((_x, j) => j !== i);
        const hidden = rollBack && i === entries.length - 1 ? { ...acc, version: acc.version - 1 } : acc;
        expect(verifyChain(hidden, tampered).intact).toBe(false);
      }),
    );
  });

  it('reordered entries are detected, with or without their seqs renumbered to the new order', () => {
    fc.assert(
      fc.property(arbChain, fc.nat(), fc.nat(), fc.boolean(), ({ entries, account: acc }, a, b, renumber) => {
        const i = a % entries.length;
        const j = b % entries.length;
        fc.pre(i !== j && (entries[i].hash !== undefined || entries[j].hash !== undefined));
        const swapped = [...entries];
        [swapped[i], swapped[j]] = [swapped[j], swapped[i]];
        const tampered = renumber ? swapped.map((e, k) => ({ ...e, seq: k + 1 })) : swapped;
        expect(verifyChain(acc, tampered).intact).toBe(false);
      }),
    );
  });

  it('an entry inserted into the chain (hashed or not) is detected', () => {
    fc.assert(
      fc.property(arbChain, fc.nat(), fc.boolean(), ({ legacy, entries, account: acc }, pick, hashed) => {
        const at = legacy + 2 + (pick % (entries.length - legacy)); // the seq it takes: after the chain's first entry, up to the end
        const planted: ChainedEntry = { entryId: 'ACC-planted', accountNo: 'ACC', seq: at, type: 'WITHDRAWAL', amountFen: -1, balanceAfterFen: 0, ref: 'planted', valueDate: '2025-03-01', occurredAt: '2025-03-01T00:00:59.000Z', branch: 'SC' };
        const prev = entries[at - 2];
        const inserted = hashed ? { ...planted, prevHash: prev.hash, hash: entryHash(planted, prev.hash!) } : planted;
        const renumbered = [...entries.slice(0, at - 1), inserted, ...entries.slice(at - 1).map((e) => ({ ...e, seq: e.seq + 1 }))];
        expect(verifyChain({ ...acc, version: acc.version + 1 }, renumbered).intact).toBe(false);
      }),
    );
  });
});
