import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import {
  anchorRefs,
  formatErrors,
  isObject,
  type Json,
  type JsonObject,
  openApiNullable,
  pointer,
} from './openapi-ajv.js';

/**
 * The operations of GitHub's REST API the stand-in serves, held to the description of api.github.com
 * that `@octokit/openapi` ships (`generated/api.github.com.json`, GitHub's own, with Octokit's
 * extensions). That file is 13 MB and takes most of a second to parse, so the operations named here
 * and the components they reach are cut out of it once per package version and kept in
 * `node_modules/.cache/github-stand-in-openapi/` (a few hundred kB); every later process reads that.
 */

/** The stand-in's route names (Octokit's `rest.*` spelling) and GitHub's operationIds. */
export const GITHUB_OPERATIONS = {
  'pulls.list': 'pulls/list',
  'pulls.get': 'pulls/get',
  'repos.getBranch': 'repos/get-branch',
  'issues.listComments': 'issues/list-comments',
  'issues.createComment': 'issues/create-comment',
  'issues.updateComment': 'issues/update-comment',
  'issues.deleteComment': 'issues/delete-comment',
  'repos.listDeployments': 'repos/list-deployments',
  'repos.createDeployment': 'repos/create-deployment',
  'repos.getDeployment': 'repos/get-deployment',
  'repos.listDeploymentStatuses': 'repos/list-deployment-statuses',
  'repos.createDeploymentStatus': 'repos/create-deployment-status',
} as const;

export type OperationName = keyof typeof GITHUB_OPERATIONS;

export interface GitHubParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  /** The schema's type, for turning a path segment or a query value into a JSON value. */
  type: string | undefined;
  validate: ValidateFunction;
}

export interface GitHubOperation {
  operationId: string;
  method: string;
  /** As the description spells it: `/repos/{owner}/{repo}/pulls`. */
  template: string;
  parameters: GitHubParameter[];
  /** undefined when the operation takes no JSON body. */
  body: { required: boolean; validate: ValidateFunction } | undefined;
  /** Problems with an answer, empty when it fits. */
  checkResponse(status: number, body: unknown): string[];
}

interface Subset {
  version: string;
  operations: Record<string, { method: string; template: string; operation: Json; shared: Json }>;
  components: JsonObject;
}

const SPEC_ID = 'github-api.json';
// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

let compiler: ((name: OperationName) => GitHubOperation) | undefined;
const compiled = new Map<OperationName, GitHubOperation>();

/**
 * One operation, compiled on first use: Ajv compiles a schema and everything it reaches (a pull
 * request's repository has a hundred properties), so a test file pays only for the routes it calls.
 */
export function githubOperation(name: OperationName): GitHubOperation {
  let operation = compiled.get(name);
  if (operation === undefined) {
    compiler ??= compilerFor(readSubset());
    operation = compiler(name);
    compiled.set(name, operation);
  }
  return operation;
}

let subset: Subset | undefined;

function readSubset(): Subset {
  if (subset !== undefined) return subset;
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('@octokit/openapi/package.json');
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  const ids = Object.values(GITHUB_OPERATIONS);
  // A new list of operations or a changed cut makes a new file rather than reading a stale one.
  const digest = createHash('sha256')
    .update(`${ids.join('\n')}\n${cut.toString()}`)
    .digest('hex')
    .slice(0, 12);
  // node_modules/@octokit/openapi/package.json -> node_modules
  const cacheRoot = join(dirname(manifest), '..', '..', '.cache', 'github-stand-in-openapi');
  const file = join(cacheRoot, `${version}-${digest}.json`);
  if (existsSync(file)) {
    subset = JSON.parse(readFileSync(file, 'utf8')) as Subset;
    return subset;
  }
  const document = JSON.parse(
    readFileSync(join(dirname(manifest), 'generated', 'api.github.com.json'), 'utf8'),
  ) as JsonObject;
  subset = cut(document, ids);
  mkdirSync(cacheRoot, { recursive: true });
  // Written aside, then renamed: parallel test files may race for the first write.
  const staging = `${file}.${process.pid}-${Date.now()}`;
  writeFileSync(staging, JSON.stringify(subset));
  renameSync(staging, file);
  return subset;
}

