import type { MeasureName } from '../lib/args.js';
import {
  awsCli,
  type Contestant,
  checkCreateBranchAction,
  createBranchActionPeer,
  findOnPath,
  neonctl,
  neonctlPeer,
  ours,
  oursWith,
  startJobAnswered,
} from '../lib/contestants.js';
import { type Figure, median, ratio, requestBudget } from '../lib/figures.js';
import { tail } from '../lib/processes.js';
import { type Exchange, traceLine } from '../lib/proxy.js';
import { DEPLOY, type MeasureContext, missing, TARGETS, TITLES } from '../lib/setup.js';
import { startWorld, type World } from '../lib/world.js';

interface Sample {
  ms: number;
  exchanges: Exchange[];
  origin: number;
}

/** One deploy of `branch` by `contestant`: process start → StartJob answered, with its requests. */
async function deployOnce(world: World, contestant: Contestant, branch: string): Promise<Sample> {
  const mark = world.log.length;
  const run = await contestant.run(world, branch);
  const exchanges = world.log.slice(mark);
  const answered = startJobAnswered(exchanges, branch);
  if (run.code !== 0 || answered === undefined) {
    throw new Error(
      `${contestant.name} deploying '${branch}' ${run.code !== 0 ? `exited with ${run.code}` : 'never got StartJob answered'}:\n${tail(run)}`,
    );
  }
  return { ms: answered.answeredAt - run.startedAt, exchanges, origin: run.startedAt };
}

function requestCounts(exchanges: readonly Exchange[]): string {
  const neon = exchanges.filter((exchange) => exchange.service === 'neon').length;
  return `${exchanges.length} requests (${neon} Neon, ${exchanges.length - neon} Amplify)`;
}

/** Each run's requests, spawn to exit (the schema diff after StartJob included), per service. */
function perService(samples: readonly Sample[]): { neon: number; amplify: number }[] {
  return samples.map(({ exchanges }) => {
    const neon = exchanges.filter((exchange) => exchange.service === 'neon').length;
    return { neon, amplify: exchanges.length - neon };
  });
}

function trace(sample: Sample): string[] {
  return sample.exchanges.map((exchange) => traceLine(exchange, sample.origin));
}

/** A peer ready to run, or why it cannot. */
type PeerSetup = { contestant: Contestant; note: string } | string;

function missingJq(): string | undefined {
  return findOnPath('jq') === undefined ? 'jq is not on PATH (Debian: apt-get install -y jq)' : undefined;
}

function neonctlSetup(context: MeasureContext, aws: ReturnType<typeof awsCli> | undefined): PeerSetup {
  if (aws === undefined || typeof aws === 'string') return aws ?? 'no AWS CLI';
  const jq = missingJq();
  if (jq !== undefined) return jq;
  // Installed only once the rest of the peer is known to be there.
  const tool = neonctl(context.progress);
  if (typeof tool === 'string') return tool;
  return {
    contestant: neonctlPeer({ neonctl: tool.path, aws: aws.path }),
    note: `neonctl ${tool.version}, ${aws.version} (${aws.path}); the script waits for no Neon operation`,
  };
}

function createBranchActionSetup(
  context: MeasureContext,
  aws: ReturnType<typeof awsCli> | undefined,
): PeerSetup {
  const dir = context.createBranchAction;
  if (dir === undefined) {
    return 'no checkout given (--create-branch-action DIR, a clone of neondatabase/create-branch-action)';
  }
  const problem = checkCreateBranchAction(dir);
  if (problem !== undefined) return problem;
  if (aws === undefined || typeof aws === 'string') return aws ?? 'no AWS CLI';
  const jq = missingJq();
  if (jq !== undefined) return jq;
  return {
    contestant: createBranchActionPeer({ dir, aws: aws.path }),
    note: `${dir}, ${aws.version}; the action waits for no Neon operation`,
  };
}

/**
 * new-branch and the two peer comparisons: ours and each available peer deploy fresh branches
 * in turn, the order rotating from run to run, so that all of them see the same machine.
 */
