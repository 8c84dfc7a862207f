import { loadWebhookConfig } from '../config/config.js';
import { createWebhookApp } from '../run/app.js';
import { createLambdaHandler, once } from './http.js';

export type { HttpEventV2, HttpResultV2 } from './http.js';
export { createLambdaHandler, toRequest } from './http.js';

/**
 * The single Lambda (`dist/lambda/index.js`, `index.handler`). A Lambda is frozen once it has
 * answered, so work queued behind an early 202 would not run until the next request thawed it, if
 * ever: here each delivery is worked on before the answer, 200 with the outcome or 500 with the
 * error, which GitHub shows and which a "Redeliver" retries. With QUEUE_URL set it is a receiver
 * instead, like `dist/lambda/receiver.js` (see src/webhook/run/app.ts).
 */
export const handler = createLambdaHandler(
  once(() => createWebhookApp({ config: loadWebhookConfig(process.env), mode: 'inline' })),
);
