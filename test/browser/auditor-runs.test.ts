// An auditor starts the electronic audit and a bank reconciliation from the console and follows each
// run: the console polls the run's status (GET …/{runId}) while it is RUNNING, shows how far it is, and
// stops once it is finished.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Response } from 'playwright-core';
import { auditorToken, call } from '../support/http.ts';
import { POLICY_HISTORY_START } from '../../shared/schemas.ts';
import { checkAccessibility, openConsole, poll, screenshot, signIn, type Opened } from './support.ts';

let o: Opened;
beforeAll(async () => {
  o = await openConsole();
});
afterAll(async () => o?.close());

// an audit run scans the whole store (every account of every test file so far): minutes at worst
const RUN_MS = 200_000;

describe('console: auditor runs', () => {
  it('starts an audit run and a bank reconciliation and follows them until they are finished', { timeout: RUN_MS + 60_000 }, async () => {
    const { page } = o;
    // every answer the console got while following a run, in the order they arrived
    const answers: Promise<{ path: string; body: any }>[] = [];
    const follow = (r: Response) => {
      const path = new URL(r.url()).pathname;
      if (r.request().method() === 'GET' && /^\/v1\/(supervision\/audit-runs|bank\/reconciliations)\/[^/]+$/.test(path)) answers.push(r.json().then((body) => ({ path, body })));
    };
    page.on('response', follow);
    await signIn(page, 'auditor');
    await page.getByRole('button', { name: '稽核与对账' }).click();

    const audit = page.getByRole('region', { name: '电子稽核 Audit run' });
    await audit.getByRole('button', { name: '立即稽核 Run now' }).click();
    const started = audit.getByRole('status').filter({ hasText: '已启动' });
    await started.waitFor();
    const runId = /已启动 (\S+)/.exec((await started.textContent())!)![1];
    expect(runId).toMatch(/^AR/);
    await audit.locator('[data-run-status="COMPLETED"]').waitFor({ timeout: RUN_MS });
    const run = (await call('GET', `/v1/supervision/audit-runs/${runId}`, { token: await auditorToken() })).body;
    expect(run.status).toBe('COMPLETED');
    expect(run.segments.done).toBe(run.segments.total);
    expect(await audit.getByTestId('run-progress').textContent()).toBe(`${run.segments.total}/${run.segments.total}`);
    expect(await audit.textContent()).toContain(`已稽核账户 accounts：${run.accounts}`);
    await screenshot(page, 'auditor-audit-run');
    await checkAccessibility(page);

    // a reconciliation of a day with no movement (the policy history's first day): no difference to raise
    const reconciliation = page.getByRole('region', { name: '银行对账 Bank reconciliation' });
    await reconciliation.getByLabel('对账日 date').fill(POLICY_HISTORY_START);
    await reconciliation.getByRole('button', { name: '对账 Reconcile' }).click();
    const reconStarted = reconciliation.getByRole('status').filter({ hasText: '已启动' });
    await reconStarted.waitFor();
    const reconId = /已启动 (\S+)/.exec((await reconStarted.textContent())!)![1];
    const shown = reconciliation.locator('[data-run-status]');
    await expect.poll(() => shown.getAttribute('data-run-status'), { timeout: RUN_MS, interval: 100 }).toMatch(/^(COMPLETED|INCOMPLETE)$/);
    const recon = (await call('GET', `/v1/bank/reconciliations/${reconId}`, { token: await auditorToken() })).body;
    expect(await shown.getAttribute('data-run-status')).toBe(recon.status);
    expect(recon.date).toBe(POLICY_HISTORY_START);
    expect(recon.findingsTotal).toBe(0);
    // every special account of every bank, as the API lists them (the local bank simulator's among them)
    expect(recon.accounts.length).toBeGreaterThan(0);
    await poll(() => reconciliation.getByRole('table', { name: '对账账户' }).locator('tbody tr').count()).toBe(recon.accounts.length);
    await screenshot(page, 'auditor-reconciliation');
    await checkAccessibility(page);

    // the console polled each run while it ran and stopped at its first finished answer
    page.off('response', follow);
    const seen = await Promise.all(answers);
    for (const [path, final] of [[`/v1/supervision/audit-runs/${runId}`, 'COMPLETED'], [`/v1/bank/reconciliations/${reconId}`, recon.status]] as const) {
      const statuses = seen.filter((a) => a.path === path).map((a) => a.body.status);
      expect(statuses.length, path).toBeGreaterThan(0);
      expect(statuses.at(-1)).toBe(final);
      expect(statuses.slice(0, -1).every((s) => s === 'RUNNING'), `${path}: ${statuses.join(' ')}`).toBe(true);
    }
    console.log(`audit run ${runId}: ${seen.filter((a) => a.path.endsWith(runId)).length} answers polled (${run.segments.total} segments, ${run.accounts} accounts)`);
    expect(o.problems).toEqual([]);
  });
});
