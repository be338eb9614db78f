// Daily bank reconciliation (银行对账, api.md "Banks and settlement"): for every registered bank's
// special accounts, the statement of the day (our signed GET {apiBaseUrl}/v1/statements?accountNo=&date=,
// signed as payment orders are) against our arrival notices (CREDIT, value-dated that day) and our
// settled payments (DEBIT, settled that business day) on the account. Every difference is a CRITICAL
// finding of rule BANK_RECONCILIATION recorded by supervision (its public.ts: the same difference
// found again is the same finding, a resolved one found again reopens), naming the line or our record.
// A statement that cannot be read leaves its account unreconciled (`error`) and the run INCOMPLETE.
// Our old open items are findings too (issue 16 item 5), whatever the statements say: every suspense
// item still OPEN and every payment order still ORDERED whose age at the run's date reached its
// threshold (domain/rules.ts: SUSPENSE_FINDING_DAYS, PAYMENT_FINDING_DAYS), one HIGH finding of rule
// BANK_RECONCILIATION per item (kinds AGED_SUSPENSE, UNSETTLED_PAYMENT), counted in the run.
//
// Run synchronously in the settlement-http function for now (a city has a few special accounts;
// statements are read a few at a time). The scheduled task `reconcile` runs it for yesterday.
import * as z from '../../../shared/zod.ts';
import { commit, type IdempotencyContext } from '../../../shared/tx.ts';
import { addDays, businessDate, now } from '../../../shared/clock.ts';
import { inPool } from '../../../shared/pool.ts';
import { centerCode } from '../../../shared/config.ts';
import { fail } from '../../../shared/errors.ts';
import { derivedId, newId } from '../../../shared/ids.ts';
import { signedHeaders } from '../../../shared/signature.ts';
import { YUAN_PATTERN, fenToYuan, yuanToFen } from '../../../shared/money.ts';
import type { Caller } from '../../../shared/auth.ts';
import type { Logger } from '../../../shared/log.ts';
import { findingIdOf, findingItems } from '../../supervision/public.ts';
import { getPayment, getNotice, getRun, listBanks, noticesOn, openSuspenseReceivedBefore, orderedPaymentsBefore, paymentsSettledOn, putRunItem } from '../store.ts';
import { agedSince, agedSubject, agedSuspense, differenceSubject, matchStatement, dayBefore, unsettledPayments, type AgedItem, type Difference, type OurMovement, type StatementLineFacts } from '../domain/reconcile.ts';
import { AGED_ITEM_SEVERITY, PAYMENT_FINDING_DAYS, SUSPENSE_FINDING_DAYS } from '../domain/rules.ts';
import { reconciliationView, type Bank, type PaymentOrder, type ReconciledAccount, type ReconciliationFinding, type ReconciliationRun, type SuspenseItem } from '../domain/types.ts';
import { bankSecret } from './banks.ts';
import { requireCityLevel } from './suspense.ts';

export const RECONCILIATION_RULE = 'BANK_RECONCILIATION';
const STATEMENT_TIMEOUT_MS = 5_000;
/** Statements read at once. */
const PARALLEL = 8;
/** Findings listed on the run (all are recorded by supervision). */
const LISTED_FINDINGS = 500;

const statementBody = z.object({
  lines: z.array(
    z.object({
      lineId: z.string().check(z.minLength(1), z.maxLength(128)),
      direction: z.enum(['CREDIT', 'DEBIT']),
      amount: z.string().check(z.regex(YUAN_PATTERN)),
      reference: z.string().check(z.maxLength(256)),
      valueDate: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/)),
    }),
  ),
});

