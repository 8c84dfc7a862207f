import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

/** An access key the stand-in knows, as IAM would. */
export interface StandInCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

/** What a rejected request gets back: the status and error type AWS's front door answers with. */
export interface AuthFailure {
  status: number;
  errorType: string;
  message: string;
}

export interface VerifiedCaller {
  accessKeyId: string;
  region: string;
}

export interface SignedRequest {
  method: string;
  /** The path exactly as it arrived, still percent-encoded. */
  rawPath: string;
  /** Query parameters decoded once; SigV4 re-encodes them itself. */
  query: Record<string, string | string[]>;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface VerifyOptions {
  /** The signing name of the service the stand-in plays: `amplify`, `ssm`. */
  service: string;
  credentials: readonly StandInCredentials[];
  /** The region the stand-in plays; a request signed for another one is refused. */
  region: string;
  now: Date;
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;_.-]+),\s*Signature=([0-9a-f]{64})$/;
const MAX_SKEW_MS = 15 * 60_000;
const INVALID_TOKEN = 'The security token included in the request is invalid.';
const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/**
 * Checks a request's SigV4 `Authorization` header the way AWS's front door does: an
 * unknown key is `UnrecognizedClientException`, a wrong secret or a tampered request is
 * `InvalidSignatureException`, both 403. The signature is recomputed with @smithy/signature-v4
 * over exactly the headers the client listed in `SignedHeaders`.
 */
export async function verifySigV4(
  request: SignedRequest,
  options: VerifyOptions,
): Promise<VerifiedCaller | AuthFailure> {
  const authorization = single(request.headers.authorization);
  if (authorization === undefined || authorization === '') {
    return {
      status: 403,
      errorType: 'MissingAuthenticationTokenException',
      message: 'Missing Authentication Token',
    };
  }
  const match = AUTHORIZATION.exec(authorization);
  if (match === null) {
    return {
      status: 403,
      errorType: 'IncompleteSignatureException',
      message: `Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters. Authorization=${authorization.split(' ')[0]}`,
    };
  }
  const [
    ,
    accessKeyId = '',
    shortDate = '',
    region = '',
    service = '',
    signedHeaderList = '',
    signature = '',
  ] = match;

  const known = options.credentials.find((candidate) => candidate.accessKeyId === accessKeyId);
  if (known === undefined) {
    return { status: 403, errorType: 'UnrecognizedClientException', message: INVALID_TOKEN };
  }
  const token = single(request.headers['x-amz-security-token']);
  if ((known.sessionToken ?? undefined) !== token) {
    return { status: 403, errorType: 'UnrecognizedClientException', message: INVALID_TOKEN };
  }
  if (service !== options.service) {
    return {
      status: 403,
      errorType: 'InvalidSignatureException',
      message: `Credential should be scoped to correct service: '${options.service}'.`,
    };
  }
  if (region !== options.region) {
    return {
      status: 403,
      errorType: 'InvalidSignatureException',
      message: `Credential should be scoped to a valid region, not '${region}'.`,
    };
  }

  const signedHeaders = signedHeaderList.split(';');
  if (!signedHeaders.includes('host')) {
    return {
      status: 403,
      errorType: 'InvalidSignatureException',
      message: `'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.`,
    };
  }
  const amzDate = single(request.headers['x-amz-date']);
  const signingDate = amzDate === undefined ? undefined : parseAmzDate(amzDate);
  if (amzDate === undefined || signingDate === undefined || !signedHeaders.includes('x-amz-date')) {
    return {
      status: 403,
      errorType: 'IncompleteSignatureException',
      message: `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.`,
    };
  }
  if (amzDate.slice(0, 8) !== shortDate) {
    return {
      status: 403,
      errorType: 'InvalidSignatureException',
      message: `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${shortDate}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
    };
  }
  if (Math.abs(options.now.getTime() - signingDate.getTime()) > MAX_SKEW_MS) {
    return {
      status: 403,
      errorType: 'InvalidSignatureException',
      message: `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(new Date(options.now.getTime() - MAX_SKEW_MS))} (${formatAmzDate(options.now)} - 15 min.)`,
    };
  }
  const declaredHash = single(request.headers['x-amz-content-sha256']);
  if (
    declaredHash !== undefined &&
    declaredHash !== createHash('sha256').update(request.body).digest('hex')
  ) {
    return {
      status: 400,
      errorType: 'BadRequestException',
      message: 'The provided x-amz-content-sha256 header does not match what was computed.',
    };
  }

  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = request.headers[name];
    if (value === undefined) {
      return { status: 403, errorType: 'InvalidSignatureException', message: MISMATCH };
    }
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: known.accessKeyId,
      secretAccessKey: known.secretAccessKey,
      sessionToken: known.sessionToken,
    },
    region,
    service,
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: true,
    applyChecksum: false,
  });
  const host = headers.host ?? '';
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: host.replace(/:\d+$/, ''),
      path: request.rawPath,
      query: request.query,
      headers: { ...headers },
      body: request.body.length > 0 ? request.body : undefined,
    },
    { signingDate, signableHeaders: new Set(signedHeaders) },
  );
  const expected = /Signature=([0-9a-f]{64})$/.exec(String(signed.headers.authorization ?? ''))?.[1] ?? '';
  const given = Buffer.from(signature, 'utf8');
  const wanted = Buffer.from(expected, 'utf8');
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
    return { status: 403, errorType: 'InvalidSignatureException', message: MISMATCH };
  }
  return { accessKeyId, region };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function parseAmzDate(value: string): Date | undefined {
  const parts = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (parts === null) return undefined;
  const [, year, month, day, hour, minute, second] = parts.map(Number);
  return new Date(Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 1, hour ?? 0, minute ?? 0, second ?? 0));
}

function formatAmzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}
