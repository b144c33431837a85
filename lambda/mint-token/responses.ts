/** Every answer is JSON that no cache keeps; errors carry the contract's shape. */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { type ApiError, errorBody } from './errors';

const NEVER_CACHE = { 'Cache-Control': 'no-store' };

export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...NEVER_CACHE, ...headers },
    body: JSON.stringify(body),
  };
}

export function noContentResponse(headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode: 204, headers: { ...NEVER_CACHE, ...headers }, body: '' };
}

export function errorResponse(error: ApiError): APIGatewayProxyResult {
  return jsonResponse(error.statusCode, errorBody(error.code, error.message), error.headers);
}