/** The statement of one account and day, read from its bank (signed); throws with a reason when it cannot be read. */
async function fetchStatement(bank: Bank, accountNo: string, date: string): Promise<StatementLineFacts[]> {
  const url = new URL(`${bank.apiBaseUrl.replace(/\/+$/, '')}/v1/statements`);
  url.searchParams.set('accountNo', accountNo);
  url.searchParams.set('date', date);
  const secret = await bankSecret(bank);
  const res = await fetch(url, { method: 'GET', headers: signedHeaders(centerCode(), secret, { method: 'GET', path: url.pathname, rawBody: '' }), signal: AbortSignal.timeout(STATEMENT_TIMEOUT_MS) });
  const text = await res.text();
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('statement is not JSON');
  }
  const parsed = statementBody.safeParse(json);
  if (!parsed.success) throw new Error('statement is not { lines: [{ lineId, direction, amount, reference, valueDate }] }');
  return parsed.data.lines.map((l) => ({ lineId: l.lineId, direction: l.direction, amountFen: yuanToFen(l.amount), reference: l.reference, valueDate: l.valueDate }));
}

/** Our movements on an account that day: notices value-dated `date`, payments settled that business day. */
async function ourMovements(bankCode: string, accountNo: string, date: string): Promise<OurMovement[]> {
  const [notices, payments] = await Promise.all([noticesOn(bankCode, accountNo, date), paymentsSettledOn(bankCode, accountNo, date)]);
  return [
    ...notices.map((n): OurMovement => ({ kind: 'NOTICE', id: n.notificationId, direction: 'CREDIT', amountFen: n.amountFen })),
    ...payments.map((p): OurMovement => ({ kind: 'PAYMENT', id: p.paymentId, direction: 'DEBIT', amountFen: p.amountFen })),
  ];
}

const lineEvidence = (l: StatementLineFacts) => ({ lineId: l.lineId, direction: l.direction, amount: fenToYuan(l.amountFen), reference: l.reference, valueDate: l.valueDate });
const oursEvidence = (o: OurMovement) => ({ kind: o.kind, id: o.id, direction: o.direction, amount: fenToYuan(o.amountFen) });

/** What we know of a stray line's reference elsewhere (an order not settled in our books, a notice of another day or account). */
async function knownAs(bankCode: string, l: StatementLineFacts): Promise<Record<string, unknown> | undefined> {
  if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(l.reference)) return undefined;
  if (l.direction === 'DEBIT') {
    const p = await getPayment(l.reference);
    return p ? { kind: 'PAYMENT', id: p.paymentId, status: p.status, fromAccountNo: p.fromAccountNo, amount: fenToYuan(p.amountFen), ...(p.settledAt ? { settledAt: p.settledAt } : {}) } : undefined;
  }
  const n = await getNotice(bankCode, l.reference);
  return n ? { kind: 'NOTICE', id: n.notificationId, accountNo: n.accountNo, valueDate: n.valueDate, amount: fenToYuan(n.amountFen) } : undefined;
}

/**
 * Reconciles every registered bank's special accounts for `date` (or only `banks`' — a test that
 * brings its own bank reconciles it alone), records the findings and the run.
 */
