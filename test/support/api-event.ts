/** API Gateway REST proxy events and Lambda contexts, as the gateway and runtime hand them over. */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';

export interface EventOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  claims?: Record<string, string> | null;
  isBase64Encoded?: boolean;
}

export const APP_ORIGIN = 'https://app.example.com';

export function apiEvent({
  method = 'POST',
  body,
  headers = { 'content-type': 'application/json', origin: APP_ORIGIN },
  claims = { sub: 'user-123', 'cognito:username': 'alice' },
  isBase64Encoded = false,
}: EventOptions = {}): APIGatewayProxyEvent {
  return {
    httpMethod: method,
    path: '/token',
    resource: '/token',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    body: body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body),
    isBase64Encoded,
    pathParameters: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    requestContext: {
      requestId: randomUUID(),
      authorizer: claims ? { claims } : null,
    } as unknown as APIGatewayProxyEvent['requestContext'],
  };
}

export function lambdaContext(): Context {
  return {
    awsRequestId: randomUUID(),
    functionName: 'mint-token',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:mint-token',
    memoryLimitInMB: '256',
    logGroupName: '/aws/lambda/mint-token',
    logStreamName: 'test',
    callbackWaitsForEmptyEventLoop: true,
  } as Context;
}
