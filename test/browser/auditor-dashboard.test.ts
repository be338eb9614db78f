// An auditor sees the fund dashboard with the 个贷率 chart and its 85% / 95% lines, and resolves a finding.
// Also measures the console's transferred size (gzip) and the time to an interactive dashboard.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditorToken, call } from '../support/http.ts';
import { uniqueBranch } from '../e2e/deposits-fixtures.ts';
import { addDays, businessDate, nowIso } from '../../shared/clock.ts';
import { putSnapshot, upsertFinding } from '../../functions/supervision/store.ts';
import { checkAccessibility, openConsole, poll, screenshot, signIn, TEST_MS, type Opened } from './support.ts';

let o: Opened;
beforeAll(async () => {
  o = await openConsole();
});
afterAll(async () => o?.close());

async function findingsOf(status: string, rule: string, subject: string) {
  const token = await auditorToken();
  const out: any[] = [];
  let cursor: string | undefined;
  do {
    const r = await call('GET', `/v1/supervision/findings?status=${status}&rule=${rule}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
    expect(r.status).toBe(200);
    out.push(...r.body.items.filter((f: any) => f.subject === subject));
    cursor = r.body.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

describe('console: auditor', { timeout: TEST_MS }, () => {
  it('shows the 个贷率 chart with its threshold lines and resolves a finding', async () => {
    // this file's own branch: three daily snapshots crossing the warning and the alert lines
    const branch = uniqueBranch('BA');
    const today = businessDate();
    const ratios = ['80', '86.5', '96'];
    for (const [i, r] of ratios.entries()) await putSnapshot(branch, addDays(today, i - 2), { date: addDays(today, i - 2), branch, personalLoanRatio: r, surplusFunds: '1000.00', overdueRate: '0', contributors: 3, netFlow: { net: '10.00' } });
    const subject = `浙(2026)杭州市不动产权第${randomUUID().slice(0, 7)}号`;
    await upsertFinding({ rule: 'PROPERTY_REUSE', severity: 'HIGH', subject, evidence: { accounts: ['test'] } }, `run-browser-${randomUUID()}`, nowIso());

    const { page } = o;
    await signIn(page, 'auditor');
    await page.waitForFunction(() => (globalThis as any).__dashboardReady !== undefined);
    const figures = (await page.evaluate(`(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const res = performance.getEntriesByType('resource');
      const console = [nav, ...res].filter((e) => !new URL(e.name).pathname.startsWith('/v1/') && !new URL(e.name).pathname.startsWith('/_local/'));
      return { transferredBytes: console.reduce((s, e) => s + e.transferSize, 0), encodedBodyBytes: console.reduce((s, e) => s + e.encodedBodySize, 0), decodedBodyBytes: console.reduce((s, e) => s + e.decodedBodySize, 0), dashboardReadyMs: Math.round(window.__dashboardReady) };
    })()`)) as { transferredBytes: number; encodedBodyBytes: number; decodedBodyBytes: number; dashboardReadyMs: number };
    console.log(`console figures: transferred ${(figures.transferredBytes / 1024).toFixed(1)} KB (gzip bodies ${(figures.encodedBodyBytes / 1024).toFixed(1)} KB, ${(figures.decodedBodyBytes / 1024).toFixed(1)} KB uncompressed); interactive dashboard ${figures.dashboardReadyMs} ms after navigation start (sign-in included)`);
    expect(figures.encodedBodyBytes).toBeGreaterThan(0);
    expect(figures.encodedBodyBytes).toBeLessThan(figures.decodedBodyBytes); // served gzip

    await page.getByLabel('网点 branch（空=全市）').fill(branch);
    await poll(() => page.getByRole('table', { name: '指标日快照' }).locator('tbody tr').count()).toBe(3);
    const chart = page.getByTestId('ratio-chart');
    await poll(() => chart.locator('canvas').count()).toBe(1);
    const legend = await chart.locator('.u-legend').textContent();
    expect(legend).toContain('预警线 85%');
    expect(legend).toContain('告警线 95%');
    expect(await chart.getAttribute('aria-label')).toBe('个贷率趋势图，预警线 85%，告警线 95%');
    await screenshot(page, 'auditor-dashboard');
    await checkAccessibility(page);

    await page.getByRole('button', { name: '稽核发现' }).click();
    await page.getByLabel('规则 rule').fill('PROPERTY_REUSE');
    await page.getByLabel('对象 subject').fill(subject);
    await page.getByRole('button', { name: `处理 ${subject}` }).click();
    await page.getByLabel(/处理说明 note/).fill('已核实：同一家庭共有产权');
    await page.getByRole('button', { name: '确认处理 Resolve' }).click();
    await page.getByRole('status').filter({ hasText: '已处理' }).waitFor();
    const resolved = await findingsOf('RESOLVED', 'PROPERTY_REUSE', subject);
    expect(resolved).toHaveLength(1);
    expect(resolved[0].resolution).toMatchObject({ note: '已核实：同一家庭共有产权' });
    expect(await findingsOf('OPEN', 'PROPERTY_REUSE', subject)).toHaveLength(0);
    await screenshot(page, 'auditor-findings');
    await checkAccessibility(page);
    expect(o.problems).toEqual([]);
  });
});