/** The named operations and every component they reach through `$ref`, nothing else. */
function cut(document: JsonObject, ids: string[]): Subset {
  const operations: Subset['operations'] = {};
  for (const [template, item] of Object.entries(document.paths as JsonObject)) {
    if (!isObject(item)) continue;
    for (const [method, operation] of Object.entries(item)) {
      if (isObject(operation) && ids.includes(operation.operationId as string)) {
        operations[operation.operationId as string] = {
          method: method.toUpperCase(),
          template,
          operation,
          shared: item.parameters ?? [],
        };
      }
    }
  }
  const missing = ids.filter((id) => operations[id] === undefined);
  if (missing.length > 0) throw new Error(`@octokit/openapi describes no ${missing.join(', ')}`);

  const components: JsonObject = {};
  const seen = new Set<string>();
  const visit = (node: Json | undefined): void => {
    if (Array.isArray(node)) for (const item of node) visit(item);
    if (!isObject(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'examples' || key === 'example') continue;
      if (key === '$ref' && typeof value === 'string' && !seen.has(value)) {
        seen.add(value);
        const target = pointer(document, value);
        const [, , kind, name] = value.split('/');
        if (kind === undefined || name === undefined || target === undefined) {
          throw new Error(`@octokit/openapi: cannot follow ${value}`);
        }
        const group = isObject(components[kind]) ? components[kind] : {};
        group[name] = target;
        components[kind] = group;
        visit(target);
      } else {
        visit(value);
      }
    }
  };
  visit(Object.values(operations).map((entry) => [entry.operation, entry.shared]) as unknown as Json);
  const info = document.info as JsonObject;
  return { version: String(info.version), operations, components };
}

function compilerFor(spec: Subset): (name: OperationName) => GitHubOperation {
  const components = openApiNullable(relaxed(spec.components)) as JsonObject;
  const root: JsonObject = { components };
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
  addFormats(ajv);
  ajv.addSchema({ $id: SPEC_ID, components } as object);
  const schemaOf = (schema: Json) => ajv.compile(anchorRefs(openApiNullable(schema), SPEC_ID) as object);
  const resolve = (node: Json | undefined): JsonObject | undefined => {
    if (!isObject(node)) return undefined;
    return typeof node.$ref === 'string' ? resolve(pointer(root, node.$ref)) : node;
  };

  let basicError: ValidateFunction | undefined;
  return (name) => {
    const id = GITHUB_OPERATIONS[name];
    const entry = spec.operations[id];
    if (entry === undefined) throw new Error(`no ${id} in the cut description`);
    const operation = entry.operation as JsonObject;
    const all = [
      ...(Array.isArray(entry.shared) ? entry.shared : []),
      ...(Array.isArray(operation.parameters) ? operation.parameters : []),
    ];
    const parameters = all.flatMap((raw): GitHubParameter[] => {
      const parameter = resolve(raw);
      if (parameter === undefined || typeof parameter.name !== 'string') return [];
      const schema = resolve(parameter.schema) ?? {};
      return [
        {
          name: parameter.name,
          in: parameter.in as GitHubParameter['in'],
          required: parameter.required === true,
          type: typeof schema.type === 'string' ? schema.type : undefined,
          validate: schemaOf(parameter.schema ?? {}),
        },
      ];
    });
    const requestBody = resolve(operation.requestBody);
    const requestSchema = resolve(requestBody?.content)?.['application/json'];
    const body =
      requestBody !== undefined && isObject(requestSchema) && requestSchema.schema !== undefined
        ? { required: requestBody.required === true, validate: schemaOf(requestSchema.schema) }
        : undefined;
    const responses = resolve(operation.responses) ?? {};
    const answers = new Map<string, ValidateFunction | null>();
    for (const [status, raw] of Object.entries(responses)) {
      const content = resolve(resolve(raw)?.content)?.['application/json'];
      answers.set(
        status,
        isObject(content) && content.schema !== undefined ? schemaOf(content.schema) : null,
      );
    }
    // GitHub lists only some of the errors an operation can answer (no 401 or 403 on most, no 404
    // on a delete), and some without a body; all carry its common error body, `basic-error`.
    basicError ??= schemaOf({ $ref: '#/components/schemas/basic-error' });
    const common = basicError;
    const where = `${entry.method} ${entry.template}`;
    return {
      operationId: id,
      method: entry.method,
      template: entry.template,
      parameters,
      body,
      checkResponse(status, answer) {
        const listed = answers.get(String(status));
        const validate = listed ?? (status >= 400 ? common : null);
        if (listed === undefined && status < 400) return [`${where} does not answer ${status}`];
        if (validate === null) {
          return answer === undefined ? [] : [`${where} ${status} has no body, but one was sent`];
        }
        if (answer === undefined) return [`${where} ${status} has a JSON body, but none was sent`];
        return validate(answer) ? [] : formatErrors(validate.errors).map((p) => `${where} ${status}: ${p}`);
      },
    };
  };
}

