import { appendFileSync } from 'node:fs';
import { EOL } from 'node:os';

export type SummaryCell = string | { data: string; header?: boolean };

/**
 * The part of `@actions/core`'s `summary` the action uses, producing the same HTML (see
 * runner-commands.ts for why it is not imported): build the text, then append it to the file
 * GITHUB_STEP_SUMMARY names.
 */
export class JobSummary {
  private buffer = '';

  addHeading(text: string, level: 1 | 2 | 3 | 4 | 5 | 6): this {
    return this.addRaw(wrap(`h${level}`, text), true);
  }

  addTable(rows: readonly (readonly SummaryCell[])[]): this {
    const body = rows
      .map((row) =>
        wrap(
          'tr',
          row
            .map((cell) =>
              typeof cell === 'string' ? wrap('td', cell) : wrap(cell.header ? 'th' : 'td', cell.data),
            )
            .join(''),
        ),
      )
      .join('');
    return this.addRaw(wrap('table', body), true);
  }

  addList(items: readonly string[]): this {
    return this.addRaw(wrap('ul', items.map((item) => wrap('li', item)).join('')), true);
  }

  addRaw(text: string, addEol = false): this {
    this.buffer += addEol ? `${text}${EOL}` : text;
    return this;
  }

  /**
   * Appends what was built to the step's summary file and starts over. Synchronously: a few hundred
   * bytes, once, and node:fs/promises would be one more module for a run with nothing to do to load.
   */
  async write(): Promise<void> {
    const file = process.env.GITHUB_STEP_SUMMARY;
    if (!file) {
      throw new Error(
        'Unable to find environment variable for $GITHUB_STEP_SUMMARY. Check if your runtime environment supports job summaries.',
      );
    }
    appendFileSync(file, this.buffer, { encoding: 'utf8' });
    this.buffer = '';
  }
}

function wrap(tag: string, content: string): string {
  return content === '' ? `<${tag}>` : `<${tag}>${content}</${tag}>`;
}
