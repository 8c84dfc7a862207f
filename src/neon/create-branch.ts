import { type Api, type BranchCreateRequest, EndpointType } from '@neondatabase/api-client';
import { ApiError } from '../core/errors.js';
import type { NeonPort } from '../core/ports.js';

/** The port's create, as the port takes it. */
export type CreateBranchInput = Parameters<NeonPort['createBranch']>[0];

/**
 * The create: an anonymized branch when there are masking rules (`branch_anonymized`, its masking
 * started at once, so nothing can use it unmasked for long), else a plain one. Both answer the same.
 */
export function createRequest(api: Api<unknown>, projectId: string, input: CreateBranchInput) {
  if (input.maskingRules === undefined) return api.createProjectBranch(projectId, createBranchRequest(input));
  return api.createProjectBranchAnonymized(projectId, {
    branch_create: createBranchRequest(input),
    masking_rules: input.maskingRules,
    start_anonymization: true,
  });
}

/** The branch create request: one read-write endpoint, and only the settings that were given. */
export function createBranchRequest(input: CreateBranchInput): BranchCreateRequest {
  const { name, parentId, suspendTimeoutSeconds, expiresAt, schemaOnly } = input;
  return {
    branch: {
      name,
      ...(parentId === undefined ? {} : { parent_id: parentId }),
      ...(expiresAt === undefined ? {} : { expires_at: expiresAt }),
      ...(schemaOnly ? { init_source: 'schema-only' } : {}),
    },
    endpoints: [
      {
        type: EndpointType.ReadWrite,
        ...(suspendTimeoutSeconds === undefined ? {} : { suspend_timeout_seconds: suspendTimeoutSeconds }),
      },
    ],
  };
}

/**
 * Neon's refusals of a branch create that only this tool's settings explain, turned into errors
 * that say which setting to change; any other error is returned as it is.
 */
export function explainCreateRefusal(step: string, error: unknown, request: CreateBranchInput): unknown {
  if (!(error instanceof ApiError) || error.service !== 'Neon' || error.status === undefined) return error;
  const hint = rootBranchHint(error) ?? suspendTimeoutHint(error, request);
  if (hint === undefined) return error;
  const prefix = `${step} failed: `;
  const detail = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  return new ApiError(step, `${detail}. ${hint}`, {
    service: error.service,
    status: error.status,
    code: error.code,
    requestId: error.requestId,
    cause: error.cause,
  });
}

/**
 * A schema-only branch is a root branch, and a project holds a few of them, the default branch
 * counted (Neon's schema-only branching guide, "Schema-only branch allowances"; README, "Branch
 * lifecycle"). Users report the refusal as 422 "root branches limit exceeded"; its code is not
 * published, so the wording is matched as well as a code that names root branches.
 */
function rootBranchHint(error: ApiError): string | undefined {
  if (error.status !== 422) return undefined;
  if (!/root[ _-]?branch/i.test(`${error.code ?? ''} ${error.message}`)) return undefined;
  return (
    "The project's root-branch limit is full: with branch-type: schema-only every preview is a root branch " +
    '(it has no parent), and a Neon project holds 3 on Free, 5 on Launch, 10 on Scale, 25 on Business, its ' +
    'default branch included. Delete stale schema-only previews (for example with command: reconcile), or use ' +
    'branch-type: parent-data, whose previews are child branches and do not count'
  );
}

/**
 * Neon's Free plan is reported to refuse a compute's `suspend_timeout_seconds` (a third-party
 * report; Neon's issue neondatabase/neon#4915 says a Free project ignored it in 2023). A refused
 * create that carried it names the setting to drop; the refusal's wording is not published, so a
 * message about suspending says so outright and any other refusal of the request says "if".
 */
function suspendTimeoutHint(error: ApiError, request: CreateBranchInput): string | undefined {
  const seconds = request.suspendTimeoutSeconds;
  if (seconds === undefined) return undefined;
  // 401 (key), 404 (project, parent), 409 (name), 423/429/5xx (retried) are about something else.
  if (![400, 402, 403, 422].includes(error.status ?? 0)) return undefined;
  if (/LIMIT_EXCEEDED/.test(error.code ?? '')) return undefined;
  const setting = `suspend-timeout (${seconds}, sent as the compute's suspend_timeout_seconds)`;
  if (/suspend|scale[ -]to[ -]zero/i.test(error.message)) {
    return `Neon refused ${setting}: Neon's Free plan does not allow changing it. Remove the suspend-timeout setting (or upgrade the plan) and run again`;
  }
  return `This create carried ${setting}, which Neon's Free plan is reported to refuse: if the project is on the Free plan, remove the suspend-timeout setting and run again`;
}