export async function newBranch(
  context: MeasureContext,
  selected: readonly MeasureName[],
): Promise<Figure[]> {
  const figures: Figure[] = [];
  const peers: { measure: MeasureName; contestant: Contestant }[] = [];
  const notes = new Map<MeasureName, string[]>();
  const wantsPeer = (measure: MeasureName) => selected.includes(measure);

  const aws = wantsPeer('vs-neonctl') || wantsPeer('vs-create-branch-action') ? awsCli() : undefined;
  const setups: [MeasureName, () => PeerSetup][] = [
    ['vs-neonctl', () => neonctlSetup(context, aws)],
    ['vs-create-branch-action', () => createBranchActionSetup(context, aws)],
  ];
  for (const [measure, setUp] of setups) {
    if (!wantsPeer(measure)) continue;
    const setup = setUp();
    if (typeof setup === 'string') figures.push(missing(measure, setup));
    else {
      peers.push({ measure, contestant: setup.contestant });
      notes.set(measure, [setup.note]);
    }
  }
  const shared = wantsPeer('new-branch-shared-password') ? [sharedPassword] : [];
  if (!wantsPeer('new-branch') && shared.length === 0 && peers.length === 0) return figures;

  const world = await startWorld(DEPLOY);
  try {
    const contestants = [ours, ...shared, ...peers.map((peer) => peer.contestant)];
    const samples = new Map<string, Sample[]>(contestants.map((c) => [c.name, []]));
    let branches = 0;
    const deploy = async (contestant: Contestant) => {
      const branch = `bench/new-${++branches}-${contestant.name}`;
      world.addAmplifyBranch(branch);
      return deployOnce(world, contestant, branch);
    };
    // One untimed deploy each first: the file cache, and the AWS CLI's first start, are not the subject.
    for (const contestant of contestants) await deploy(contestant);
    for (let run = 0; run < context.runs; run++) {
      for (let i = 0; i < contestants.length; i++) {
        const contestant = contestants[(run + i) % contestants.length] as Contestant;
        const sample = await deploy(contestant);
        samples.get(contestant.name)?.push(sample);
        context.progress(
          `new branch, run ${run + 1}/${context.runs}: ${contestant.name} ${Math.round(sample.ms)} ms`,
        );
      }
    }
    const ourSamples = samples.get('ours') ?? [];
    const ourMs = median(ourSamples.map((sample) => sample.ms));
    const ourTrace = 'Requests of one new-branch deploy (ours, times from process start)';
    const own: Figure[] = [];
    if (wantsPeer('new-branch')) {
      // With reset-role-password (the default), a new branch has two operations one after the other
      // (Neon refuses the reset while the create's run: 423), the reset's half as long: create, D,
      // reset, D/2, UpdateBranch, StartJob (issue 22's floor; the URL read again after the write,
      // in case another run reset the password meanwhile, is over it).
      const issue = DEPLOY.operationMs + 3 * DEPLOY.latencyMs;
      own.push(
        boundFigure(context, {
          measure: 'new-branch',
          samples: ourSamples,
          bound: {
            label: '1.5D + 4L',
            ms: DEPLOY.operationMs + DEPLOY.resetOperationMs + 4 * DEPLOY.latencyMs,
          },
          traceTitle: ourTrace,
          note: `reset-role-password: true (the default); the issue's D + 3L is ${issue} ms, ratio ${ratio(ourMs, issue).toFixed(2)}`,
        }),
      );
    } else if (ourSamples[0] !== undefined) {
      context.detail(ourTrace, trace(ourSamples[0]));
    }
    if (wantsPeer('new-branch-shared-password')) {
      own.push(
        boundFigure(context, {
          measure: 'new-branch-shared-password',
          samples: samples.get(sharedPassword.name) ?? [],
          bound: { label: 'D + 3L', ms: DEPLOY.operationMs + 3 * DEPLOY.latencyMs },
          traceTitle: 'Requests of one new-branch deploy (ours, reset-role-password: false)',
        }),
      );
    }
    figures.unshift(...own);
    // The peers leave the parent's password in the URL they write, as reset-role-password: false does.
    const sharedMs = median((samples.get(sharedPassword.name) ?? []).map((sample) => sample.ms));
    for (const peer of peers) {
      const peerSamples = samples.get(peer.contestant.name) ?? [];
      const peerMs = median(peerSamples.map((sample) => sample.ms));
      const peerFirst = peerSamples[0];
      if (peerFirst !== undefined) {
        context.detail(`Requests of one new-branch deploy (${peer.contestant.name} peer)`, trace(peerFirst));
      }
      figures.push({
        measure: peer.measure,
        title: TITLES[peer.measure],
        ours: { value: ourMs, unit: 'ms' },
        against: { label: peer.contestant.name, amount: { value: peerMs, unit: 'ms' } },
        ratio: ratio(ourMs, peerMs),
        target: TARGETS[peer.measure] as number,
        samples: ourSamples.map((sample) => sample.ms),
        notes: [
          ...(notes.get(peer.measure) ?? []),
          `peer ${requestCounts(peerFirst?.exchanges ?? [])}`,
          ...(shared.length === 0
            ? []
            : [
                `the same work as the peer (reset-role-password: false, ${Math.round(sharedMs)} ms): ratio ${ratio(sharedMs, peerMs).toFixed(2)}`,
              ]),
        ],
        extra: { peerSamples: peerSamples.map((sample) => Math.round(sample.ms)).join(' ') },
      });
    }
  } finally {
    await world.close();
  }
  return figures;
}

