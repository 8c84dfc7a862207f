import { describe, expect, it } from 'vitest';
import { previewTable } from '../../src/cli/preview-table.js';
import { execute } from '../../src/core/executor.js';
import { makePlan } from '../../src/core/plan.js';
import { toOutputs } from '../../src/core/result.js';
import { MemoryAmplify, MemoryNeon } from '../fakes/memory-ports.js';
import { testSettings } from '../fakes/settings.js';

function setup() {
  const neon = new MemoryNeon();
  const amplify = new MemoryAmplify();
  const settings = testSettings();
  const lines: string[] = [];
  const list = () =>
    execute(makePlan({ command: 'list' }, settings, { defaultBranch: 'main' }), {
      neon,
      amplify,
      settings,
      log: { info: (m) => lines.push(m), warning: (m) => lines.push(m), debug: () => {} },
      secret: () => {},
    });
  return { neon, amplify, list, lines };
}

const branch = (id: string, name: string, extra: { createdAt?: string; expiresAt?: string } = {}) => ({
  id,
  name,
  default: false,
  protected: false,
  ...extra,
});

describe('list', () => {
  it('one row per prefixed Neon branch, with the Amplify branch mapped forward and its last job', async () => {
    const t = setup();
    t.neon.branches.push(
      branch('br-1', 'preview/feat/a', {
        createdAt: '2026-12-01T10:00:00Z',
        expiresAt: '2026-12-08T10:00:00Z',
      }),
      branch('br-2', 'preview/orphan', { createdAt: '2026-12-02T10:00:00Z' }),
      branch('br-3', 'other/feat/a'),
    );
    t.amplify.branches.set('feat/a', { name: 'feat/a', displayName: 'feat-a', environmentVariables: {} });
    t.amplify.branches.set('main', { name: 'main', displayName: 'main', environmentVariables: {} });
    t.amplify.addJob('feat/a', 'SUCCEED');
    const job = t.amplify.addJob('feat/a', 'RUNNING');
    const result = await t.list();
    expect(result).toEqual({
      kind: 'list',
      previews: [
        {
          gitBranch: 'feat/a',
          neonBranch: { id: 'br-1', name: 'preview/feat/a' },
          createdAt: '2026-12-01T10:00:00Z',
          expiresAt: '2026-12-08T10:00:00Z',
          amplifyBranch: 'feat/a',
          lastJob: { id: job, status: 'RUNNING' },
        },
        {
          gitBranch: undefined,
          neonBranch: { id: 'br-2', name: 'preview/orphan' },
          createdAt: '2026-12-02T10:00:00Z',
          expiresAt: undefined,
          amplifyBranch: undefined,
          lastJob: undefined,
        },
      ],
    });
    expect(toOutputs(result)['database-url']).toBe('');
  });

  it('reads only: never a connection string, a password, a write or a job', async () => {
    const t = setup();
    t.neon.branches.push(branch('br-1', 'preview/x'));
    t.amplify.branches.set('x', { name: 'x', displayName: 'x', environmentVariables: {} });
    await t.list();
    expect(t.neon.calls).toEqual(['neon.listBranches(preview/)']);
    expect(t.amplify.calls.sort()).toEqual(['amplify.latestJob(x)', 'amplify.listBranchNames()']);
  });
});

describe('previewTable', () => {
  it('pads columns, puts - where there is nothing, and replaces control characters', () => {
    const table = previewTable([
      {
        gitBranch: 'feat\u001b[2Ja',
        neonBranch: { id: 'br-1', name: 'preview/feat' },
        createdAt: '2026-12-01T10:00:00Z',
        amplifyBranch: 'feat',
        lastJob: { id: '7', status: 'SUCCEED' },
      },
    ]);
    expect(table.split('\n')).toEqual([
      'GIT BRANCH  NEON BRANCH   NEON ID  CREATED               EXPIRES  AMPLIFY BRANCH  LAST JOB',
      'feat?[2Ja   preview/feat  br-1     2026-12-01T10:00:00Z  -        feat            7 SUCCEED',
      '',
    ]);
  });

  it('says so when there are none', () => {
    expect(previewTable([])).toBe('No previews.\n');
  });
});
