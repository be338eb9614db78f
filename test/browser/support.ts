// Browser tests of the console: Debian's Chromium driven by playwright-core against the local runtime.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import axe from 'axe-core';
import { baseUrl } from '../support/http.ts';

export const OUTPUT = join(process.cwd(), '.local', 'test-output', 'browser');

/** How long a wait for a UI state may take before it fails (locators; `poll`). */
export const WAIT_MS = 60_000;

/** A browser test's own deadline (the project's default is a minute; a test here waits for several states). */
export const TEST_MS = 240_000;

/** expect.poll with the browser tests' deadline (vitest's own default is one second). */
export const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: WAIT_MS, interval: 100 });

export interface Opened {
  browser: Browser;
  page: Page;
  /** CSP violations and page errors seen (the console must cause none). */
  problems: string[];
  close(): Promise<void>;
}

export async function openConsole(): Promise<Opened> {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
  // a loaded machine (two cores, several test files and engineers at once) can take tens of seconds to
  // answer: every wait for a UI state gets a minute before it fails
  context.setDefaultTimeout(WAIT_MS);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
  });
  return { browser, page, problems, close: () => browser.close() };
}

/** Signs in through the development sign-in page with the chosen role and claim. */
export async function signIn(page: Page, role: 'member' | 'unit' | 'staff' | 'auditor', claim?: string) {
  await page.goto(`${baseUrl()}/`);
  await page.getByLabel('角色 role').selectOption(role);
  if (role === 'member') await page.getByLabel('个人账号 accountNo').fill(claim!);
  if (role === 'unit') await page.getByLabel('单位编号 unitId').fill(claim!);
  if (role === 'staff') await page.getByLabel('网点 branch（* = 全市）').fill(claim ?? '*');
  await page.getByRole('button', { name: '登录 Sign in' }).click();
  await page.getByRole('button', { name: '退出 Sign out' }).waitFor();
}

/** axe-core in the page (run through the debugger protocol, which the page's CSP does not govern): no serious or critical violation. */
export async function checkAccessibility(page: Page) {
  await page.evaluate(axe.source);
  const result: any = await page.evaluate("axe.run(document, { resultTypes: ['violations'] })");
  const bad = result.violations.filter((v: any) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v: any) => `${v.id}: ${v.help} — ${v.nodes.map((n: any) => n.target.join(' ')).slice(0, 3).join(', ')}`)).toEqual([]);
}

export async function screenshot(page: Page, name: string) {
  mkdirSync(OUTPUT, { recursive: true });
  const path = join(OUTPUT, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
