import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../bench/lib/args.js';
import {
  type Figure,
  formatRatio,
  isMet,
  jsonLine,
  median,
  ratio,
  renderTable,
  requestBudget,
} from '../../bench/lib/figures.js';
import { amplifyOperation } from '../../bench/lib/proxy.js';

describe('median', () => {
  it('is the middle value of an odd count, the mean of the middle two of an even one, order ignored', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([2224, 2100, 2500, 2300, 2000])).toBe(2224);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it('refuses no values rather than invent one', () => {
    expect(() => median([])).toThrow(/no values/);
  });
});

describe('ratio and verdict', () => {
  it('divides ours by the reference; met when at or under the target', () => {
    // The issue's own figures: 2224 ms against D + 3L = 1150 ms is 1.93.
    expect(ratio(2224, 1150)).toBeCloseTo(1.934, 3);
    expect(isMet({ ratio: 1.1, target: 1.1 })).toBe(true);
    expect(isMet({ ratio: 1.93, target: 1.1 })).toBe(false);
    expect(isMet({ ratio: 1.93 })).toBeUndefined();
    expect(() => ratio(1, 0)).toThrow(/positive/);
  });

  it('prints two decimals, three where two would round across the target', () => {
    expect(formatRatio({ ratio: 1.934, target: 1.1 })).toBe('1.93');
    expect(formatRatio({ ratio: 0.504, target: 0.5 })).toBe('0.504');
    expect(formatRatio({ ratio: 0.4996, target: 0.5 })).toBe('0.50');
    expect(formatRatio({})).toBe('—');
  });
});

const figures: Figure[] = [
  {
    measure: 'new-branch',
    title: 'push of a new branch',
    ours: { value: 2224.4, unit: 'ms' },
    against: { label: 'D + 3L', amount: { value: 1150, unit: 'ms' } },
    ratio: 2224.4 / 1150,
    target: 1.1,
    samples: [2224.4, 2300.12],
    notes: ['14 requests'],
  },
  {
    measure: 'vs-create-branch-action',
    title: 'ours / create-branch-action',
    missing: 'no checkout',
    target: 0.75,
  },
];

describe('renderTable', () => {
  it('has a row a figure, a missing one saying why, pipes in text escaped', () => {
    const table = renderTable([...figures, { measure: 'x', title: 'a | b', notes: [] }]).split('\n');
    expect(table).toHaveLength(5);
    expect(table[2]).toBe(
      '| push of a new branch | 2224 ms | D + 3L = 1150 ms | 1.93 | ≤ 1.1 | no | 14 requests |',
    );
    expect(table[3]).toContain('not run: no checkout');
    expect(table[4]).toContain('a \\| b');
  });
});

describe('jsonLine', () => {
  it('is one line of JSON with every figure by measure', () => {
    const line = jsonLine({ runs: 5 }, figures);
    expect(line).not.toContain('\n');
    const parsed = JSON.parse(line);
    expect(parsed.runs).toBe(5);
    expect(parsed.figures['new-branch']).toMatchObject({
      ours: 2224.4,
      against: 1150,
      ratio: 1.934,
      target: 1.1,
      met: false,
      samples: [2224.4, 2300.12],
    });
    expect(parsed.figures['vs-create-branch-action']).toEqual({ missing: 'no checkout', target: 0.75 });
  });
});

describe('parseArgs', () => {
  it('defaults to every measure, five runs', () => {
    expect(parseArgs([])).toMatchObject({ runs: 5, json: false, createBranchAction: undefined });
    const options = parseArgs([]);
    expect(options !== 'help' && options.only).toContain('reconcile');
  });

  it('reads every option, both spellings, and keeps the bench order for --only', () => {
    expect(
      parseArgs([
        '--runs=3',
        '--only',
        'reconcile,new-branch',
        '--create-branch-action',
        '/tmp/cba',
        '--json',
      ]),
    ).toEqual({
      runs: 3,
      only: ['new-branch', 'reconcile'],
      createBranchAction: '/tmp/cba',
      json: true,
      burst: 100,
      repos: 20,
    });
    expect(parseArgs(['--burst', '10', '--repos=4'])).toMatchObject({ burst: 10, repos: 4 });
    expect(parseArgs(['--help'])).toBe('help');
  });

  it('refuses what it does not know, quoting it', () => {
    expect(() => parseArgs(['--runs', '0'])).toThrow(/Invalid --runs '0'/);
    expect(() => parseArgs(['--burst', '1.5'])).toThrow(/Invalid --burst '1.5': expected a whole number/);
    expect(() => parseArgs(['--only', 'speed'])).toThrow(/unknown: speed/);
    expect(() => parseArgs(['--runs'])).toThrow(/needs a value/);
    expect(() => parseArgs(['--fast'])).toThrow(/Unknown argument '--fast'/);
  });
});

describe('amplifyOperation', () => {
  it('names the restJson1 operation from method and path, for the request trace', () => {
    expect(amplifyOperation('GET', '/apps/d1')).toBe('GetApp');
    expect(amplifyOperation('GET', '/apps/d1/branches?maxResults=50')).toBe('ListBranches');
    expect(amplifyOperation('GET', '/apps/d1/branches/feat%2Fx')).toBe('GetBranch');
    expect(amplifyOperation('POST', '/apps/d1/branches/feat%2Fx')).toBe('UpdateBranch');
    expect(amplifyOperation('POST', '/apps/d1/branches/feat%2Fx/jobs')).toBe('StartJob');
    expect(amplifyOperation('DELETE', '/apps/d1/branches/feat%2Fx/jobs/7/stop')).toBe('StopJob');
  });
});

describe("a deploy's share of Neon's 700 requests a minute", () => {
  it('takes the median of each service over the runs, and divides 700 by the Neon one', () => {
    const budget = requestBudget([
      { neon: 7, amplify: 4 },
      { neon: 8, amplify: 4 },
      { neon: 7, amplify: 5 },
    ]);
    expect(budget).toEqual({ neon: 7, amplify: 4, perMinute: 100 });
  });

  it('refuses runs that sent Neon nothing', () => {
    expect(() => requestBudget([{ neon: 0, amplify: 3 }])).toThrow('no budget');
  });
});
