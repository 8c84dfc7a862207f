import { request as httpRequest } from 'node:http';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { StandInCredentials } from './sigv4.js';

export interface RawAmplifyRequest {
  method: string;
  /** Sent verbatim, so a test can send what the SDK never would (a raw `/` in a branch name). */
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  /** Default: the stand-in's credentials. */
  credentials?: StandInCredentials;
  /** Default: the stand-in's region. */
  region?: string;
  signingDate?: Date;
  /** Send no Authorization header at all. */
  unsigned?: boolean;
  /** Send this path instead of the signed one (a tampered request). */
  sendPath?: string;
}

export interface RawAmplifyResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The parsed JSON body, undefined when empty. */
  json: unknown;
}

/** A SigV4-signed request built by hand, to probe the stand-in below the SDK. */
export async function rawAmplifyRequest(
  target: { url: string; region: string; credentials: Readonly<StandInCredentials> },
  input: RawAmplifyRequest,
): Promise<RawAmplifyResponse> {
  const url = new URL(target.url);
  const body = input.body === undefined ? undefined : JSON.stringify(input.body);
  const query = input.query ?? {};
  const search = Object.entries(query)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join('&');
  let headers: Record<string, string> = { host: url.host };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (input.unsigned !== true) {
    const signer = new SignatureV4({
      credentials: input.credentials ?? target.credentials,
      region: input.region ?? target.region,
      service: 'amplify',
      sha256: Hash.bind(null, 'sha256'),
    });
    const signed = await signer.sign(
      {
        method: input.method,
        protocol: url.protocol,
        hostname: url.hostname,
        port: Number(url.port),
        path: input.path,
        query,
        headers,
        body,
      },
      input.signingDate === undefined ? {} : { signingDate: input.signingDate },
    );
    headers = Object.fromEntries(Object.entries(signed.headers).map(([key, value]) => [key, String(value)]));
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: input.method,
        path: `${input.sendPath ?? input.path}${search === '' ? '' : `?${search}`}`,
        headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: text === '' ? undefined : JSON.parse(text),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
