import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { messageOf } from '../../core/errors.js';
import { Redactor } from '../../core/redact.js';
import { JsonLogger } from '../config/log.js';
import type { RequestHandler, WebhookRequest, WebhookResponse } from '../delivery/types.js';

/**
 * The request of a Lambda function URL, which is also API Gateway's HTTP API payload format 2.0;
 * header names arrive in lower case, repeated headers joined with commas.
 */
export type HttpEventV2 = APIGatewayProxyEventV2;

export type HttpResultV2 = APIGatewayProxyStructuredResultV2 & {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
};

/** The Lambda handler around a request handler, made on the first invocation by `build`. */
export function createLambdaHandler(
  build: () => RequestHandler,
): (event: HttpEventV2) => Promise<HttpResultV2> {
  return async (event) => toResult(await build().handle(toRequest(event)));
}

export function toRequest(event: HttpEventV2): WebhookRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
  const stage = event.requestContext.stage;
  let path = event.rawPath;
  if (stage !== undefined && stage !== '$default' && path.startsWith(`/${stage}/`)) {
    path = path.slice(stage.length + 1);
  }
  const body = event.body ?? '';
  return {
    method: event.requestContext.http.method,
    path,
    headers,
    // The signature covers the bytes GitHub sent: decode base64, and never re-encode text.
    body: Buffer.from(body, event.isBase64Encoded ? 'base64' : 'utf8'),
  };
}

function toResult(response: WebhookResponse): HttpResultV2 {
  return {
    statusCode: response.status,
    headers: response.headers,
    body: response.body,
    isBase64Encoded: false,
  };
}

/**
 * Made once per instance and kept: settings are read on the first invocation. A bad one fails
 * every invocation with a log line naming it (no secret is known yet to mask, and the
 * configuration errors never quote one).
 */
export function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => {
    if (made !== undefined) return made.value;
    try {
      made = { value: make() };
      return made.value;
    } catch (error) {
      new JsonLogger({ redactor: new Redactor() }).error(`Invalid configuration: ${messageOf(error)}`, {
        step: 'start',
        outcome: 'failed',
      });
      throw error;
    }
  };
}
