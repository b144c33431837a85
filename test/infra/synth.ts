/** Synthesizes the app as `cdk synth` does, with the given context, into a temporary folder. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { createCartesiaTokenApp } from '../../lib/cartesia-token-app';

export const BASE_CONTEXT = {
  // cdk.json's context does not reach an App built in a test: pass what the CLI would.
  '@aws-cdk/core:validateAgainstDefaultRules': true,
  allowedOrigins: 'https://app.example.com',
};

export interface Violation {
  plugin: string;
  rule: string;
  severity: string;
  paths: string[];
}

export interface Synthesized {
  template: Template;
  violations: Violation[];
  outdir: string;
}

/** Every finding of every validation plugin (cdk-nag, CloudFormation validation) that ran. */
export function readViolations(outdir: string): Violation[] {
  const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as {
    pluginReports: Array<{
      pluginName: string;
      violations: Array<{ ruleName: string; severity: string; violatingConstructs: Array<{ constructPath: string }> }>;
    }>;
  };
  return report.pluginReports.flatMap((plugin) =>
    plugin.violations.map((v) => ({
      plugin: plugin.pluginName,
      rule: v.ruleName,
      severity: v.severity,
      paths: v.violatingConstructs.map((c) => c.constructPath),
    })),
  );
}

export function synth(context: Record<string, unknown> = {}): Synthesized {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-test-'));
  const { app, stack } = createCartesiaTokenApp({ outdir, context: { ...BASE_CONTEXT, ...context } });
  let violations: Violation[] = [];
  try {
    app.synth();
  } finally {
    violations = readViolations(outdir);
  }
  return { template: Template.fromStack(stack), violations, outdir };
}
