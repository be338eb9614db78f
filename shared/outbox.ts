// Sends that follow a commit (no dual writes): a record is committed with what is to be sent and a
// `dueAt`; the send happens after the commit; a sweeper re-sends whatever is still pending after its
// `dueAt` (a crash between commit and send, a lost message, a refused send). Two pieces every domain
// that sends to a remote party (a bank, a partner center) or to a queue after its commit shares:
//
// - `sendAfterCommit`: the send after the commit, whose failure is only logged (the sweeper relays it);
// - `claimSend`: the lease a worker takes on a record before it sends it to a remote party, so that a
//   redelivered message or the sweeper finding it meanwhile sends nothing (a remote party gets it once
//   per attempt). The claim (`sendingUntil`) also pushes `dueAt` past its end: the sweeper re-sends
//   only a record whose worker died mid-send. `released` takes the claim off once the send is over.
import { commit } from './tx.ts';
import { isoAfter, now } from './clock.ts';
import type { Logger } from './log.ts';
import type { TxItem } from './ddb.ts';

/** Runs the send of what a commit recorded; a failure is logged, never thrown: the record is pending and the sweeper re-sends it. */
export async function sendAfterCommit(what: string, send: (() => Promise<void>) | undefined, log: Pick<Logger, 'warn'> | undefined, context: Record<string, unknown> = {}): Promise<void> {
  if (!send) return;
  try {
    await send();
  } catch (error) {
    log?.warn('send after commit failed; the sweeper re-sends it', { what, ...context, error });
  }
}

/** A record sent to a remote party under a lease. */
export interface Leased {
  /** The end of the live claim of its send (ISO); absent when nobody holds one. */
  sendingUntil?: string;
  /** When the sweeper is to send it again (ISO); absent once nothing is to be sent. */
  dueAt?: string;
}

export interface SendClaim<R extends Leased> {
  /** The record as it is now (a consistent read); undefined when there is none. */
  read: () => Promise<R | undefined>;
  /** Whether it is still to be sent (not yet acknowledged, not final). */
  pending: (r: R) => boolean;
  /** How long the claim holds: longer than the send may take. */
  leaseMs: number;
  /** The conditional write of the claimed record over the one read, at `at` (it fails when another worker claimed it meanwhile: the commit re-plans). */
  write: (claimed: R, read: R, at: string) => TxItem;
}

/**
 * Claims the send of a record: the record with `sendingUntil` (now + leaseMs) and its `dueAt` at the
 * claim's end at the earliest, committed conditionally. Undefined when there is nothing to send for
 * this worker: no record, not pending, or a live claim of another worker.
 */
export async function claimSend<R extends Leased>(c: SendClaim<R>): Promise<R | undefined> {
  const out = await commit({
    plan: async () => {
      const r = await c.read();
      const at = now();
      if (!r || !c.pending(r) || (r.sendingUntil && r.sendingUntil > at.toISOString())) return { items: [], body: undefined };
      const until = isoAfter(at, c.leaseMs);
      const claimed: R = { ...r, sendingUntil: until, dueAt: r.dueAt && r.dueAt > until ? r.dueAt : until };
      return { items: [c.write(claimed, r, at.toISOString())], body: claimed };
    },
  });
  return out.body;
}

/** The record without its claim (the send is over: its outcome recorded, or the claim given back). */
export function released<R extends Leased>(r: R): Omit<R, 'sendingUntil'> {
  const { sendingUntil: _released, ...rest } = r;
  return rest;
}
