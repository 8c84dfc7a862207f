import { createReceiver, loadReceiverConfig } from '../sqs/receiver.js';
import { createLambdaHandler, once } from './http.js';

/** `dist/lambda/receiver.js` (`receiver.handler`), behind a function URL or an HTTP API. */
export const handler = createLambdaHandler(
  once(() => createReceiver({ config: loadReceiverConfig(process.env) })),
);
