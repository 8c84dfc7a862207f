import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { messageOf } from '../core/errors.js';
import { Redactor } from '../core/redact.js';
import { createWebhookApp, type WebhookApp } from './app.js';
import { loadWebhookConfig } from './config.js';
import type { WebhookRequest, WebhookResponse } from './handler.js';
import { JsonLogger } from './log.js';

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

/**
 * A Lambda is frozen once it has answered, so work queued behind an early 202 would not run until
 * the next request thawed it, if ever. Here each delivery is worked on before the answer: 200 with
 * the outcome, or 500 with the error, which GitHub shows and which a "Redeliver" retries.
 */
export function createLambdaHandler(app: () => WebhookApp): (event: HttpEventV2) => Promise<HttpResultV2> {
  return async (event) => toResult(await app().handle(toRequest(event)));
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

let app: WebhookApp | undefined;

/**
 * The function's handler (`index.handler`). Settings are read on the first invocation and kept
 * for the life of the instance; a bad one fails every invocation with a log line naming it.
 */
export const handler = createLambdaHandler(() => {
  if (app !== undefined) return app;
  try {
    app = createWebhookApp({ config: loadWebhookConfig(process.env), mode: 'inline' });
    return app;
  } catch (error) {
    new JsonLogger({ redactor: new Redactor() }).error(`Invalid configuration: ${messageOf(error)}`, {
      step: 'start',
      outcome: 'failed',
    });
    throw error;
  }
});