/** A later push of a branch (`created: false`), as every push after its first is. */
const laterPush = oursWith({ later: true });

/** Ours with the preview keeping the parent's password: one Neon operation, as in the issue's D + 3L. */
const sharedPassword = oursWith({
  name: 'ours-shared-password',
  inputs: { 'reset-role-password': 'false' },
});

/** A deploy measure's figure: the median of its samples against a bound, with one run's trace. */
function boundFigure(
  context: MeasureContext,
  input: {
    measure: 'new-branch' | 'new-branch-shared-password' | 're-push';
    samples: Sample[];
    bound: { label: string; ms: number };
    traceTitle: string;
    note?: string;
  },
): Figure {
  const { samples, bound } = input;
  const ms = median(samples.map((sample) => sample.ms));
  const first = samples[0];
  if (first !== undefined) context.detail(input.traceTitle, trace(first));
  const budget = requestBudget(perService(samples));
  const kind = input.measure === 're-push' ? 're-pushes' : 'new previews';
  const counts = `${budget.neon} Neon + ${budget.amplify} Amplify requests (median, spawn to exit): ${Math.floor(budget.perMinute)} ${kind} a minute per Neon account (700 / ${budget.neon})`;
  return {
    measure: input.measure,
    title: TITLES[input.measure],
    ours: { value: ms, unit: 'ms' },
    against: { label: bound.label, amount: { value: bound.ms, unit: 'ms' } },
    ratio: ratio(ms, bound.ms),
    target: TARGETS[input.measure] as number,
    samples: samples.map((sample) => sample.ms),
    notes: [input.note === undefined ? counts : `${counts}; ${input.note}`],
    extra: {
      neonRequests: budget.neon,
      amplifyRequests: budget.amplify,
      perMinutePerNeonAccount: Math.round(budget.perMinute * 10) / 10,
    },
  };
}

/**
 * re-push: the same branch again, its Neon branch made and its variable already right by an
 * untimed first deploy; the build that deploy started is marked finished before each run, as it
 * would be by the next push.
 */
export async function rePush(context: MeasureContext): Promise<Figure[]> {
  const world = await startWorld(DEPLOY);
  try {
    const branch = 'bench/re-push';
    world.addAmplifyBranch(branch);
    await deployOnce(world, ours, branch);
    const samples: Sample[] = [];
    for (let run = 0; run < context.runs; run++) {
      world.finishJobs(branch);
      const sample = await deployOnce(world, laterPush, branch);
      samples.push(sample);
      context.progress(`re-push, run ${run + 1}/${context.runs}: ${Math.round(sample.ms)} ms`);
    }
    return [
      boundFigure(context, {
        measure: 're-push',
        samples,
        bound: { label: '3L', ms: 3 * DEPLOY.latencyMs },
        traceTitle: 'Requests of one re-push (ours, times from process start)',
      }),
    ];
  } finally {
    await world.close();
  }
}
