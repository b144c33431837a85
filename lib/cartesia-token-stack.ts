/** The deployable stack: one CartesiaTokenApi, configured from context (see README). */
import { Stack, type StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { CartesiaTokenApi, type CartesiaTokenApiProps } from './cartesia-token-api';
import type { DeploymentConfig } from './deployment-config';

export interface CartesiaTokenStackProps extends StackProps {
  readonly deployment: DeploymentConfig;
}

export class CartesiaTokenStack extends Stack {
  public readonly tokenApi: CartesiaTokenApi;

  constructor(scope: Construct, id: string, props: CartesiaTokenStackProps) {
    super(scope, id, props);
    const { service, stack } = props.deployment;
    this.tokenApi = new CartesiaTokenApi(this, 'TokenApi', { service, ...this.importsAndOptions(stack) });
  }

  /** Turns ids and names from context into constructs: no lookups, so synth works offline. */
  private importsAndOptions(stack: DeploymentConfig['stack']): Omit<CartesiaTokenApiProps, 'service'> {
    const encryptionKey = stack.secretKmsKeyArn
      ? kms.Key.fromKeyArn(this, 'SecretKey', stack.secretKmsKeyArn)
      : undefined;
    const existingSecret = stack.secretArn
      ? secretsmanager.Secret.fromSecretAttributes(this, 'Secret', {
          secretCompleteArn: stack.secretArn,
          encryptionKey,
        })
      : stack.secretName
        ? secretsmanager.Secret.fromSecretNameV2(this, 'Secret', stack.secretName)
        : undefined;
    return {
      existingUserPool: stack.userPoolId
        ? cognito.UserPool.fromUserPoolId(this, 'UserPool', stack.userPoolId)
        : undefined,
      existingUserPoolClient: stack.userPoolClientId
        ? cognito.UserPoolClient.fromUserPoolClientId(this, 'UserPoolClient', stack.userPoolClientId)
        : undefined,
      existingSecret,
      customDomain:
        stack.domainName && stack.certificateArn
          ? {
              domainName: stack.domainName,
              certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', stack.certificateArn),
              hostedZone:
                stack.hostedZoneId && stack.hostedZoneName
                  ? route53.HostedZone.fromHostedZoneAttributes(this, 'HostedZone', {
                      hostedZoneId: stack.hostedZoneId,
                      zoneName: stack.hostedZoneName,
                    })
                  : undefined,
            }
          : undefined,
      throttling: { rateLimit: stack.throttlingRateLimit, burstLimit: stack.throttlingBurstLimit },
      reservedConcurrency: stack.reservedConcurrency,
      logRetention: stack.logRetentionDays ? retentionFor(stack.logRetentionDays) : undefined,
      waf: stack.wafEnabled ? { rateLimitPer5Minutes: stack.wafRateLimit } : undefined,
      createApiGatewayCloudWatchRole: stack.createApiGatewayCloudWatchRole,
    };
  }
}

/** CloudWatch accepts only certain retention periods: the shortest one that keeps logs at least this long. */
function retentionFor(days: number): logs.RetentionDays {
  const allowed = Object.values(logs.RetentionDays)
    .filter((value): value is number => typeof value === 'number' && value > 0)
    .sort((a, b) => a - b);
  return (allowed.find((value) => value >= days) ?? allowed[allowed.length - 1]) as logs.RetentionDays;
}
