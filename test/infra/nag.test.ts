// cdk-nag (v3: a CDK validation plugin) with the AwsSolutions pack: no unacknowledged finding, and
// every acknowledgment carries a concrete reason. The app's synth (in ./cdk-app.ts) already fails on
// an unacknowledged error; here the pack is run again directly for a readable list.
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { built } from './cdk-app.ts';

const { app } = built;

function acknowledgments(root: IConstruct): { path: string; id: string; reason: string }[] {
  const out: { path: string; id: string; reason: string }[] = [];
  for (const c of root.node.findAll()) {
    for (const m of c.node.metadata) {
      if (m.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(m.data as Record<string, string>)) out.push({ path: c.node.path, id, reason });
    }
  }
  return out;
}

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged error or warning', () => {
    const report = new AwsSolutionsChecks(app).validateScope(app);
    const findings = report.violations.flatMap((v) =>
      v.violatingResources.map((r) => `${v.severity} ${v.ruleName} at ${r.constructPath}`),
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('every acknowledgment names one rule and says why', () => {
    const acks = acknowledgments(app).filter((a) => a.id.includes('AwsSolutions-'));
    expect(acks.length).toBeGreaterThan(0);
    for (const a of acks) {
      expect(a.id, a.path).toMatch(/AwsSolutions-[A-Z]+[0-9]+(\[.+\])?$/);
      expect(a.reason.length, `${a.path} ${a.id}`).toBeGreaterThanOrEqual(40);
    }
  });

  it('acknowledges only the expected rules (anything new must be looked at)', () => {
    const rules = new Set(acknowledgments(app).map((a) => a.id.replace(/^.*(AwsSolutions-[A-Z]+[0-9]+).*$/, '$1')));
    expect([...rules].sort()).toEqual(['AwsSolutions-APIG4', 'AwsSolutions-CFR1', 'AwsSolutions-CFR2', 'AwsSolutions-CFR4', 'AwsSolutions-IAM4', 'AwsSolutions-IAM5', 'AwsSolutions-L1', 'AwsSolutions-S1', 'AwsSolutions-SQS3']);
  });

  it('the pack is live: an unencrypted, non-TLS queue without DLQ is reported', async () => {
    const { App, Stack } = await import('aws-cdk-lib');
    const sqs = await import('aws-cdk-lib/aws-sqs');
    const probe = new App();
    new sqs.Queue(new Stack(probe, 'Probe'), 'Q', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    const rules = new AwsSolutionsChecks(probe).validateScope(probe).violations.map((v) => v.ruleName);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-SQS2', 'AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
  });
});
