/**
 * CartesiaTokenApi: a Cognito-authorized REST API whose `POST /token` mints a short-lived
 * Cartesia access token into a hardened cookie, and whose `DELETE /token` expires it.
 *
 * Secure defaults, all in this file:
 * - every non-OPTIONS method needs a valid Cognito ID token (user pool authorizer);
 *   CORS preflight is unauthenticated and answers only the configured origins, with credentials;
 * - API Gateway validates the body against the same schema the function uses;
 * - gateway errors (401, 403, 429, 4xx, 5xx) use the contract's JSON error shape and carry CORS headers;
 * - JSON access logs, execution logs at ERROR without data tracing (no headers or bodies), X-Ray, stage throttling;
 * - the function runs nodejs24.x on arm64, bundled by local esbuild, with its own log group and a role that may
 *   write to that log group and read exactly one secret (KMS decrypt only for a customer managed key);
 * - a created user pool has no self sign-up, strong passwords, required TOTP MFA and an SRP app client without
 *   a secret; a created secret holds a placeholder until the deployer puts the key in.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import {
  parseServiceConfig,
  SECRET_READ_MAX_MS,
  type ServiceConfig,
  type ServiceConfigInput,
  toFunctionEnvironment,
} from '../lambda/mint-token/config';
import { CORS_ALLOW_HEADERS, CORS_ALLOW_METHODS, CORS_MAX_AGE_SECONDS } from '../lambda/mint-token/cors-policy';
import { errorBody } from '../lambda/mint-token/errors';
import { GATEWAY_ERRORS } from '../lambda/mint-token/gateway-errors';
import { tokenRequestJsonSchema } from '../lambda/mint-token/token-request';
import { MINT_TOKEN_ENTRY, MINT_TOKEN_NODE_OPTIONS, mintTokenBundling } from './lambda-bundling';

/** Memory of the mint-token function, in MB (see docs/performance.md for why). */
export const MINT_TOKEN_MEMORY_MB = 256;
/** Timeout of the mint-token function: well inside API Gateway's 29 s. */
export const MINT_TOKEN_TIMEOUT_SECONDS = 15;
/**
 * Time the function needs beyond the Cartesia deadline: the first read of the secret, a fresh
 * read after Cartesia refuses the key (which may overrun the deadline), and a second for the rest.
 */
const FUNCTION_HEADROOM_MS = 2 * SECRET_READ_MAX_MS + 1_000;

export interface CustomDomainProps {
  /** The API's host name, e.g. `api.example.com` (same site as the web app at `app.example.com`). */
  readonly domainName: string;
  /** ACM certificate for `domainName`, in the stack's region. */
  readonly certificate: ICertificate;
  /**
   * Hosted zone in which to create the alias record.
   * @default - no record: point DNS at the domain's regional name yourself
   */
  readonly hostedZone?: route53.IHostedZone;
}

export interface WafProps {
  /**
   * Requests one client IP may make in 5 minutes before it is blocked.
   * @default 1000
   */
  readonly rateLimitPer5Minutes?: number;
}

export interface CartesiaTokenApiProps {
  /** The token service's behaviour: allowed origins, grant policy, lifetimes, cookie, upstream. */
  readonly service: ServiceConfigInput;
  /**
   * A user pool to authorize against. Give `existingUserPoolClient` with it for the outputs.
   * @default - a user pool with secure defaults and an SRP app client is created
   */
  readonly existingUserPool?: cognito.IUserPool;
  /** @default - the created app client, or none when the pool is imported */
  readonly existingUserPoolClient?: cognito.IUserPoolClient;
  /**
   * Overrides for the created user pool.
   * @default - no self sign-up, 12+ character passwords with all classes, TOTP MFA required, retained on delete
   */
  readonly userPoolProps?: cognito.UserPoolProps;
  /**
   * The secret that holds the Cartesia API key (raw `sk_car_…` or JSON `{"apiKey": "…"}`).
   * @default - an empty secret is created; its name and the command to fill it are stack outputs
   */
  readonly existingSecret?: secretsmanager.ISecret;
  /** @default - no custom domain: the execute-api URL, which no web app can be same-site with */
  readonly customDomain?: CustomDomainProps;
  /** Stage throttling. @default - 10 requests per second steady, 20 burst */
  readonly throttling?: { readonly rateLimit?: number; readonly burstLimit?: number };
  /** @default - no reserved concurrency */
  readonly reservedConcurrency?: number;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Attach an AWS WAF web ACL (AWS managed common rule set + per-IP rate-based rule) to the stage.
   * @default - no WAF (it costs a monthly fee per web ACL and rule; see README)
   */
  readonly waf?: WafProps;
  /**
   * Create the account-wide role that lets API Gateway write execution logs. Leave on unless the
   * account already has one set in API Gateway's settings.
   * @default true
   */
  readonly createApiGatewayCloudWatchRole?: boolean;
}

