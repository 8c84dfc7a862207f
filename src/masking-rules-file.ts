import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { SettingError } from './core/errors.js';
import type { LoadRules } from './core/masking-rules.js';

/**
 * `masking-rules` as a file: an absolute path, or one relative to `base` (the action: the workspace
 * the repository is checked out in; the CLI and the webhook: the working directory). A file that
 * cannot be read is bad usage, reported before any request.
 */
export function rulesFileLoader(base: string): LoadRules {
  return (value) => {
    const path = isAbsolute(value) ? value : resolve(base, value);
    try {
      return { text: readFileSync(path, 'utf8'), source: value };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw SettingError.invalid(
        'masking-rules',
        value,
        `expected a readable JSON or YAML file (${path}: ${code})`,
      );
    }
  };
}
