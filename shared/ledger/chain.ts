// Tamper evidence, pure (in the manner of Formance's hash-chained log): every entry of an account
// carries `hash` = SHA-256 over the canonical JSON of its immutable facts and `prevHash`, the hash of
// the account's previous entry; the first entry of an account's chain links to a genesis value
// derived from the account number. The account keeps the head (`chainHash` of the entry at
// `chainSeq`), and the next posting is conditioned on it in the posting's own transaction.
//
// An edited entry (any hashed field) no longer matches its hash; one re-hashed after the edit no
// longer matches the next entry's `prevHash` (or the account's head); a deleted entry leaves a gap
// in the sequence and a broken link; reordered entries break the sequence and the links.
//
// Entries written before the chain existed carry no hash: they are outside it. An account's chain
// starts at its first hashed entry (which links to the genesis value whatever its seq); from there
// on every entry must be hashed. The sequence check (seq 1 … version without a gap or a repeat)
// covers every entry, hashed or not.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical.ts';

/** Bumped if the hashed shape ever changes (entries keep the version they were hashed with). */
export const CHAIN_VERSION = 'hpf-ledger-chain/1';

/** The entry facts the hash covers: everything an entry states, nothing derived or mutable. */
export const HASHED_FIELDS = ['entryId', 'accountNo', 'seq', 'type', 'amountFen', 'balanceAfterFen', 'period', 'ref', 'valueDate', 'occurredAt', 'branch', 'entryKey', 'memo'] as const;

export type ChainFacts = { [K in (typeof HASHED_FIELDS)[number]]?: unknown } & { accountNo: string; seq: number };

/** An entry as stored: its facts and, when it is in the chain, its links. */
export type ChainedEntry = ChainFacts & { hash?: string; prevHash?: string };

/** The account's head: hash and seq of its last hashed entry (absent before its first). */
export interface ChainHead {
  chainHash?: string;
  chainSeq?: number;
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/** The value the first entry of an account's chain links to. */
export const genesisHash = (accountNo: string): string => sha256(`${CHAIN_VERSION}\ngenesis\n${accountNo}`);

const SORTED_KEYS = [...HASHED_FIELDS, 'prevHash' as const].sort().map((k) => [k, `${JSON.stringify(k)}:`] as const);

/**
 * The canonical JSON (keys sorted, shared/canonical.ts) of the hashed fields present with `prevHash`:
 * an absent field and an undefined one are the same (DynamoDB stores neither). Written out over the
 * fixed key order: the audit hashes every entry of every account.
 */
export function canonicalEntryJson(e: ChainFacts, prevHash: string): string {
  let out = '';
  for (const [k, quoted] of SORTED_KEYS) {
    const v = k === 'prevHash' ? prevHash : e[k];
    if (v === undefined) continue;
    out += `${out ? ',' : ''}${quoted}${canonicalJson(v)}`;
  }
  return `{${out}}`;
}

/** The hash of an entry linked to `prevHash`: SHA-256 (hex) of the version line and `canonicalEntryJson`. */
export const entryHash = (e: ChainFacts, prevHash: string): string => sha256(`${CHAIN_VERSION}\n${canonicalEntryJson(e, prevHash)}`);

/** Links entries (in seq order) after the head: each gets `prevHash` and `hash`; returns them and the new head. */
export function chainEntries<E extends ChainFacts>(accountNo: string, head: ChainHead, entries: readonly E[]): { entries: (E & { prevHash: string; hash: string })[]; head: ChainHead } {
  let prev = head.chainHash ?? genesisHash(accountNo);
  let seq = head.chainSeq;
  const out = entries.map((e) => {
    const hash = entryHash(e, prev);
    const linked = { ...e, prevHash: prev, hash };
    prev = hash;
    seq = e.seq;
    return linked;
  });
  return { entries: out, head: entries.length ? { chainHash: prev, chainSeq: seq } : { ...head } };
}

export type ChainProblem =
  /** the entry's facts no longer give its hash */
  | { problem: 'ALTERED'; seq: number; entryId?: unknown }
  /** the entry's `prevHash` is not its predecessor's hash (the genesis value for the first) */
  | { problem: 'LINK_BROKEN'; seq: number; entryId?: unknown }
  /** an entry without hash after the chain started */
  | { problem: 'UNHASHED'; seq: number; entryId?: unknown }
  /** entries `seq` … `throughSeq` are not there */
  | { problem: 'MISSING'; seq: number; throughSeq: number }
  /** an entry whose seq does not follow its predecessor's (repeated or out of order) */
  | { problem: 'OUT_OF_ORDER'; seq: number; afterSeq: number }
  /** the account's head does not name the last hashed entry */
  | { problem: 'HEAD_MISMATCH'; headSeq?: number; lastHashedSeq?: number };

export interface ChainVerification {
  intact: boolean;
  /** Seq of the first hashed entry (undefined: no entry is in the chain yet). */
  chainStartSeq?: number;
  /** Entries checked against their hash. */
  hashedEntries: number;
  problems: ChainProblem[];
}

/**
 * Verifies an account's entries, in the order stored (oldest first), against the account's head and
 * its version (the seq of its last entry). Pure, one hash per entry. Entries with a seq above the
 * version (posted after the account was read) are the caller's to leave out.
 */
export function verifyChain(account: ChainHead & { accountNo: string; version: number }, entries: readonly ChainedEntry[]): ChainVerification {
  const problems: ChainProblem[] = [];
  let expectedSeq = 1;
  let lastSeq = 0;
  let prev: string | undefined; // hash of the last hashed entry; undefined before the chain starts
  let lastHashedSeq: number | undefined;
  let chainStartSeq: number | undefined;
  let hashedEntries = 0;
  for (const e of entries) {
    if (e.seq > expectedSeq) problems.push({ problem: 'MISSING', seq: expectedSeq, throughSeq: e.seq - 1 });
    else if (e.seq < expectedSeq) problems.push({ problem: 'OUT_OF_ORDER', seq: e.seq, afterSeq: lastSeq });
    expectedSeq = Math.max(expectedSeq, e.seq + 1);
    lastSeq = e.seq;
    if (e.hash === undefined) {
      if (prev !== undefined) problems.push({ problem: 'UNHASHED', seq: e.seq, entryId: e.entryId });
      continue;
    }
    hashedEntries++;
    chainStartSeq ??= e.seq;
    const expectedPrev = prev ?? genesisHash(account.accountNo);
    if (e.prevHash !== expectedPrev) problems.push({ problem: 'LINK_BROKEN', seq: e.seq, entryId: e.entryId });
    if (typeof e.prevHash !== 'string' || entryHash(e, e.prevHash) !== e.hash) problems.push({ problem: 'ALTERED', seq: e.seq, entryId: e.entryId });
    prev = e.hash;
    lastHashedSeq = e.seq;
  }
  if (expectedSeq <= account.version) problems.push({ problem: 'MISSING', seq: expectedSeq, throughSeq: account.version });
  if (account.chainHash !== prev || (prev !== undefined && account.chainSeq !== lastHashedSeq)) problems.push({ problem: 'HEAD_MISMATCH', headSeq: account.chainSeq, lastHashedSeq });
  return { intact: problems.length === 0, chainStartSeq, hashedEntries, problems };
}
