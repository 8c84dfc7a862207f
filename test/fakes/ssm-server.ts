/**
 * A strict stand-in for AWS Systems Manager Parameter Store on 127.0.0.1, GetParameter only. Point the
 * real SDK at it with `AWS_ENDPOINT_URL_SSM=<url>` and sign with SSM_TEST_CREDENTIALS.
 *
 * What it holds the client to, as the service does (awsJson1_1): `POST /`, content type
 * `application/x-amz-json-1.1`, `X-Amz-Target: AmazonSSM.GetParameter`, a valid SigV4 signature for
 * service `ssm` in the stand-in's region, a body with exactly the model's members. Errors are status
 * 400 with a JSON body `{__type, message}` (the SDK reads the code from `__type`); authentication
 * failures too, as AWS's JSON protocols answer them. A SecureString read without WithDecryption
 * gives the ciphertext, as SSM does, so a client that forgets it gets a wrong key, not the right one.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GetParameterRequest, GetParameterResult, Parameter, ParameterType } from '@aws-sdk/client-ssm';
import { verifySigV4 } from './sigv4.js';

export interface SsmCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

/** Not a real AWS key. Hand the SDK a copy: it writes onto the object it is given. */
export const SSM_TEST_CREDENTIALS: Readonly<SsmCredentials> = {
  accessKeyId: 'AKIASTANDINSSM000001',
  secretAccessKey: 'stand-in/ssm+secret/NOT-A-REAL-KEY-0123456789',
};

export const SSM_TEST_REGION = 'us-east-1';

export interface StoredParameter {
  name: string;
  value: string;
  /** Default SecureString. */
  type?: ParameterType;
  /** Default 1. */
  version?: number;
  /** The caller may read the parameter but not use its KMS key: AccessDeniedException on decryption. */
  kmsDecryptDenied?: boolean;
}

export interface SsmRecordedRequest {
  method: string;
  path: string;
  target: string | undefined;
  /** The parsed JSON body; undefined when it was not JSON. */
  body: unknown;
  status: number;
  errorType?: string | undefined;
  accessKeyId?: string | undefined;
  region?: string | undefined;
  /** For GetParameter: what was asked for. */
  name?: string | undefined;
  withDecryption?: boolean | undefined;
}

export interface SsmStandInOptions {
  region?: string;
  accountId?: string;
  /** Keys it accepts; default [SSM_TEST_CREDENTIALS]. */
  credentials?: SsmCredentials[];
  now?: () => number;
}

export interface SsmStandIn {
  /** `http://127.0.0.1:<port>`, for AWS_ENDPOINT_URL_SSM. */
  url: string;
  region: string;
  credentials: Readonly<SsmCredentials>;
  requests: SsmRecordedRequest[];
  putParameter(parameter: StoredParameter): void;
  /** IAM denies ssm:GetParameter on this parameter: AccessDeniedException. */
  denyParameter(name: string): void;
  close(): Promise<void>;
}

/** GetParameterResult as it travels: timestamps as epoch seconds. */
type WireParameter = Omit<Parameter, 'LastModifiedDate'> & { LastModifiedDate: number };
type GetParameterBody = Omit<GetParameterResult, 'Parameter'> & { Parameter: WireParameter };

class SsmError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

const REQUEST_MEMBERS: readonly (keyof GetParameterRequest)[] = ['Name', 'WithDecryption'];

