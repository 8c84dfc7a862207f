/**
 * The tests' one bounded wait: polls `condition` until it returns a value (anything but
 * `undefined` or `false`) and resolves with it, or fails after `withinMs` naming `what` was
 * awaited. For what a test cannot drive on an injected clock (a child process, a built bundle
 * run as a process); `withinMs` bounds a wait that went wrong, it measures nothing.
 */
export async function waitFor<T>(
  what: string,
  condition: () => T | undefined | false | Promise<T | undefined | false>,
  options: { withinMs?: number; everyMs?: number } = {},
): Promise<T> {
  const withinMs = options.withinMs ?? 10_000;
  const everyMs = options.everyMs ?? 20;
  const deadline = performance.now() + withinMs;
  for (;;) {
    const value = await condition();
    if (value !== undefined && value !== false) return value;
    if (performance.now() >= deadline) {
      throw new Error(`Waited ${withinMs} ms for ${what}, in vain`);
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** What `promise` settles with, once it has, as a condition for `waitFor`. */
export function settled<T>(promise: Promise<T>): () => { value: T } | undefined {
  let outcome: { value: T } | undefined;
  let failure: { error: unknown } | undefined;
  promise.then(
    (value) => {
      outcome = { value };
    },
    (error: unknown) => {
      failure = { error };
    },
  );
  return () => {
    if (failure !== undefined) throw failure.error;
    return outcome;
  };
}
