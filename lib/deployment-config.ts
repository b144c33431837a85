/**
 * What a deployer sets with cdk.json context or `cdk deploy -c key=value`: the service
 * configuration the function uses (one schema, from lambda/mint-token/config.ts) plus what
 * only the stack needs. Unknown keys are ignored (CDK keeps its own flags in context too).
 */
import * as z from 'zod/mini';
import { describeIssues, fromJsonText, serviceConfigSchema } from '../lambda/mint-token/config';

const optionalText = z.optional(z.string().check(z.minLength(1)));
const optionalNumber = (min: number, max: number) =>
  z.optional(z.pipe(z.transform(fromJsonText), z.int().check(z.minimum(min), z.maximum(max))));
const optionalFlag = z.optional(z.pipe(z.transform(fromJsonText), z.boolean()));

/** Context keys that only the stack reads. */
export const stackContextSchema = z
  .object({
    /** Import this user pool instead of creating one (needs `userPoolClientId` too). */
    userPoolId: optionalText,
    userPoolClientId: optionalText,
    /** Import this secret (complete ARN or name) instead of creating one. */
    secretArn: optionalText,
    secretName: optionalText,
    /** Customer managed KMS key of the secret imported by `secretArn`: the function may decrypt with it. */
    secretKmsKeyArn: optionalText,
    /** Custom domain for the API, so it can sit same-site with the web app. */
    domainName: optionalText,
    certificateArn: optionalText,
    hostedZoneId: optionalText,
    hostedZoneName: optionalText,
    /** Stage throttling: steady requests per second and burst. */
    throttlingRateLimit: optionalNumber(1, 10_000),
    throttlingBurstLimit: optionalNumber(1, 5_000),
    /** Reserved concurrency of the function (unset: share the account pool). */
    reservedConcurrency: optionalNumber(1, 1_000),
    /** Days to keep the function's and the access logs. */
    logRetentionDays: optionalNumber(1, 3653),
    /** Attach an AWS WAF web ACL to the stage (managed common rules + per-IP rate limit). */
    wafEnabled: optionalFlag,
    /** Requests per IP per 5 minutes before WAF blocks (with wafEnabled). */
    wafRateLimit: optionalNumber(10, 2_000_000_000),
    /** Create the account-level role API Gateway needs to write execution logs. */
    createApiGatewayCloudWatchRole: optionalFlag,
  })
  .check(
    z.refine((c) => !c.userPoolId === !c.userPoolClientId, {
      message: 'set userPoolId and userPoolClientId together',
      path: ['userPoolClientId'],
    }),
    z.refine((c) => !(c.secretArn && c.secretName), {
      message: 'set secretArn or secretName, not both',
      path: ['secretName'],
    }),
    z.refine((c) => !c.secretKmsKeyArn || !!c.secretArn, {
      message: 'secretKmsKeyArn goes with secretArn (the complete ARN)',
      path: ['secretKmsKeyArn'],
    }),
    z.refine((c) => !c.domainName === !c.certificateArn, {
      message: 'set domainName and certificateArn together',
      path: ['certificateArn'],
    }),
    z.refine((c) => !c.hostedZoneId === !c.hostedZoneName, {
      message: 'set hostedZoneId and hostedZoneName together',
      path: ['hostedZoneName'],
    }),
    z.refine((c) => !c.hostedZoneId || !!c.domainName, {
      message: 'a hosted zone needs domainName',
      path: ['hostedZoneId'],
    }),
  );

export type StackContext = z.output<typeof stackContextSchema>;
export type ServiceContext = z.output<typeof serviceConfigSchema>;

export interface DeploymentConfig {
  readonly service: ServiceContext;
  readonly stack: StackContext;
}

/** Reads and checks every context value; throws naming each problem. */
export function parseDeploymentConfig(context: Record<string, unknown>): DeploymentConfig {
  const service = serviceConfigSchema.safeParse(context);
  const stack = stackContextSchema.safeParse(context);
  const problems = [service, stack].flatMap((result) => (result.success ? [] : [describeIssues(result.error)]));
  if (!service.success || !stack.success) {
    throw new Error(`Invalid context for the Cartesia token stack: ${problems.join('; ')}`);
  }
  return { service: service.data, stack: stack.data };
}