export async function startSsmStandIn(options: SsmStandInOptions = {}): Promise<SsmStandIn> {
  const region = options.region ?? SSM_TEST_REGION;
  const accountId = options.accountId ?? '123456789012';
  const credentials = options.credentials ?? [{ ...SSM_TEST_CREDENTIALS }];
  const now = options.now ?? Date.now;
  const parameters = new Map<string, Required<StoredParameter> & { modified: number }>();
  const denied = new Set<string>();
  const requests: SsmRecordedRequest[] = [];

  const arnOf = (name: string) =>
    `arn:aws:ssm:${region}:${accountId}:parameter${name.startsWith('/') ? '' : '/'}${name}`;
  const caller = 'arn:aws:sts::123456789012:assumed-role/AmplifyBuildRole/BuildSession';

  const getParameter = (body: Record<string, unknown>, record: SsmRecordedRequest): GetParameterBody => {
    for (const member of Object.keys(body)) {
      if (!(REQUEST_MEMBERS as string[]).includes(member)) {
        throw new SsmError('SerializationException', `Unexpected member '${member}' in GetParameterRequest`);
      }
    }
    const requested = body.Name;
    if (typeof requested !== 'string') {
      throw new SsmError(
        'ValidationException',
        "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null",
      );
    }
    if (body.WithDecryption !== undefined && typeof body.WithDecryption !== 'boolean') {
      throw new SsmError('SerializationException', 'WithDecryption must be a boolean');
    }
    record.name = requested;
    record.withDecryption = body.WithDecryption as boolean | undefined;
    if (requested.length < 1 || requested.length > 2048) {
      throw new SsmError(
        'ValidationException',
        "1 validation error detected: Value at 'name' failed to satisfy constraint: Member must have length between 1 and 2048",
      );
    }
    // `name`, `name:version`, or either as an ARN of this account and region.
    const arnPrefix = `arn:aws:ssm:${region}:${accountId}:parameter`;
    let name: string;
    let selector: string | undefined;
    if (requested.startsWith('arn:')) {
      if (!requested.startsWith(`${arnPrefix}/`)) throw new SsmError('ParameterNotFound', '');
      // The ARN of `/neon/key` is `...:parameter/neon/key`, of `key` it is `...:parameter/key`.
      const [path = '', version] = requested.slice(arnPrefix.length).split(':');
      name = parameters.has(path) ? path : path.slice(1);
      selector = version;
    } else {
      [name = '', selector] = requested.split(':');
    }
    const stored = parameters.get(name);
    if (denied.has(name)) {
      throw new SsmError(
        'AccessDeniedException',
        `User: ${caller} is not authorized to perform: ssm:GetParameter on resource: ${arnOf(name)} because no identity-based policy allows the ssm:GetParameter action`,
      );
    }
    if (stored === undefined) throw new SsmError('ParameterNotFound', '');
    if (selector !== undefined && Number(selector) !== stored.version) {
      throw new SsmError(
        'ParameterVersionNotFound',
        `Systems Manager could not find version ${selector} of ${name}.`,
      );
    }
    const decrypt = body.WithDecryption === true;
    if (stored.type === 'SecureString' && decrypt && stored.kmsDecryptDenied) {
      throw new SsmError(
        'AccessDeniedException',
        `User: ${caller} is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:${region}:${accountId}:key/0f0e0d0c-stand-in because no identity-based policy allows the kms:Decrypt action`,
      );
    }
    const value =
      stored.type === 'SecureString' && !decrypt
        ? Buffer.from(`kms-ciphertext:${createHash('sha256').update(stored.value).digest('hex')}`).toString(
            'base64',
          )
        : stored.value;
    return {
      Parameter: {
        Name: stored.name,
        Type: stored.type,
        Value: value,
        Version: stored.version,
        ...(selector === undefined ? {} : { Selector: `:${selector}` }),
        LastModifiedDate: stored.modified / 1000,
        ARN: arnOf(stored.name),
        DataType: 'text',
      },
    };
  };

  const handle = async (
    request: IncomingMessage,
    raw: Buffer,
    record: SsmRecordedRequest,
  ): Promise<unknown> => {
    const verdict = await verifySigV4(
      { method: request.method ?? '', rawPath: record.path, query: {}, headers: request.headers, body: raw },
      { service: 'ssm', credentials, region, now: new Date(now()) },
    );
    if ('errorType' in verdict) throw new SsmError(verdict.errorType, verdict.message);
    record.accessKeyId = verdict.accessKeyId;
    record.region = verdict.region;
    if (request.method !== 'POST' || record.path !== '/') {
      throw new SsmError('UnknownOperationException', `${request.method} ${record.path} is not an operation`);
    }
    const contentType = request.headers['content-type'];
    if (contentType !== 'application/x-amz-json-1.1') {
      throw new SsmError('SerializationException', `Unexpected content type '${contentType ?? ''}'`);
    }
    if (record.target !== 'AmazonSSM.GetParameter') {
      throw new SsmError(
        'UnknownOperationException',
        `Operation '${record.target ?? ''}' is not supported here`,
      );
    }
    if (record.body === undefined || typeof record.body !== 'object' || record.body === null) {
      throw new SsmError('SerializationException', 'The request body is not a JSON object');
    }
    return getParameter(record.body as Record<string, unknown>, record);
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      const record: SsmRecordedRequest = {
        method: request.method ?? '',
        path: (request.url ?? '').split('?')[0] ?? '',
        target: single(request.headers['x-amz-target']),
        body: parseJson(raw),
        status: 0,
      };
      requests.push(record);
      const reply = (status: number, body: unknown) => {
        record.status = status;
        response.writeHead(status, {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-requestid': randomUUID(),
        });
        response.end(JSON.stringify(body));
      };
      handle(request, raw, record).then(
        (body) => reply(200, body),
        (error: unknown) => {
          if (error instanceof SsmError) {
            record.errorType = error.errorType;
            reply(400, {
              __type: error.errorType,
              ...(error.message === '' ? {} : { message: error.message }),
            });
          } else {
            record.errorType = 'InternalServerError';
            reply(500, { __type: 'InternalServerError', message: String(error) });
          }
        },
      );
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    region,
    credentials: credentials[0] ?? SSM_TEST_CREDENTIALS,
    requests,
    putParameter(parameter) {
      parameters.set(parameter.name, {
        type: 'SecureString',
        version: 1,
        kmsDecryptDenied: false,
        ...parameter,
        modified: now(),
      });
    },
    denyParameter(name) {
      denied.add(name);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}