const DEFAULT_THROTTLING = { rateLimit: 10, burstLimit: 20 };
const DEFAULT_WAF_RATE_LIMIT = 1_000;

const definedOnly = <T extends object>(value: T | undefined): Partial<T> =>
  Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;

export class CartesiaTokenApi extends Construct {
  /** The validated service configuration, defaults filled in. */
  public readonly config: ServiceConfig;
  public readonly api: apigw.RestApi;
  public readonly function: nodejs.NodejsFunction;
  public readonly userPool: cognito.IUserPool;
  public readonly userPoolClient?: cognito.IUserPoolClient;
  public readonly secret: secretsmanager.ISecret;
  public readonly functionLogGroup: logs.LogGroup;
  public readonly accessLogGroup: logs.LogGroup;
  public readonly domain?: apigw.DomainName;
  public readonly webAcl?: wafv2.CfnWebACL;
  /** Base URL of the API, ending in `/` (custom domain when configured). */
  public readonly apiUrl: string;
  /** Full URL of the token endpoint (custom domain when configured). */
  public readonly tokenEndpointUrl: string;

  constructor(scope: Construct, id: string, props: CartesiaTokenApiProps) {
    super(scope, id);
    this.config = parseServiceConfig(props.service);
    if (this.config.upstreamDeadlineMs + FUNCTION_HEADROOM_MS > MINT_TOKEN_TIMEOUT_SECONDS * 1000) {
      throw new Error(
        `upstreamDeadlineMs must leave ${FUNCTION_HEADROOM_MS} ms of the function's ${MINT_TOKEN_TIMEOUT_SECONDS} s timeout`,
      );
    }
    const retention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;

    ({ pool: this.userPool, client: this.userPoolClient } = this.userPoolFrom(props));
    this.secret = props.existingSecret ?? this.createSecret();

    this.functionLogGroup = new logs.LogGroup(this, 'MintTokenLogs', {
      retention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.function = this.createFunction(props, this.functionLogGroup);

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', { retention, removalPolicy: RemovalPolicy.DESTROY });
    this.api = this.createApi(props, this.accessLogGroup);
    this.addTokenResource();
    this.addGatewayResponses();

    if (props.customDomain) this.domain = this.addCustomDomain(props.customDomain);
    if (props.waf) {
      this.webAcl = this.addWaf(props.waf);
    } else {
      Validations.of(this.api.deploymentStage).acknowledge({
        id: 'AwsSolutions-APIG3',
        reason:
          'WAF is opt-in (context wafEnabled=true): a web ACL costs a monthly fee; Cognito authorization, stage throttling and reserved concurrency bound abuse without it.',
      });
    }

    this.apiUrl = props.customDomain ? `https://${props.customDomain.domainName}/` : this.api.url;
    this.tokenEndpointUrl = `${this.apiUrl}token`;
    // RestApi adds its own execute-api URL output; ApiUrl replaces it (that URL is closed with a custom domain).
    this.api.node.tryRemoveChild('Endpoint');
    this.addOutputs();
  }

  private userPoolFrom(props: CartesiaTokenApiProps): { pool: cognito.IUserPool; client?: cognito.IUserPoolClient } {
    if (props.existingUserPool) return { pool: props.existingUserPool, client: props.existingUserPoolClient };
    const pool = new cognito.UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      ...props.userPoolProps,
    });
    Validations.of(pool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        'Threat protection needs the Cognito Plus feature plan, a per-user cost the deployer opts into (userPoolProps.featurePlan); TOTP MFA is required instead.',
    });
    const client = pool.addClient('WebClient', {
      authFlows: { userSrp: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });
    return { pool, client };
  }

