/** Assertions on the synthesized CloudFormation template, for the default and the optional shapes. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseServiceConfig, SERVICE_CONFIG_ENV } from '../../lambda/mint-token/config';
import { tokenRequestJsonSchema } from '../../lambda/mint-token/token-request';
import { MINT_TOKEN_TIMEOUT_SECONDS } from '../../lib/cartesia-token-api';
import { createCartesiaTokenApp } from '../../lib/cartesia-token-app';
import { parseDeploymentConfig } from '../../lib/deployment-config';
import { BASE_CONTEXT, readViolations, type Synthesized, synth } from './synth';

const IMPORTED = {
  userPoolId: 'us-east-1_AbCdEf123',
  userPoolClientId: '1example23456789',
  secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:cartesia/api-key-AbCdEf',
  secretKmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
};
const DOMAIN = {
  domainName: 'api.example.com',
  certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abcd-1234',
  hostedZoneId: 'Z0123456789ABCDEFGHIJ',
  hostedZoneName: 'example.com',
};

let defaults: Synthesized;
let everything: Synthesized;

beforeAll(() => {
  defaults = synth();
  everything = synth({
    ...IMPORTED,
    ...DOMAIN,
    wafEnabled: 'true',
    wafRateLimit: '500',
    reservedConcurrency: '25',
    throttlingRateLimit: '50',
    throttlingBurstLimit: '100',
    logRetentionDays: '90',
    allowedOrigins: 'https://app.example.com,https://admin.example.com',
  });
});

const resourcesOf = (template: Template, type: string) => Object.values(template.findResources(type));
/** Properties of the mint-token function (the only nodejs24.x function). */
function mintTokenFunction(template: Template): Record<string, unknown> {
  const [fn] = resourcesOf(template, 'AWS::Lambda::Function').filter(
    (f) => (f.Properties as { Runtime?: string }).Runtime === 'nodejs24.x',
  );
  if (!fn) throw new Error('no mint-token function in the template');
  return fn.Properties as Record<string, unknown>;
}
const methodsOf = (template: Template) =>
  resourcesOf(template, 'AWS::ApiGateway::Method').map((m) => m.Properties as Record<string, unknown>);

