export const MASK = '***';
/** Shorter values would mask ordinary words; no real secret is this short. */
const MIN_SECRET_LENGTH = 4;

/** Whether a secret is long enough to be masked wherever it appears (see MIN_SECRET_LENGTH). */
export function isMaskable(secret: string): boolean {
  return secret.length >= MIN_SECRET_LENGTH;
}

/**
 * The secret values no printed line may contain, replaced by `***`: the CLI's and the webhook's
 * counterpart of the runner's masking (`core.setSecret`); the core hands every secret it receives to
 * its `secret` callback, and a front end that prints adds it here. A webhook job's redactor is a child of the server's: the job adds the
 * connection string and password it receives, and they go with the job, so memory does not grow
 * with the number of deliveries, while the server's own secrets (API keys, webhook secrets) apply
 * everywhere.
 */
export class Redactor {
  private readonly values = new Set<string>();
  private sorted: string[] | undefined;

  constructor(private readonly parent?: Redactor) {}

  add = (value: string): void => {
    if (!isMaskable(value) || this.values.has(value)) return;
    this.values.add(value);
    this.sorted = undefined;
  };

  child(): Redactor {
    return new Redactor(this);
  }

  redact(text: string): string {
    let result = this.parent === undefined ? text : this.parent.redact(text);
    // Longest first, so a URL is masked whole before its password alone could be.
    this.sorted ??= [...this.values].sort((a, b) => b.length - a.length);
    for (const value of this.sorted) {
      if (result.includes(value)) result = result.replaceAll(value, MASK);
    }
    return result;
  }
}

/** Masks the whole URL, the password as it appears in it and decoded. */
export function maskConnectionString(url: string, secret: (value: string) => void): void {
  secret(url);
  try {
    const password = new URL(url).password;
    if (password !== '') {
      secret(password);
      const decoded = decodeURIComponent(password);
      if (decoded !== password) secret(decoded);
    }
  } catch {
    // Not a URL: masked whole above.
  }
}

/**
 * Credentials written inside text that is otherwise fine to show: the password of any URL
 * (`postgres://user:***@host`) and password options in SQL (`password '***'`, which a schema dump's
 * USER MAPPING carries). For texts that come from a service, such as a schema diff.
 */
export function maskCredentialsIn(text: string): string {
  return (
    text
      // Bounded repetitions: an unbounded scheme would make a 100 kB line without `://` quadratic.
      .replace(/([a-z][a-z0-9+.-]{0,31}:\/\/[^\s:/@]{0,256}):[^\s/@]{0,1024}@/gi, `$1:${MASK}@`)
      .replace(/(\bpassword\b\s*=?\s*)'(?:[^']|'')*'/gi, `$1'${MASK}'`)
  );
}