  private createSecret(): secretsmanager.ISecret {
    const secret = new secretsmanager.Secret(this, 'CartesiaApiKey', {
      description: 'Cartesia API key used to mint short-lived access tokens. Put {"apiKey":"sk_car_..."} here.',
      // A placeholder ({"apiKey": ""}) the function recognises: 503 not_configured until the key is put in.
      generateSecretString: { secretStringTemplate: JSON.stringify({ apiKey: '' }), generateStringKey: 'placeholder' },
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Cartesia issues API keys; there is no API to rotate them from AWS. Rotate at Cartesia and put the new key here: the function re-reads the secret when Cartesia refuses the old key.',
    });
    return secret;
  }

  private createFunction(props: CartesiaTokenApiProps, logGroup: logs.LogGroup): nodejs.NodejsFunction {
    const role = new iam.Role(this, 'MintTokenRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'mint-token: write its own logs, read the Cartesia key secret',
    });
    logGroup.grantWrite(role);
    // Exactly one secret. A secret imported by name has a random suffix: `-??????` matches only it.
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [this.secret.secretFullArn ?? `${this.secret.secretArn}-??????`],
      }),
    );
    this.secret.encryptionKey?.grantDecrypt(role);

    const fn = new nodejs.NodejsFunction(this, 'MintTokenFunction', {
      description: 'Mints short-lived Cartesia access tokens into a hardened cookie',
      entry: MINT_TOKEN_ENTRY,
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: MINT_TOKEN_MEMORY_MB,
      timeout: Duration.seconds(MINT_TOKEN_TIMEOUT_SECONDS),
      role,
      logGroup,
      reservedConcurrentExecutions: props.reservedConcurrency,
      bundling: mintTokenBundling(),
      environment: {
        ...toFunctionEnvironment(this.config, this.secret.secretFullArn ?? this.secret.secretName),
        ...MINT_TOKEN_NODE_OPTIONS,
        POWERTOOLS_SERVICE_NAME: 'cartesia-token-vending',
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
    });
    return fn;
  }

  private createApi(props: CartesiaTokenApiProps, accessLogs: logs.LogGroup): apigw.RestApi {
    const throttling = { ...DEFAULT_THROTTLING, ...definedOnly(props.throttling) };
    const api = new apigw.RestApi(this, 'Api', {
      description: 'Cartesia token vending: mints short-lived Cartesia access tokens for signed-in users',
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      // With a custom domain, the execute-api URL would be a second, cross-site way in: close it.
      disableExecuteApiEndpoint: props.customDomain !== undefined,
      cloudWatchRole: props.createApiGatewayCloudWatchRole ?? true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: 'v1',
        throttlingRateLimit: throttling.rateLimit,
        throttlingBurstLimit: throttling.burstLimit,
        tracingEnabled: true,
        metricsEnabled: true,
        // ERROR and no data trace: execution logs never hold headers (the ID token) or bodies.
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields({
          caller: false,
          httpMethod: true,
          ip: true,
          protocol: true,
          requestTime: true,
          resourcePath: true,
          responseLength: true,
          status: true,
          user: true,
        }),
      },
    });
    if (api.node.tryFindChild('CloudWatchRole')) {
      Validations.of(api.node.findChild('CloudWatchRole')).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          'AmazonAPIGatewayPushToCloudWatchLogs is the AWS-documented policy for the account-wide API Gateway logging role; it must write to log groups API Gateway names itself.',
      });
    }
    return api;
  }

  private addTokenResource(): void {
    const authorizer = new apigw.CognitoUserPoolsAuthorizer(this, 'Authorizer', {
      cognitoUserPools: [this.userPool],
      identitySource: apigw.IdentitySource.header('Authorization'),
    });
    const model = this.api.addModel('TokenRequestModel', {
      contentType: 'application/json',
      modelName: 'TokenRequest',
      schema: tokenRequestJsonSchema(this.config.maxExpiresIn) as apigw.JsonSchema,
    });
    // Parameters too (none are declared, so nothing more is checked): cdk-nag APIG2 asks for both.
    const validator = this.api.addRequestValidator('RequestValidator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const token = this.api.root.addResource('token', {
      defaultCorsPreflightOptions: {
        allowOrigins: this.config.allowedOrigins,
        allowCredentials: true,
        allowHeaders: [...CORS_ALLOW_HEADERS],
        allowMethods: [...CORS_ALLOW_METHODS],
        maxAge: Duration.seconds(CORS_MAX_AGE_SECONDS),
      },
    });
    const integration = new apigw.LambdaIntegration(this.function);
    const authorized = { authorizer, authorizationType: apigw.AuthorizationType.COGNITO };
    token.addMethod('POST', integration, {
      ...authorized,
      requestValidator: validator,
      requestModels: { 'application/json': model },
    });
    token.addMethod('DELETE', integration, authorized);

    const preflight = token.node.findChild('OPTIONS');
    for (const id of ['AwsSolutions-APIG4', 'AwsSolutions-COG4']) {
      Validations.of(preflight).acknowledge({
        id,
        reason:
          'CORS preflight: browsers send OPTIONS without credentials, so it cannot be authorized; it returns only CORS headers.',
      });
    }
  }

  private addGatewayResponses(): void {
    // A gateway response cannot choose among origins: it names the first configured one.
    const common = {
      'Access-Control-Allow-Origin': this.config.allowedOrigins[0],
      'Access-Control-Allow-Credentials': 'true',
      Vary: 'Origin',
      'Cache-Control': 'no-store',
      'Content-Type': 'application/json; charset=utf-8',
      'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
      'X-Content-Type-Options': 'nosniff',
    };
    for (const { type, statusCode, code, message, headers } of GATEWAY_ERRORS) {
      this.api.addGatewayResponse(`GatewayResponse${type}`, {
        type: apigw.ResponseType.of(type),
        statusCode: statusCode === undefined ? undefined : String(statusCode),
        // Header values are mapping expressions: literals go in single quotes.
        responseHeaders: Object.fromEntries(
          Object.entries({ ...common, ...headers }).map(([name, value]) => [name, `'${value}'`]),
        ),
        templates: { 'application/json': JSON.stringify(errorBody(code, message)) },
      });
    }
  }

  private addCustomDomain(domain: CustomDomainProps): apigw.DomainName {
    const domainName = this.api.addDomainName('CustomDomain', {
      domainName: domain.domainName,
      certificate: domain.certificate,
      endpointType: apigw.EndpointType.REGIONAL,
      securityPolicy: apigw.SecurityPolicy.TLS_1_2,
    });
    if (domain.hostedZone) {
      new route53.ARecord(this, 'CustomDomainAlias', {
        zone: domain.hostedZone,
        recordName: domain.domainName,
        target: route53.RecordTarget.fromAlias(new targets.ApiGatewayDomain(domainName)),
      });
    }
    return domainName;
  }

  private addWaf(props: WafProps): wafv2.CfnWebACL {
    const visibility = (metricName: string) => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });
    const webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('cartesia-token-api'),
      rules: [
        {
          name: 'AWSManagedRulesCommonRuleSet',
          priority: 0,
          overrideAction: { none: {} },
          statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesCommonRuleSet' } },
          visibilityConfig: visibility('common-rule-set'),
        },
        {
          name: 'RateLimitPerIp',
          priority: 1,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              limit: props.rateLimitPer5Minutes ?? DEFAULT_WAF_RATE_LIMIT,
              aggregateKeyType: 'IP',
            },
          },
          visibilityConfig: visibility('rate-limit-per-ip'),
        },
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
      resourceArn: this.api.deploymentStage.stageArn,
      webAclArn: webAcl.attrArn,
    });
    return webAcl;
  }

  private addOutputs(): void {
    const stack = Stack.of(this);
    new CfnOutput(stack, 'ApiUrl', { value: this.apiUrl, description: 'Base URL of the API' });
    new CfnOutput(stack, 'TokenEndpoint', {
      value: this.tokenEndpointUrl,
      description: 'POST here to mint, DELETE to sign out',
    });
    new CfnOutput(stack, 'UserPoolId', { value: this.userPool.userPoolId });
    if (this.userPoolClient) {
      new CfnOutput(stack, 'UserPoolClientId', { value: this.userPoolClient.userPoolClientId });
    }
    new CfnOutput(stack, 'SecretName', {
      value: this.secret.secretName,
      description: 'Secret that holds the Cartesia API key',
    });
    new CfnOutput(stack, 'PutCartesiaKeyCommand', {
      description: 'Run once with key.json holding {"apiKey":"sk_car_..."} (keeps the key out of shell history)',
      value: `aws secretsmanager put-secret-value --secret-id ${this.secret.secretName} --secret-string file://key.json`,
    });
  }
}