describe.each([
  ['default', () => defaults],
  ['all options', () => everything],
])('%s configuration', (_name, get) => {
  test('synth reports zero cdk-nag and CloudFormation validation findings', () => {
    expect(get().violations).toEqual([]);
  });

  test('POST and DELETE need the Cognito authorizer; OPTIONS needs nothing', () => {
    const methods = methodsOf(get().template);
    const byVerb = Object.fromEntries(methods.map((m) => [m.HttpMethod, m]));
    expect(Object.keys(byVerb).sort()).toEqual(['DELETE', 'OPTIONS', 'POST']);
    for (const verb of ['POST', 'DELETE']) {
      expect(byVerb[verb]).toMatchObject({
        AuthorizationType: 'COGNITO_USER_POOLS',
        AuthorizerId: { Ref: expect.any(String) },
      });
    }
    expect(byVerb.OPTIONS.AuthorizationType).toBe('NONE');
    get().template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'COGNITO_USER_POOLS',
      IdentitySource: 'method.request.header.Authorization',
    });
  });

  test('the function may read exactly one secret and no statement of ours names "*"', () => {
    const statements = resourcesOf(get().template, 'AWS::IAM::Policy').flatMap(
      (p) =>
        (p.Properties as { PolicyDocument: { Statement: Array<Record<string, unknown>> } }).PolicyDocument.Statement,
    );
    const secretStatements = statements.filter((s) => JSON.stringify(s.Action).includes('secretsmanager'));
    expect(secretStatements).toHaveLength(1);
    expect(secretStatements[0].Action).toBe('secretsmanager:GetSecretValue');
    for (const statement of statements) {
      const resources = ([] as unknown[]).concat(statement.Resource);
      expect(resources).not.toContain('*');
    }
  });

  test("the function runs nodejs24.x on arm64 with a timeout inside API Gateway's 29 s", () => {
    get().template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: MINT_TOKEN_TIMEOUT_SECONDS,
      Handler: 'index.handler',
    });
    expect(MINT_TOKEN_TIMEOUT_SECONDS).toBeLessThan(29);
  });

  test('the function gets its configuration through the one shared schema', () => {
    const env = (mintTokenFunction(get().template) as { Environment: { Variables: Record<string, string> } })
      .Environment.Variables;
    const config = parseServiceConfig(JSON.parse(env[SERVICE_CONFIG_ENV]));
    expect(config.allowedOrigins[0]).toBe('https://app.example.com');
    expect(config.upstreamDeadlineMs).toBeLessThan(MINT_TOKEN_TIMEOUT_SECONDS * 1000);
  });

  test('stage has JSON access logs, error-level execution logs without data trace, X-Ray and throttling', () => {
    get().template.hasResourceProperties('AWS::ApiGateway::Stage', {
      TracingEnabled: true,
      AccessLogSetting: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"'),
      },
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          ThrottlingRateLimit: Match.anyValue(),
          ThrottlingBurstLimit: Match.anyValue(),
        }),
      ]),
    });
  });

  test('every log group has a retention', () => {
    const groups = resourcesOf(get().template, 'AWS::Logs::LogGroup');
    expect(groups.length).toBe(2);
    for (const group of groups)
      expect((group.Properties as { RetentionInDays?: number }).RetentionInDays).toBeGreaterThan(0);
  });

  test('POST /token bodies are validated against the schema the function uses', () => {
    const { template } = get();
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true });
    const model = resourcesOf(template, 'AWS::ApiGateway::Model')[0].Properties as { Schema: Record<string, unknown> };
    const { $schema: _, ...schema } = model.Schema;
    expect(schema).toEqual(tokenRequestJsonSchema(600));
    const post = methodsOf(template).find((m) => m.HttpMethod === 'POST');
    expect(post).toMatchObject({
      RequestValidatorId: { Ref: expect.any(String) },
      RequestModels: { 'application/json': { Ref: expect.any(String) } },
    });
  });

  test('gateway errors use the contract shape and carry CORS headers with credentials', () => {
    const responses = resourcesOf(get().template, 'AWS::ApiGateway::GatewayResponse').map(
      (r) =>
        r.Properties as {
          ResponseType: string;
          ResponseParameters: Record<string, string>;
          ResponseTemplates: Record<string, string>;
        },
    );
    expect(responses.map((r) => r.ResponseType)).toEqual(
      expect.arrayContaining(['UNAUTHORIZED', 'ACCESS_DENIED', 'THROTTLED', 'DEFAULT_4XX', 'DEFAULT_5XX']),
    );
    for (const response of responses) {
      expect(response.ResponseParameters).toMatchObject({
        'gatewayresponse.header.Access-Control-Allow-Origin': "'https://app.example.com'",
        'gatewayresponse.header.Access-Control-Allow-Credentials': "'true'",
        'gatewayresponse.header.Vary': "'Origin'",
        'gatewayresponse.header.Content-Type': "'application/json; charset=utf-8'",
        'gatewayresponse.header.Cache-Control': "'no-store'",
      });
      const body = JSON.parse(response.ResponseTemplates['application/json']);
      expect(body).toEqual({ error: { code: expect.stringMatching(/^[a-z_]+$/), message: expect.any(String) } });
    }
  });

  test('gateway errors answer the contract statuses, with Retry-After where the client should wait', () => {
    const byType = Object.fromEntries(
      resourcesOf(get().template, 'AWS::ApiGateway::GatewayResponse').map((r) => {
        const p = r.Properties as {
          ResponseType: string;
          StatusCode?: string;
          ResponseParameters: Record<string, string>;
        };
        return [p.ResponseType, p];
      }),
    );
    expect(byType.UNAUTHORIZED.StatusCode).toBe('401');
    expect(byType.MISSING_AUTHENTICATION_TOKEN.StatusCode).toBe('404');
    expect(byType.THROTTLED.StatusCode).toBe('429');
    expect(byType.THROTTLED.ResponseParameters['gatewayresponse.header.Retry-After']).toBe("'1'");
    expect(byType.DEFAULT_5XX.StatusCode).toBe('503');
    expect(byType.DEFAULT_5XX.ResponseParameters['gatewayresponse.header.Retry-After']).toBe("'5'");
    expect(byType.INTEGRATION_TIMEOUT.StatusCode).toBe('504');
  });

  test('the preflight answers only configured origins, with credentials, never "*"', () => {
    const options = methodsOf(get().template).find((m) => m.HttpMethod === 'OPTIONS') as {
      Integration: { IntegrationResponses: Array<{ ResponseParameters: Record<string, string> }> };
    };
    const headers = options.Integration.IntegrationResponses[0].ResponseParameters;
    expect(headers['method.response.header.Access-Control-Allow-Origin']).toBe("'https://app.example.com'");
    expect(headers['method.response.header.Access-Control-Allow-Credentials']).toBe("'true'");
    expect(JSON.stringify(options)).not.toContain("'*'");
  });
});

