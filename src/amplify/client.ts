import { AmplifyClient, type AmplifyClientConfig } from '@aws-sdk/client-amplify';
import type { Logger } from '../core/ports.js';
import { isServiceError } from './errors.js';

export interface AmplifyClientOptions {
  region: string;
  log: Logger;
  clientConfig?: Partial<AmplifyClientConfig> | undefined;
  requestTimeoutMs: number;
}

/**
 * The SDK client. The endpoint is deliberately not set here: the SDK reads AWS_ENDPOINT_URL_AMPLIFY
 * (then AWS_ENDPOINT_URL) itself, which is how tests and LocalStack-style setups redirect it.
 * Credentials come from the SDK's default chain (environment, web identity, profile, IMDS).
 */
export function createAmplifyClient(options: AmplifyClientOptions): AmplifyClient {
  const client = new AmplifyClient({
    region: options.region,
    // The SDK has no request timeout of its own, and its requestTimeout only warns unless told to
    // throw. A timed-out attempt is a TimeoutError, which the SDK's retry treats as transient.
    requestHandler: {
      requestTimeout: options.requestTimeoutMs,
      connectionTimeout: Math.min(options.requestTimeoutMs, 10_000),
      throwOnRequestTimeout: true,
    },
    ...options.clientConfig,
  });

  // The SDK retries throttling, 5xx and connection errors itself (3 attempts by default). This sits
  // inside its retry loop and says so when an attempt after the first goes out.
  client.middlewareStack.add(
    (next, context) => {
      let previous: string | undefined;
      return async (args) => {
        const request = args.request as { headers?: Record<string, string> } | undefined;
        const attempt = /attempt=(\d+); max=(\d+)/.exec(request?.headers?.['amz-sdk-request'] ?? '');
        if (attempt !== null && attempt[1] !== '1' && previous !== undefined) {
          const operation = (context.commandName ?? 'request').replace(/Command$/, '');
          // A warning, as Neon's retries are: the run goes on, but someone may want to know.
          options.log.warning(
            `Amplify ${operation}: ${previous}; retrying (attempt ${attempt[1]} of ${attempt[2]})`,
          );
        }
        try {
          return await next(args);
        } catch (error) {
          previous = describeAttemptFailure(error);
          throw error;
        }
      };
    },
    { step: 'finalizeRequest', priority: 'low', name: 'amplifyRetryLog' },
  );
  return client;
}

function describeAttemptFailure(error: unknown): string {
  if (isServiceError(error)) return `${error.$metadata.httpStatusCode} ${error.name}: ${error.message}`;
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code} ${error.message}` : `${error.name}: ${error.message}`;
  }
  return String(error);
}