/**
 * Where GitHub's description and GitHub disagree, the stand-in follows GitHub, and says so here:
 * - a pull request from a deleted fork has `head.repo: null`, which neither `pull-request-simple` (the
 *   list) nor `pull-request` (one) allows in this 3.0 description (github/rest-api-description#1811,
 *   open; #424 and #161 report the same for the full pull request);
 * - an error status listed without a body (create a deployment's 409) carries GitHub's error body;
 * - a URL field whose `default` is `""` (a deployment status's `log_url`, `environment_url`) is sent
 *   as `""` when not set, which its own `format: uri` refuses.
 */
function relaxed(components: JsonObject): JsonObject {
  const copy = structuredClone(components);
  for (const schema of ['pull-request-simple', 'pull-request']) {
    const head = pointer({ components: copy }, `#/components/schemas/${schema}/properties/head`);
    const properties = isObject(head) && isObject(head.properties) ? head.properties : undefined;
    if (properties === undefined || !isObject(properties.repo)) {
      throw new Error(`@octokit/openapi: ${schema} has no head.repo any more; drop the relaxation`);
    }
    properties.repo = { ...properties.repo, nullable: true };
  }
  const emptyUris = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(emptyUris);
    if (!isObject(node)) return node;
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(node)) out[key] = emptyUris(value);
    return out.format === 'uri' && out.default === '' ? { anyOf: [out, { const: '' }] } : out;
  };
  return emptyUris(copy) as JsonObject;
}

/** A request that does not fit its operation, answered as GitHub answers it. */
export interface RequestProblem {
  /** 404 for a path parameter (GitHub's router matches no route), 422 for the query or the body. */
  status: 404 | 422;
  /** GitHub's JSON-schema refusals read `Invalid request.\n\n<detail>`; this is the detail. */
  detail: string;
}

/**
 * The first way a request breaks its operation's description: path parameters, then the query (a
 * value GitHub would parse as the parameter's type), then the JSON body. Query parameters the
 * description does not name are ignored, as GitHub ignores them.
 */
export function checkRequest(
  name: OperationName,
  request: { path: Record<string, string>; query: Record<string, string>; body: unknown },
): RequestProblem | undefined {
  const operation = githubOperation(name);
  for (const parameter of operation.parameters) {
    if (parameter.in !== 'path' && parameter.in !== 'query') continue;
    const raw = (parameter.in === 'path' ? request.path : request.query)[parameter.name];
    if (raw === undefined) {
      if (parameter.required)
        return {
          status: parameter.in === 'path' ? 404 : 422,
          detail: `"${parameter.name}" wasn't supplied.`,
        };
      continue;
    }
    const value = typed(raw, parameter.type);
    if (value === undefined || !parameter.validate(value)) {
      const status = parameter.in === 'path' ? 404 : 422;
      return {
        status,
        detail: `For '${parameter.name}', ${JSON.stringify(raw)} ${expected(parameter.validate, parameter.type)}.`,
      };
    }
  }
  if (operation.body === undefined) return undefined;
  if (request.body === undefined) {
    return operation.body.required ? { status: 422, detail: 'Body is required.' } : undefined;
  }
  if (operation.body.validate(request.body)) return undefined;
  const error = operation.body.validate.errors?.[0];
  if (error === undefined) return { status: 422, detail: 'Body does not fit the schema.' };
  if (error.keyword === 'required') {
    return { status: 422, detail: `"${String(error.params.missingProperty)}" wasn't supplied.` };
  }
  const path = error.instancePath.split('/').slice(1).join('/');
  const value = error.instancePath
    .split('/')
    .slice(1)
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], request.body);
  return {
    status: 422,
    detail: `For 'properties/${path}', ${JSON.stringify(value)} ${expected(operation.body.validate)}.`,
  };
}

/** A path segment or query value as the parameter's type; undefined when it is not one. */
function typed(raw: string, type: string | undefined): unknown {
  if (type === 'integer' || type === 'number') return /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : undefined;
  if (type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : undefined;
  return raw;
}

/** GitHub's wording for the first error: `is not a string`, `is not one of [...]`. */
function expected(validate: ValidateFunction, type?: string): string {
  const error = validate.errors?.[0];
  if (error === undefined) return `is not ${type === 'integer' ? 'an integer' : `a ${type}`}`;
  if (error.keyword === 'type') return `is not a ${String(error.params.type)}`;
  if (error.keyword === 'enum') return `is not one of ${JSON.stringify(error.params.allowedValues)}`;
  return error.message ?? 'is invalid';
}
