import type { ErrorObject } from 'ajv';

/**
 * What the Neon and GitHub stand-ins both need to hold JSON to an OpenAPI 3.0 document with Ajv
 * (neon-openapi.ts, github-openapi.ts): the document as plain JSON, `$ref` pointers, and 3.0's
 * `nullable` in the form Ajv understands.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);

export function isObject(node: Json | undefined): node is JsonObject {
  return typeof node === 'object' && node !== null && !Array.isArray(node);
}

/** The node a local reference (`#/components/schemas/x`) points at, undefined for any other. */
export function pointer(document: Json, ref: string): Json | undefined {
  if (!ref.startsWith('#/')) return undefined;
  let node: Json | undefined = document;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    node = isObject(node) ? node[key] : undefined;
  }
  return node;
}

/** Local `#/components/...` references, pointed at the components registered under `id`. */
export function anchorRefs(node: Json, id: string): Json {
  if (Array.isArray(node)) return node.map((item) => anchorRefs(item, id));
  if (!isObject(node)) return node;
  const copy: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    copy[key] =
      key === '$ref' && typeof value === 'string' && value.startsWith('#/')
        ? `${id}${value}`
        : anchorRefs(value, id);
  }
  return copy;
}

/**
 * OpenAPI 3.0's `nullable: true` as JSON Schema: Ajv only understands it next to a `type`, and the
 * specs also put it beside `allOf`. Only the boolean keyword is rewritten; a property that happens
 * to be named `nullable` holds a schema object and is left alone.
 */
export function openApiNullable(node: Json): Json {
  if (Array.isArray(node)) return node.map(openApiNullable);
  if (!isObject(node)) return node;
  const copy: JsonObject = {};
  for (const [key, value] of Object.entries(node)) copy[key] = openApiNullable(value);
  if (typeof copy.nullable !== 'boolean') return copy;
  const nullable = copy.nullable;
  delete copy.nullable;
  return nullable ? { anyOf: [copy, { type: 'null' }] } : copy;
}

export function formatErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((error) => `${error.instancePath || '(root)'} ${error.message ?? 'is invalid'}`);
}
