import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import {
  anchorRefs,
  formatErrors,
  HTTP_METHODS,
  isObject,
  type Json,
  type JsonObject,
  openApiNullable,
  pointer,
} from './openapi-ajv.js';

/**
 * The OpenAPI document `@neondatabase/api-client` ships, compiled with Ajv so the stand-in can hold its
 * requests and its own answers to it. Parsed once per process: the file is large.
 */

export interface SpecParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  /** The parameter's schema type, for turning the query string into a value. */
  type: string | undefined;
  validate: ValidateFunction;
}

export interface NeonSpec {
  /** Templates such as `/projects/{project_id}/branches`, with the methods the spec defines for them. */
  paths: Map<string, Set<string>>;
  parameters(template: string, method: string): SpecParameter[];
  /** undefined when the operation takes no JSON body. */
  requestBody(
    template: string,
    method: string,
  ): { required: boolean; validate: ValidateFunction } | undefined;
  /** Problems with an answer, empty when it fits the operation's response for `status` (or `default`). */
  checkResponse(template: string, method: string, status: number, body: unknown): string[];
}

const SPEC_ID = 'neon-v2.json';
// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

let cached: NeonSpec | undefined;

export function loadNeonSpec(): NeonSpec {
  cached ??= compileSpec();
  return cached;
}

function compileSpec(): NeonSpec {
  const require = createRequire(import.meta.url);
  const file = join(
    dirname(require.resolve('@neondatabase/api-client/package.json')),
    'public-v2-for-users.gen.yaml',
  );
  const document = openApiNullable(parse(readFileSync(file, 'utf8')) as Json) as JsonObject;
  const components = document.components as JsonObject;
  const specPaths = document.paths as JsonObject;

  const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
  addFormats(ajv);
  ajv.addSchema({ $id: SPEC_ID, components } as object);

  const compiled = new Map<string, ValidateFunction>();
  const compile = (key: string, schema: Json): ValidateFunction => {
    let validate = compiled.get(key);
    if (!validate) {
      validate = ajv.compile(anchorRefs(schema, SPEC_ID) as object);
      compiled.set(key, validate);
    }
    return validate;
  };
  const resolve = (node: Json | undefined): JsonObject | undefined => {
    if (!isObject(node)) return undefined;
    const ref = node.$ref;
    if (typeof ref !== 'string') return node;
    return resolve(pointer(document, ref));
  };
  const operation = (template: string, method: string): JsonObject | undefined =>
    resolve(resolve(specPaths[template])?.[method.toLowerCase()]);

  const paths = new Map<string, Set<string>>();
  for (const [template, item] of Object.entries(specPaths)) {
    const methods = Object.keys(resolve(item) ?? {}).filter((key) => HTTP_METHODS.has(key));
    paths.set(template, new Set(methods.map((method) => method.toUpperCase())));
  }

  return {
    paths,

    parameters(template, method) {
      const shared = resolve(specPaths[template])?.parameters;
      const own = operation(template, method)?.parameters;
      const all = [...(Array.isArray(shared) ? shared : []), ...(Array.isArray(own) ? own : [])];
      const byName = new Map<string, SpecParameter>();
      for (const raw of all) {
        const parameter = resolve(raw);
        if (!parameter || typeof parameter.name !== 'string') continue;
        const schema = resolve(parameter.schema) ?? {};
        byName.set(`${parameter.in}:${parameter.name}`, {
          name: parameter.name,
          in: parameter.in as SpecParameter['in'],
          required: parameter.required === true,
          type: typeof schema.type === 'string' ? schema.type : undefined,
          validate: compile(`param ${method} ${template} ${parameter.in} ${parameter.name}`, schema),
        });
      }
      return [...byName.values()];
    },

    requestBody(template, method) {
      const body = resolve(operation(template, method)?.requestBody);
      const schema = resolve(body?.content)?.['application/json'];
      if (!body || !isObject(schema) || schema.schema === undefined) return undefined;
      return {
        required: body.required === true,
        validate: compile(`request ${method} ${template}`, schema.schema),
      };
    },

    checkResponse(template, method, status, body) {
      const responses = resolve(operation(template, method)?.responses);
      if (!responses) return [`${method} ${template} is not in the spec`];
      const response = resolve(responses[String(status)] ?? responses.default);
      if (!response) return [`${method} ${template} defines no response for ${status} and no default`];
      const content = resolve(response.content)?.['application/json'];
      if (!isObject(content) || content.schema === undefined) {
        return body === undefined
          ? []
          : [`${method} ${template} ${status} defines no body, but one was sent`];
      }
      if (body === undefined)
        return [`${method} ${template} ${status} defines a JSON body, but none was sent`];
      const validate = compile(`response ${method} ${template} ${status}`, content.schema);
      return validate(body) ? [] : formatErrors(validate.errors);
    },
  };
}