export async function reconcile(input: { runId: string; date: string; trigger: ReconciliationRun['trigger']; by?: string; banks?: readonly string[] }, log: Logger): Promise<ReconciliationRun> {
  const startedAt = now().toISOString();
  const only = input.banks ? new Set(input.banks) : undefined;
  const banks = (await listBanks()).filter((b) => !only || only.has(b.bankCode));
  const targets = banks.flatMap((bank) => bank.accounts.map((a) => ({ bank, accountNo: a.accountNo })));
  const results = await inPool(targets, PARALLEL, async ({ bank, accountNo }) => {
    let lines: StatementLineFacts[];
    try {
      lines = await fetchStatement(bank, accountNo, input.date);
    } catch (error) {
      log.warn('bank statement not read; account not reconciled', { bank: bank.bankCode, accountNo, date: input.date, error: (error as Error).message });
      const account: ReconciledAccount = { bankCode: bank.bankCode, accountNo, lines: 0, matched: 0, differences: 0, error: `statement not read: ${(error as Error).message}`.slice(0, 200) };
      return { account, findings: [] as ReconciliationFinding[] };
    }
    const ours = await ourMovements(bank.bankCode, accountNo, input.date);
    const { matched, differences } = matchStatement(lines, ours);
    const findings = await inPool(differences, 4, (d) => recordDifference(bank.bankCode, accountNo, d, input, startedAt));
    const account: ReconciledAccount = { bankCode: bank.bankCode, accountNo, lines: lines.length, matched: matched.length, differences: differences.length };
    return { account, findings };
  });
  const old = await oldOpenItems(input.date);
  const aged = [...old.suspense, ...old.payments].filter((a) => !only || only.has(a.bankCode));
  const agedFindings = await inPool(aged, 4, (a) => recordAged(a, input, startedAt));
  const findings = [...results.flatMap((r) => r.findings), ...agedFindings];
  const run: ReconciliationRun = {
    runId: input.runId,
    date: input.date,
    status: results.every((r) => !r.account.error) ? 'COMPLETED' : 'INCOMPLETE',
    trigger: input.trigger,
    accounts: results.map((r) => r.account),
    findings: findings.slice(0, LISTED_FINDINGS),
    findingsTotal: findings.length,
    aged: { suspense: aged.filter((a) => a.kind === 'AGED_SUSPENSE').length, unsettledPayments: aged.filter((a) => a.kind !== 'AGED_SUSPENSE').length },
    startedAt,
    finishedAt: now().toISOString(),
    ...(input.by ? { by: input.by } : {}),
  };
  await commit({ plan: async () => ({ items: [putRunItem(run)], body: null }) });
  return run;
}

/** One difference as a CRITICAL finding (its own commit: a day's differences may be many). */
async function recordDifference(bankCode: string, accountNo: string, d: Difference, run: { runId: string; date: string }, foundAt: string): Promise<ReconciliationFinding> {
  const subject = differenceSubject(bankCode, accountNo, d);
  const known = d.kind === 'UNKNOWN_LINE' && d.line ? await knownAs(bankCode, d.line) : undefined;
  const evidence = {
    kind: d.kind,
    date: run.date,
    bankCode,
    accountNo,
    ...(d.line ? { line: lineEvidence(d.line) } : {}),
    ...(d.ours ? { record: oursEvidence(d.ours) } : {}),
    ...(known ? { knownAs: known } : {}),
  };
  await commit({ plan: async () => ({ items: await findingItems({ rule: RECONCILIATION_RULE, severity: 'CRITICAL', subject, evidence, foundAt, runId: run.runId }), body: null }) });
  return {
    findingId: findingIdOf(RECONCILIATION_RULE, subject),
    kind: d.kind,
    subject,
    bankCode,
    accountNo,
    ...(d.line ? { lineId: d.line.lineId, reference: d.line.reference } : {}),
    ...(d.ours ? { record: { kind: d.ours.kind, id: d.ours.id } } : {}),
  };
}

/**
 * Our old open items at `date`: OPEN suspense and ORDERED orders that began SUSPENSE_FINDING_DAYS /
 * PAYMENT_FINDING_DAYS or more days before it, each with its record (for the evidence). The store is
 * asked by instant with a bound after the last old day's end — business dates are UTC+8
 * (shared/clock.ts), so every instant of a business date ≤ X is before X+1 T00:00Z — and the domain
 * keeps exactly the old ones.
 */
async function oldOpenItems(date: string) {
  const bound = (days: number) => `${addDays(agedSince(date, days), 1)}T00:00:00.000Z`;
  const [suspense, payments] = await Promise.all([openSuspenseReceivedBefore(bound(SUSPENSE_FINDING_DAYS)), orderedPaymentsBefore(bound(PAYMENT_FINDING_DAYS))]);
  const records = new Map<string, SuspenseItem | PaymentOrder>([...suspense.map((s) => [`S:${s.itemId}`, s] as const), ...payments.map((p) => [`P:${p.paymentId}`, p] as const)]);
  const withRecord = (a: AgedItem) => ({ ...a, record: records.get(`${a.kind === 'AGED_SUSPENSE' ? 'S' : 'P'}:${a.id}`)! });
  return { suspense: agedSuspense(suspense, date).map(withRecord), payments: unsettledPayments(payments, date).map(withRecord) };
}

