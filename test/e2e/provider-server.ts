/**
 * The built webhook server (dist/webhook/index.js) between fresh Neon and Amplify stand-ins, for the
 * GitLab and Bitbucket end-to-end files: started before the file's tests, and stopped after them
 * with the checks every such file makes (a clean exit, the secret never printed, no Neon answer
 * outside the spec).
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { type AmplifyStandIn, startAmplifyStandIn } from '../fakes/amplify-server.js';
import { type NeonStandIn, startNeonStandIn } from '../fakes/neon-server.js';
import {
  type LogLine,
  requireBuilt,
  standInEnv,
  startWebhookProcess,
  WEBHOOK_ENTRY,
  type WebhookProcess,
} from './webhook-process.js';

export interface ProviderServer {
  readonly neon: NeonStandIn;
  readonly amplify: AmplifyStandIn;
  readonly server: WebhookProcess;
  /** `POST` address of the provider's route. */
  url(): string;
  /** The delivery's last log line (`step: finish`). */
  finished(id: string): Promise<LogLine>;
}

export function useProviderServer(options: {
  appId: string;
  /** `gitlab` or `bitbucket`: the route `/webhook/{path}`. */
  path: string;
  /** The provider's secret variable and its value, which must never show in the output. */
  secret: { name: string; value: string };
}): ProviderServer {
  const { appId, path, secret } = options;
  let neon: NeonStandIn | undefined;
  let amplify: AmplifyStandIn | undefined;
  let server: WebhookProcess | undefined;
  const need = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the provider server is not started yet');
    return value;
  };

  beforeAll(async () => {
    requireBuilt(WEBHOOK_ENTRY);
    neon = await startNeonStandIn({ operationSteps: 1, operationDurationMs: null });
    amplify = await startAmplifyStandIn();
    amplify.addApp({ appId });
    server = await startWebhookProcess({
      ...standInEnv(neon, amplify, appId),
      GITHUB_WEBHOOK_SECRET: 'e2e-github-secret',
      [secret.name]: secret.value,
    });
  });

  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
    expect(server?.output()).not.toContain(secret.value);
    expect(neon?.violations).toEqual([]);
    await Promise.all([neon?.close(), amplify?.close()]);
  });

  return {
    get neon() {
      return need(neon);
    },
    get amplify() {
      return need(amplify);
    },
    get server() {
      return need(server);
    },
    url: () => `${need(server).url}/webhook/${path}`,
    finished: (id) => need(server).waitForLine((line) => line.delivery === id && line.step === 'finish'),
  };
}