describe('default configuration', () => {
  test('creates a user pool with secure defaults and an SRP app client without a secret', () => {
    const { template } = defaults;
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireSymbols: true }) },
    });
    template.hasResource('AWS::Cognito::UserPool', { DeletionPolicy: 'Retain' });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      GenerateSecret: false,
      PreventUserExistenceErrors: 'ENABLED',
    });
    template.hasOutput('UserPoolClientId', {});
  });

  test('creates a placeholder secret the function reads by ARN, and says how to fill it', () => {
    const { template } = defaults;
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { SecretStringTemplate: '{"apiKey":""}', GenerateStringKey: 'placeholder' },
    });
    const secretId = Object.keys(template.findResources('AWS::SecretsManager::Secret'))[0];
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'secretsmanager:GetSecretValue', Resource: { Ref: secretId } }),
        ]),
      },
    });
    expect(JSON.stringify(template.toJSON().Outputs.PutCartesiaKeyCommand)).toContain('put-secret-value');
    expect(resourcesOf(template, 'AWS::KMS::Key')).toHaveLength(0);
  });

  test('has no custom domain, no WAF and no reserved concurrency', () => {
    const { template } = defaults;
    for (const type of ['AWS::ApiGateway::DomainName', 'AWS::Route53::RecordSet', 'AWS::WAFv2::WebACL']) {
      template.resourceCountIs(type, 0);
    }
    expect(mintTokenFunction(template).ReservedConcurrentExecutions).toBeUndefined();
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([Match.objectLike({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 })]),
    });
  });
});

describe('all options', () => {
  test('imports the user pool and client instead of creating them', () => {
    const { template } = everything;
    template.resourceCountIs('AWS::Cognito::UserPool', 0);
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 0);
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      ProviderARNs: [
        Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([`:userpool/${IMPORTED.userPoolId}`])]) }),
      ],
    });
    template.hasOutput('UserPoolClientId', { Value: IMPORTED.userPoolClientId });
  });

  test('reads the imported secret by its ARN and may decrypt with its customer managed key', () => {
    const statements = resourcesOf(everything.template, 'AWS::IAM::Policy').flatMap(
      (p) =>
        (p.Properties as { PolicyDocument: { Statement: Array<Record<string, unknown>> } }).PolicyDocument.Statement,
    );
    expect(statements).toContainEqual(
      expect.objectContaining({ Action: 'secretsmanager:GetSecretValue', Resource: IMPORTED.secretArn }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({ Action: 'kms:Decrypt', Resource: IMPORTED.secretKmsKeyArn }),
    );
    everything.template.resourceCountIs('AWS::SecretsManager::Secret', 0);
  });

  test('serves a custom domain with an alias record and closes the execute-api endpoint', () => {
    const { template } = everything;
    template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: DOMAIN.domainName,
      RegionalCertificateArn: DOMAIN.certificateArn,
      SecurityPolicy: 'TLS_1_2',
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: `${DOMAIN.domainName}.`,
      Type: 'A',
      HostedZoneId: DOMAIN.hostedZoneId,
    });
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: true });
    template.hasOutput('TokenEndpoint', { Value: `https://${DOMAIN.domainName}/token` });
    template.hasOutput('ApiUrl', { Value: `https://${DOMAIN.domainName}/` });
    // No output may point at the closed execute-api URL.
    expect(Object.keys(template.toJSON().Outputs).sort()).toEqual(
      ['ApiUrl', 'PutCartesiaKeyCommand', 'SecretName', 'TokenEndpoint', 'UserPoolClientId', 'UserPoolId'].sort(),
    );
  });

  test('attaches a WAF web ACL with the managed common rules and a per-IP rate limit to the stage', () => {
    const { template } = everything;
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      Rules: Match.arrayWith([
        Match.objectLike({
          Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' } },
        }),
        Match.objectLike({
          Statement: { RateBasedStatement: { Limit: 500, AggregateKeyType: 'IP' } },
          Action: { Block: {} },
        }),
      ]),
    });
    const stageId = Object.keys(template.findResources('AWS::ApiGateway::Stage'))[0];
    const association = resourcesOf(template, 'AWS::WAFv2::WebACLAssociation')[0].Properties as {
      ResourceArn: unknown;
    };
    expect(JSON.stringify(association.ResourceArn)).toContain(stageId);
  });

  test('applies reserved concurrency, throttling and retention from context', () => {
    const { template } = everything;
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      ReservedConcurrentExecutions: 25,
    });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([Match.objectLike({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 })]),
    });
    for (const group of resourcesOf(template, 'AWS::Logs::LogGroup')) {
      expect((group.Properties as { RetentionInDays: number }).RetentionInDays).toBe(90);
    }
  });
});

