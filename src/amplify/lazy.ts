import type { AmplifyPort } from '../core/ports.js';
import type { AmplifyPortOptions } from './port.js';

/**
 * The Amplify port with the AWS SDK loaded on its first call, not before. A deploy sends its first
 * Neon requests, then asks Amplify: the SDK (about a megabyte of code) is read and run while those
 * Neon requests are on the wire instead of before they leave. Bundled, `./port.js` and the SDK are a
 * chunk of their own.
 */
export function lazyAmplifyPort(options: AmplifyPortOptions): AmplifyPort {
  let loaded: Promise<AmplifyPort> | undefined;
  const port = () => {
    loaded ??= afterPendingIo().then(async () => (await import('./port.js')).createAmplifyPort(options));
    return loaded;
  };
  return {
    getApp: async () => (await port()).getApp(),
    getBranch: async (name) => (await port()).getBranch(name),
    createBranch: async (input) => (await port()).createBranch(input),
    setEnvironmentVariables: async (name, variables) =>
      (await port()).setEnvironmentVariables(name, variables),
    deleteBranch: async (name) => (await port()).deleteBranch(name),
    listBranchNames: async () => (await port()).listBranchNames(),
    startJob: async (branch) => (await port()).startJob(branch),
    listActiveJobs: async (branch) => (await port()).listActiveJobs(branch),
    latestJob: async (branch) => (await port()).latestJob(branch),
    getJob: async (branch, jobId) => (await port()).getJob(branch, jobId),
    stopJob: async (branch, jobId) => (await port()).stopJob(branch, jobId),
  };
}

/**
 * One turn of the event loop: the requests started in this turn connect and are written before the
 * SDK's code runs (compiling it holds the thread for a few tens of milliseconds).
 */
function afterPendingIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
