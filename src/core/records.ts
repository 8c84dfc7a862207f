/** A plain JSON object (not null, not an array): what a parsed payload, message or file must be. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A parsed payload seen through its publisher's type (such as `@octokit/webhooks-types`): the field
 * names are the publisher's, so a misspelt one fails to compile, but nothing has vouched for the
 * values: every leaf is `unknown` until checked, and every object may be missing or null. Reading
 * through `?.` cannot throw on JSON (a string or a number in an object's place has no such field).
 */
export type Unchecked<T> = { readonly [K in keyof T]?: UncheckedField<T[K]> };
type UncheckedField<V> = [NonNullable<V>] extends [object] ? Unchecked<NonNullable<V>> | null : unknown;
