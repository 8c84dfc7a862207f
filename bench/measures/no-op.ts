import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tagPush } from '../../test/fixtures/payloads.js';
import { type Figure, median, ratio } from '../lib/figures.js';
import { actionInvocation, ROOT, runTimed, tail } from '../lib/processes.js';
import { type MeasureContext, TARGETS, TITLES } from '../lib/setup.js';

const GNU_TIME = '/usr/bin/time';

/**
 * no-op: the action on a tag push, which sends no request and only says so, against a bare
 * `node -e 0` on the same node, the two alternated so that both see the same machine. Peak RSS
 * comes from separate runs under GNU time (its own fork would blur the timings), or, without it,
 * from a preloaded hook that reads the child's own resourceUsage() as it exits.
 */
export async function noOp(context: MeasureContext): Promise<Figure[]> {
  // No request is sent, so the inputs need only be well-formed.
  const invocation = actionInvocation({
    actionDir: ROOT,
    inputs: {
      'neon-api-key': 'napi_bench_unused',
      'neon-project-id': 'calm-sun-123456',
      'neon-api-host': 'http://127.0.0.1:9/api/v2',
      'amplify-app-id': 'dbench0000001',
    },
    event: { name: 'push', payload: tagPush() },
    env: { AWS_REGION: 'us-east-1' },
  });
  const hook = join(import.meta.dirname, '../lib/max-rss-hook.mjs');
  const commands = {
    ours: [invocation.main],
    bare: ['-e', '0'],
  };
  const time = (args: string[]) => runTimed(process.execPath, args, { env: invocation.env });
  const peakMiB = async (args: string[]): Promise<number> => {
    const run = existsSync(GNU_TIME)
      ? await runTimed(GNU_TIME, ['-f', 'maxrss-kib %M', process.execPath, ...args], { env: invocation.env })
      : await runTimed(process.execPath, ['--import', hook, ...args], { env: invocation.env });
    const kib = Number(/maxrss-kib (\d+)/.exec(run.stderr)?.[1]);
    if (!Number.isFinite(kib))
      throw new Error(`no peak RSS in the output of ${args.join(' ')}:\n${tail(run)}`);
    return kib / 1024;
  };
  try {
    const check = await time(commands.ours);
    if (check.code !== 0 || !/Nothing to do/.test(check.stdout)) {
      throw new Error(`the action did not end a tag push with "Nothing to do":\n${tail(check)}`);
    }
    await time(commands.bare);
    const samples = { ours: [] as number[], bare: [] as number[] };
    const rss = { ours: [] as number[], bare: [] as number[] };
    for (let run = 0; run < context.runs; run++) {
      // Alternated, and which goes first alternates too.
      const order = run % 2 === 0 ? (['ours', 'bare'] as const) : (['bare', 'ours'] as const);
      for (const who of order) {
        const result = await time(commands[who]);
        if (result.code !== 0)
          throw new Error(`${who} no-op run exited with ${result.code}:\n${tail(result)}`);
        samples[who].push(result.exitedAt - result.startedAt);
      }
      rss.ours.push(await peakMiB(commands.ours));
      rss.bare.push(await peakMiB(commands.bare));
      context.progress(
        `no-op, run ${run + 1}/${context.runs}: ours ${Math.round(samples.ours.at(-1) ?? 0)} ms, bare ${Math.round(samples.bare.at(-1) ?? 0)} ms`,
      );
    }
    const ours = median(samples.ours);
    const bare = median(samples.bare);
    const peak = median(rss.ours);
    const barePeak = median(rss.bare);
    return [
      {
        measure: 'no-op',
        title: TITLES['no-op'],
        ours: { value: ours, unit: 'ms' },
        against: { label: 'node -e 0', amount: { value: bare, unit: 'ms' } },
        ratio: ratio(ours, bare),
        target: TARGETS['no-op'] as number,
        samples: samples.ours,
        notes: [`peak RSS ${peak.toFixed(0)} MiB (bare node ${barePeak.toFixed(0)} MiB)`],
        extra: {
          peakRssMiB: Math.round(peak * 10) / 10,
          bareRssMiB: Math.round(barePeak * 10) / 10,
          bareSamples: samples.bare.map((ms) => Math.round(ms)).join(' '),
        },
      },
    ];
  } finally {
    invocation.cleanup();
  }
}
