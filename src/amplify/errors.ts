import { ApiError } from '../core/errors.js';

/** What a failed call was doing, for the message: the step, the IAM action it needs, the app. */
export interface AmplifyCall {
  /** `Updating the environment variables of Amplify branch 'feat/x'` */
  step: string;
  /** The API operation, which is also the IAM action after `amplify:` (`UpdateBranch`). */
  operation: string;
  appId: string;
}

/** The parts of the SDK's ServiceException this module reads. */
interface ServiceErrorLike {
  name: string;
  message: string;
  $metadata: { httpStatusCode?: number | undefined; requestId?: string | undefined };
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * Turns whatever the SDK threw into an ApiError that names the step and keeps what Amplify said:
 * `Updating the environment variables of Amplify branch 'feat/x' failed: 400 BadRequestException:
 * ... (request id ...)`. Credential and permission failures get a hint saying which one it is.
 * Nothing here reads the credentials themselves, so no message can contain them.
 */
export function toAmplifyError(error: unknown, call: AmplifyCall): ApiError {
  if (error instanceof ApiError) return error;
  if (isServiceError(error)) {
    const status = error.$metadata.httpStatusCode;
    const requestId = error.$metadata.requestId;
    const said = `${status ?? 'no status'} ${error.name}: ${error.message}`;
    const id = requestId === undefined || requestId === '' ? '' : ` (request id ${requestId})`;
    const hint = serviceHint(error.name, error.message, status, call);
    return new ApiError(call.step, `${said}${id}${hint === undefined ? '' : `. ${hint}`}`, {
      service: 'Amplify',
      status,
      code: error.name,
      requestId,
      cause: error,
    });
  }
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  const code = errorCode(error);
  let detail: string;
  if (name === 'CredentialsProviderError') {
    detail =
      `no AWS credentials found (${message}). In a workflow, add aws-actions/configure-aws-credentials ` +
      'before this step (an OIDC role needs `permissions: id-token: write`); elsewhere set ' +
      'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE';
  } else if (name === 'TimeoutError' || code === 'ETIMEDOUT') {
    detail = `Amplify did not answer in time (${message})`;
  } else if (code !== undefined && NETWORK_CODES.has(code)) {
    detail = `could not reach Amplify: ${code} ${message}`;
  } else {
    detail = `${name}: ${message}`;
  }
  return new ApiError(call.step, detail, { service: 'Amplify', code: code ?? name, cause: error });
}

/** A service exception (anything the SDK built from an HTTP answer) rather than a local failure. */
export function isServiceError(error: unknown): error is ServiceErrorLike {
  if (!(error instanceof Error)) return false;
  const metadata = (error as { $metadata?: unknown }).$metadata;
  return (
    typeof metadata === 'object' &&
    metadata !== null &&
    typeof (metadata as { httpStatusCode?: unknown }).httpStatusCode === 'number'
  );
}

function serviceHint(
  name: string,
  message: string,
  status: number | undefined,
  call: AmplifyCall,
): string | undefined {
  switch (name) {
    case 'UnrecognizedClientException':
    case 'InvalidClientTokenId':
      return 'AWS does not know the access key id: check the credentials this run was given (aws-actions/configure-aws-credentials, AWS_ACCESS_KEY_ID, AWS_SESSION_TOKEN)';
    case 'InvalidSignatureException':
    case 'SignatureDoesNotMatch':
      if (/signature expired/i.test(message)) return 'The clock of this machine is off: sync it and retry';
      if (/region/i.test(message)) return 'The request was signed for the wrong region: check aws-region';
      return 'The secret access key does not belong to the access key id: check AWS_SECRET_ACCESS_KEY';
    case 'ExpiredTokenException':
    case 'ExpiredToken':
      return 'The session credentials have expired: configure fresh ones';
    case 'MissingAuthenticationTokenException':
    case 'IncompleteSignatureException':
      return 'The request was not properly signed: check the AWS credentials and AWS_ENDPOINT_URL_AMPLIFY';
    case 'AccessDeniedException':
    case 'AccessDenied':
    case 'UnauthorizedException':
      return permissionHint(call);
    default:
      return status === 403 ? permissionHint(call) : undefined;
  }
}

function permissionHint(call: AmplifyCall): string {
  return `The AWS identity may not call amplify:${call.operation} on app ${call.appId}: allow that action in its IAM policy`;
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