describe('a secret imported by name', () => {
  test('the function may read only that secret: its name plus the six-character suffix Secrets Manager adds', () => {
    const { template, violations } = synth({ secretName: 'cartesia/api-key' });
    expect(violations).toEqual([]);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    const statements = resourcesOf(template, 'AWS::IAM::Policy').flatMap(
      (p) =>
        (p.Properties as { PolicyDocument: { Statement: Array<Record<string, unknown>> } }).PolicyDocument.Statement,
    );
    const secretStatement = statements.find((statement) => statement.Action === 'secretsmanager:GetSecretValue');
    expect(JSON.stringify(secretStatement?.Resource)).toMatch(/:secret:cartesia\/api-key-\?\?\?\?\?\?"/);
    expect(mintTokenFunction(template)).toMatchObject({
      Environment: { Variables: expect.objectContaining({ CARTESIA_SECRET_ID: 'cartesia/api-key' }) },
    });
  });
});

describe('context', () => {
  test('values given as strings on the command line are parsed like typed cdk.json values', () => {
    const fromCli = parseDeploymentConfig({
      allowedOrigins: 'https://a.example.com, https://b.example.com',
      maxExpiresIn: '900',
      tokenInBody: 'true',
      grantPolicy: '{"tts":["*"],"stt":["speech"],"agent":[]}',
      wafEnabled: 'false',
    });
    expect(fromCli.service).toMatchObject({
      allowedOrigins: ['https://a.example.com', 'https://b.example.com'],
      maxExpiresIn: 900,
      tokenInBody: true,
      grantPolicy: { tts: ['*'], stt: ['speech'], agent: [] },
    });
    expect(fromCli.stack.wafEnabled).toBe(false);
  });

  test.each([
    [{ allowedOrigins: '*' }, 'allowedOrigins'],
    [{ allowedOrigins: 'https://*.example.com' }, 'allowedOrigins'],
    [{ allowedOrigins: 'http://app.example.com' }, 'allowedOrigins'],
    [{ allowedOrigins: 'https://app.example.com/' }, 'allowedOrigins'],
    [{ allowedOrigins: 'https://app.example.com', maxExpiresIn: '7200' }, 'maxExpiresIn'],
    [{ allowedOrigins: 'https://app.example.com', cookieName: 'cartesia' }, 'cookieName'],
    [{ allowedOrigins: 'https://app.example.com', userPoolId: 'us-east-1_x' }, 'userPoolClientId'],
    [{ allowedOrigins: 'https://app.example.com', domainName: 'api.example.com' }, 'certificateArn'],
  ])('rejects %j, naming %s', (context, key) => {
    expect(() => parseDeploymentConfig(context)).toThrow(new RegExp(`${key}(\\.\\d+)?: `));
  });

  test('a Cartesia deadline that would not fit in the function timeout fails synth', () => {
    expect(() => synth({ upstreamDeadlineMs: '9000', upstreamAttemptTimeoutMs: '3000' })).toThrow(/upstreamDeadlineMs/);
  });
});

describe('the validation checks themselves', () => {
  test('the app runs cdk-nag: a non-compliant resource added to the stack fails synth', () => {
    const outdir = fs.mkdtempSync(path.join(defaults.outdir, '..', 'cdk-wired-'));
    const { app, stack } = createCartesiaTokenApp({ outdir, context: BASE_CONTEXT });
    new sqs.Queue(stack, 'UnsafeQueue');
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS3/);
  });

  test('would report findings: a non-compliant resource fails synth under both plugins', () => {
    const outdir = fs.mkdtempSync(path.join(defaults.outdir, '..', 'cdk-proof-'));
    const app = new App({ outdir, context: { '@aws-cdk/core:validateAgainstDefaultRules': true } });
    // No DLQ, no TLS enforcement (cdk-nag) and a delay beyond CloudFormation's maximum of 900 s.
    new sqs.CfnQueue(new Stack(app, 'Proof'), 'Queue', { delaySeconds: 99_999 });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/CloudFormation-Validate::F3034/);
    const rules = readViolations(outdir).map((v) => `${v.plugin}:${v.rule}`);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions:AwsSolutions-SQS3', 'AwsSolutions:AwsSolutions-SQS4']));
    expect(rules.some((rule) => !rule.startsWith('AwsSolutions:'))).toBe(true);
  });
});
