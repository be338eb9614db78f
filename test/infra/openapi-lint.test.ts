// The OpenAPI document as a channel developer meets it: Redocly CLI's recommended rules find nothing
// (no warning, no error), and the TypeScript types openapi-typescript generates from it compile
// together with a small client written against them.
import { describe, it, expect } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import openapiTS, { astToString } from 'openapi-typescript';
import { OPENAPI_FILE, buildOpenApi, signedBodies } from '../../infra/openapi.ts';
import { problemCodes, type ProblemCode } from '../../shared/errors.ts';
import { functions, routes } from '../../infra/topology.ts';
import type { RouteSpec } from '../../shared/http.ts';
import { pathToFileURL } from 'node:url';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..', '..');

describe('OpenAPI for channel developers', () => {
  it("passes Redocly CLI's recommended rules without a warning", async () => {
    // the CLI itself (as in CI or on a developer's machine), on the committed document; it exits 1 on an error
    const out = await run(process.execPath, [join(root, 'node_modules/@redocly/cli/bin/cli.js'), 'lint', OPENAPI_FILE, '--extends', 'recommended', '--format', 'json'], {
      cwd: root,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
    }).catch((e: { stdout: string }) => e);
    const report = JSON.parse(out.stdout) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; message: string; location: { pointer: string }[] }[] };
    expect(report.problems.map((p) => `${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  }, 120_000);

  it('documents every operation: summary, description, its problem codes, examples for every body', async () => {
    const doc = await buildOpenApi();
    const deref = (x: any) => (x.$ref ? (doc.components as any).responses[x.$ref.split('/').pop()] : x);
    for (const r of routes) {
      const op = (doc.paths[r.path] as Record<string, any>)[r.method.toLowerCase()];
      const name = `${r.method} ${r.path}`;
      expect(op.summary, name).not.toBe(name);
      expect(op.summary, `${name}: "English / 中文"`).toMatch(/ \/ .*[\u4e00-\u9fff]/);
      expect(op.description.length, name).toBeGreaterThan(op.summary.length);
      const codes = Object.entries(op.responses as Record<string, any>)
        .filter(([status]) => Number(status) >= 400 && status !== '429')
        .flatMap(([, res]) => Object.keys(deref(res).content['application/problem+json'].examples));
      for (const [status, res] of Object.entries(op.responses as Record<string, any>).filter(([s]) => Number(s) >= 400 && s !== '429'))
        for (const code of Object.keys(deref(res).content['application/problem+json'].examples)) expect(problemCodes[code as ProblemCode].status, `${name} ${code}`).toBe(Number(status));
      expect(codes, name).toContain('INTERNAL');
      if (r.auth === 'jwt') expect(codes, name).toEqual(expect.arrayContaining(['UNAUTHENTICATED', 'FORBIDDEN']));
      if (r.auth !== 'jwt' && r.auth !== 'none') expect(codes, name).toContain('SIGNATURE_INVALID');
      if (op.requestBody) expect(op.requestBody.content['application/json'].example, `${name}: a request example`).toBeDefined();
    }
  });

  it("every request example passes the route's own zod schemas (the handler would accept it)", async () => {
    let checked = 0;
    for (const f of functions.filter((x) => x.kind === 'http')) {
      const mod = await import(pathToFileURL(join(root, f.entry)).href);
      for (const [key, spec] of Object.entries(mod[f.handler].routeSpecs as Record<string, RouteSpec>)) {
        const body = spec.body ?? signedBodies[key];
        if (body) {
          expect(spec.example?.body, `${key}: a request example`).toBeDefined();
          const parsed = body.safeParse(spec.example!.body);
          expect(parsed.success ? [] : parsed.error.issues, key).toEqual([]);
          checked++;
        }
        if (spec.query && spec.example?.query) {
          const parsed = spec.query.safeParse(spec.example.query);
          expect(parsed.success ? [] : parsed.error.issues, key).toEqual([]);
        }
      }
    }
    expect(checked).toBeGreaterThan(30);
  });

  it('generates TypeScript types with openapi-typescript that a client compiles against', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpf-openapi-types-'));
    const ast = await openapiTS(new URL(`file://${OPENAPI_FILE}`));
    writeFileSync(join(dir, 'api.ts'), astToString(ast));
    // a channel developer's client: typed bodies and problem documents, the Idempotency-Key header
    writeFileSync(
      join(dir, 'client.ts'),
      `import type { paths, components } from './api';
type Problem = components['schemas']['Problem'];
type WithdrawalBody = paths['/v1/withdrawals']['post']['requestBody']['content']['application/json'];
type WithdrawalProblem = paths['/v1/withdrawals']['post']['responses']['409']['content']['application/problem+json'];
type QuoteBody = paths['/v1/loan-quotes']['post']['requestBody']['content']['application/json'];

export async function applyForRent(base: string, token: string, key: paths['/v1/withdrawals']['post']['parameters']['header']['Idempotency-Key'], body: WithdrawalBody): Promise<unknown> {
  const res = await fetch(base + '/v1/withdrawals', { method: 'POST', headers: { authorization: 'Bearer ' + token, 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify(body) });
  if (!res.ok) {
    const problem = (await res.json()) as Problem | WithdrawalProblem;
    throw new Error(problem.code + ': ' + problem.detail + problem.errors.map((e) => ' ' + e.path).join(''));
  }
  return res.json();
}

const rent: WithdrawalBody = { accountNo: '330100000125', reason: 'RENT', amount: '1500', payeeBankAccount: '6222020200112233', evidence: { housingKind: 'COMMERCIAL', noHouseCertificateNo: 'WF-2026-0001' } };
const quote: QuoteBody = { accountNo: '330100000125', housePrice: '2000000', firstHome: true, termMonths: 240, monthlyIncome: '20000', borrowerCategory: 'TALENT', location: 'DISTRICT', repaymentMethod: 'EQUAL_INSTALLMENT' };
export const examples = [rent, quote];
`,
    );
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    const out = await run(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'esnext', '--moduleResolution', 'bundler', '--lib', 'es2022,dom', '--skipLibCheck', join(dir, 'api.ts'), join(dir, 'client.ts')], { cwd: dir }).catch((e: { stdout: string; code: number }) => e);
    expect(out.stdout).toBe('');
  }, 120_000);
});
