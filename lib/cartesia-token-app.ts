/** The CDK app as `cdk synth` builds it: configuration from context, the stack, synth-time checks. */
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CartesiaTokenStack } from './cartesia-token-stack';
import { parseDeploymentConfig } from './deployment-config';

export const DEFAULT_STACK_NAME = 'CartesiaTokenVending';

export function createCartesiaTokenApp(props?: AppProps): { app: App; stack: CartesiaTokenStack } {
  const app = new App(props);
  const stackName = (app.node.tryGetContext('stackName') as string | undefined) ?? DEFAULT_STACK_NAME;
  const stack = new CartesiaTokenStack(app, stackName, {
    deployment: parseDeploymentConfig(app.node.getAllContext()),
    // Environment-agnostic unless the CLI knows the account: synth needs no credentials.
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