const suspenseEvidence = (s: SuspenseItem) => ({ itemId: s.itemId, notificationId: s.notificationId, amount: fenToYuan(s.amountFen), valueDate: s.valueDate, payerName: s.payerName, reference: s.reference, receivedAt: s.receivedAt });
const paymentEvidence = (p: PaymentOrder) => ({ paymentId: p.paymentId, amount: fenToYuan(p.amountFen), purpose: p.purpose, reference: p.reference, source: p.source, delivery: p.delivery, attempts: p.attempts, orderedAt: p.orderedAt, ...(p.sentAt ? { sentAt: p.sentAt } : {}) });

/** One old open item as a HIGH finding (its own commit), its evidence what a clerk needs to chase it. */
async function recordAged(a: AgedItem & { record: SuspenseItem | PaymentOrder }, run: { runId: string; date: string }, foundAt: string): Promise<ReconciliationFinding> {
  const subject = agedSubject(a);
  const about = a.kind === 'AGED_SUSPENSE' ? { suspense: suspenseEvidence(a.record as SuspenseItem) } : { payment: paymentEvidence(a.record as PaymentOrder) };
  const evidence = { kind: a.kind, date: run.date, bankCode: a.bankCode, accountNo: a.accountNo, since: a.since, ageDays: a.ageDays, thresholdDays: a.kind === 'AGED_SUSPENSE' ? SUSPENSE_FINDING_DAYS : PAYMENT_FINDING_DAYS, ...about };
  await commit({ plan: async () => ({ items: await findingItems({ rule: RECONCILIATION_RULE, severity: AGED_ITEM_SEVERITY, subject, evidence, foundAt, runId: run.runId }), body: null }) });
  return { findingId: findingIdOf(RECONCILIATION_RULE, subject), kind: a.kind, subject, bankCode: a.bankCode, accountNo: a.accountNo, record: { kind: a.kind === 'AGED_SUSPENSE' ? 'SUSPENSE' : 'PAYMENT', id: a.id } };
}

/** POST /v1/bank/reconciliations (auditor): reconciled at once, 202 { runId }; the same Idempotency-Key: the same run. */
export async function startReconciliation(caller: Caller, date: string, idempotency: IdempotencyContext | undefined, log: Logger) {
  const runId = idempotency ? derivedId('BR', idempotency.scope, idempotency.key) : newId('BR');
  const out = await commit({
    idempotency,
    status: 202,
    plan: async () => {
      const existing = await getRun(runId);
      if (!existing) await reconcile({ runId, date, trigger: 'AUDITOR', by: caller.sub }, log);
      return { items: [], body: { runId } };
    },
  });
  return { status: out.status, body: out.body };
}

/** GET /v1/bank/reconciliations/{runId} (auditors, city-level staff). */
export async function readReconciliation(caller: Caller, runId: string) {
  requireCityLevel(caller);
  const run = await getRun(runId);
  if (!run) fail('NOT_FOUND', 'No such reconciliation run / 对账批次不存在');
  return reconciliationView(run!);
}

/** The scheduled task `reconcile`: yesterday (a business date), one run per day (re-run: the same run replaced). */
export async function reconcileYesterday(log: Logger, today: string = businessDate()) {
  const date = dayBefore(today);
  const run = await reconcile({ runId: derivedId('BR', 'SCHEDULE', date), date, trigger: 'SCHEDULE' }, log);
  return { runId: run.runId, date, status: run.status, findings: run.findingsTotal };
}
