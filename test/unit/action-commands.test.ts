import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as actionsCore from '@actions/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { JobSummary } from '../../src/action/job-summary.js';
import * as ours from '../../src/action/runner-commands.js';

// The action writes the runner's protocol itself (src/action/runner-commands.ts says why); these
// tests hold it to `@actions/core`, byte for byte, on the values that need escaping.

const AWKWARD = [
  'plain',
  '',
  '100% done',
  'two\nlines\r\nand a carriage return',
  'a :: colon, a comma',
  '::error::not a command',
  'Unicode: préview/фича 🚀',
  '%0A already escaped',
];

let dir: string;
let saved: NodeJS.ProcessEnv;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'action-commands-'));
  saved = { ...process.env };
  process.exitCode = undefined;
});

afterEach(() => {
  process.env = saved;
  process.exitCode = undefined;
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

/** What `fn` writes to stdout. */
function stdoutOf(fn: () => void): string {
  let text = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    text += String(chunk);
    return true;
  });
  try {
    fn();
  } finally {
    vi.restoreAllMocks();
  }
  return text;
}

describe('workflow commands on stdout', () => {
  const pairs: [string, (text: string) => void, (text: string) => void][] = [
    ['notice', ours.notice, actionsCore.notice],
    ['warning', ours.warning, actionsCore.warning],
    ['error', ours.error, actionsCore.error],
    ['debug', ours.debug, actionsCore.debug],
    ['info', ours.info, actionsCore.info],
    ['setSecret', ours.setSecret, actionsCore.setSecret],
  ];

  it.each(AWKWARD)('notice, warning, error, debug, info and add-mask of %j match @actions/core', (text) => {
    for (const [name, mine, theirs] of pairs) {
      expect(
        stdoutOf(() => mine(text)),
        name,
      ).toBe(stdoutOf(() => theirs(text)));
    }
  });

  it('setFailed writes the same ::error:: and sets exit code 1', () => {
    const theirs = stdoutOf(() => actionsCore.setFailed('Creating Neon branch failed: 100%\nsee above'));
    process.exitCode = undefined;
    const mine = stdoutOf(() => ours.setFailed('Creating Neon branch failed: 100%\nsee above'));
    expect(mine).toBe(theirs);
    expect(process.exitCode).toBe(1);
  });
});

describe('outputs and inputs', () => {
  it.each(AWKWARD)('setOutput of %j writes the same GITHUB_OUTPUT block', (value) => {
    const file = join(dir, 'output');
    writeFileSync(file, '');
    process.env.GITHUB_OUTPUT = file;
    actionsCore.setOutput('database-host', value);
    ours.setOutput('database-host', value);
    const blocks = readFileSync(file, 'utf8')
      .replace(/ghadelimiter_[0-9a-f-]{36}/g, 'DELIMITER')
      .split('database-host<<');
    expect(blocks).toHaveLength(3);
    expect(blocks[2]).toBe(blocks[1]);
  });

  it('without GITHUB_OUTPUT falls back to ::set-output:: as @actions/core does', () => {
    delete process.env.GITHUB_OUTPUT;
    expect(stdoutOf(() => ours.setOutput('deleted', 'a,b:c'))).toBe(
      stdoutOf(() => actionsCore.setOutput('deleted', 'a,b:c')),
    );
  });

  it('reads inputs as @actions/core does: upper-cased, spaces as underscores, trimmed', () => {
    process.env['INPUT_NEON-API-KEY'] = '  napi_key \n';
    process.env.INPUT_SOME_INPUT = 'x';
    for (const name of ['neon-api-key', 'some input', 'missing']) {
      expect(ours.getInput(name)).toBe(actionsCore.getInput(name));
    }
  });
});

/** The part of the summary API the test calls, which `@actions/core`'s and ours both have. */
interface SummaryCalls<S> {
  addHeading(text: string, level: 2 | 3): S;
  addTable(rows: (string | { data: string; header: boolean })[][]): S;
  addRaw(text: string, addEol: boolean): S;
  addList(items: string[]): S;
  write(): Promise<unknown>;
}

describe('the job summary', () => {
  it('builds the same HTML as @actions/core summary', async () => {
    const file = join(dir, 'summary');
    writeFileSync(file, '');
    process.env.GITHUB_STEP_SUMMARY = file;
    const rows = [
      [
        { data: 'What', header: true },
        { data: 'Value', header: true },
      ],
      ['Neon branch', 'preview/feat (br-x)'],
    ];
    // The same calls on both, each written to the summary file in turn.
    const fill = <S extends SummaryCalls<S>>(summary: S) =>
      summary
        .addHeading('Reconcile of preview/*', 2)
        .addTable(rows)
        .addRaw('Kept 2 Neon branch(es).', true)
        .addHeading('Deleted', 3)
        .addList(['preview/a', 'preview/b'])
        .write();
    await fill(actionsCore.summary);
    const theirs = readFileSync(file, 'utf8');
    writeFileSync(file, '');
    await fill(new JobSummary());
    expect(readFileSync(file, 'utf8')).toBe(theirs);
  });
});
