export const id = 29;
export const ids = [29];
export const modules = {

/***/ 8571:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   a: () => (/* binding */ formatDuration)
/* harmony export */ });
/** A limit as a message names it: `10 minutes`, `1 minute`, `30 s`, `1500 ms`. */
function formatDuration(ms) {
    if (ms % 60_000 === 0)
        return `${ms / 60_000} minute${ms === 60_000 ? '' : 's'}`;
    if (ms % 1000 === 0)
        return `${ms / 1000} s`;
    return `${ms} ms`;
}


/***/ }),

/***/ 4119:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   g: () => (/* binding */ ACTIVE_JOB_STATUSES)
/* harmony export */ });
/**
 * What the executor needs from Neon and Amplify. The adapters in src/neon and src/amplify implement
 * these over the real clients; nothing in src/core performs I/O itself.
 */
const ACTIVE_JOB_STATUSES = ['CREATED', 'PENDING', 'PROVISIONING', 'RUNNING'];


/***/ }),

/***/ 7253:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   bD: () => (/* binding */ withRetry),
/* harmony export */   cO: () => (/* binding */ DEFAULT_RETRY_POLICY),
/* harmony export */   mu: () => (/* binding */ parseRetryAfter)
/* harmony export */ });
/* unused harmony export backoffMs */
/* harmony import */ var p_retry__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(4995);

const DEFAULT_RETRY_POLICY = {
    retries: 5,
    minTimeoutMs: 500,
    maxTimeoutMs: 10_000,
    maxRetryAfterMs: 60_000,
};
/**
 * Runs `fn`, retrying only what `classify` calls retryable, with jittered exponential backoff:
 * p-retry runs the attempts and keeps the count, and every wait goes through `sleep` (p-retry's
 * own timer is given no delay), so tests control all of them. A `Retry-After` from the service is
 * the wait when it is longer than the backoff.
 *
 * An `untilDeadline` answer under a budget counts against neither `policy.retries` nor the
 * counted backoff: it is waited with a backoff of its own, from `minTimeoutMs` up to
 * `maxTimeoutMs`, until the budget would not last through the next wait.
 */
async function withRetry(fn, options) {
    const { policy, deadline } = options;
    deadline?.check(options.label);
    const untilDeadline = (error) => deadline !== undefined && options.classify(error).untilDeadline === true;
    /** Failures retried by count so far, which `policy.retries` limits. */
    let counted = 0;
    /** Waits of the until-the-deadline kind so far: their backoff grows with them. */
    let patient = 0;
    return (0,p_retry__WEBPACK_IMPORTED_MODULE_0__/* ["default"] */ .Ay)(fn, {
        ...(deadline === undefined ? {} : { maxRetryTime: deadline.remainingMs() }),
        // The count is kept here, since the answers that wait for the budget do not use it up.
        retries: Number.POSITIVE_INFINITY,
        // p-retry waits on a real timer of its own; with no delay it never starts one (its
        // calculateDelay returns 0), and the waits below go through the injected sleep instead.
        minTimeout: 0,
        shouldConsumeRetry: ({ error }) => !untilDeadline(error),
        shouldRetry: ({ error }) => options.classify(error).retry &&
            !(options.deadline?.usedUp() ?? false) &&
            (untilDeadline(error) || counted <= policy.retries),
        onFailedAttempt: async ({ error, attemptNumber }) => {
            const verdict = options.classify(error);
            if (!verdict.retry)
                return;
            if (deadline !== undefined && verdict.untilDeadline) {
                const wait = Math.max(patientBackoffMs(policy, patient), retryAfterMs(verdict, policy));
                patient += 1;
                const left = deadline.remainingMs();
                if (wait >= left)
                    throw deadline.exceeded(options.label, error.message);
                options.log(`${options.label}: attempt ${attemptNumber} failed (${error.message}); retrying in ${seconds(wait)} while the run's budget (timeout-minutes) lasts, ${seconds(left)} left`);
                await options.sleep(wait);
                return;
            }
            counted += 1;
            const retriesLeft = policy.retries - counted + 1;
            if (retriesLeft <= 0)
                return;
            const wait = countedWaitMs({ verdict, policy, n: counted - 1, deadline });
            if (wait === undefined)
                throw deadline?.exceeded(options.label, error.message) ?? error;
            options.log(`${options.label}: attempt ${attemptNumber} failed (${error.message}); retrying, ${retriesLeft} left`);
            if (wait > 0)
                await options.sleep(wait);
        },
    });
}
/**
 * The wait before the `n`th counted retry (from 0): the backoff, or the service's `Retry-After`
 * when longer, none when the next attempt is held elsewhere; cut to what is left of the budget.
 * Undefined when a held wait or a `Retry-After` would outlast the budget: it would only end in the
 * same failure, later.
 */
function countedWaitMs(options) {
    const { verdict, policy, deadline } = options;
    const left = deadline?.remainingMs() ?? Number.POSITIVE_INFINITY;
    if (verdict.heldMs !== undefined)
        return verdict.heldMs >= left ? undefined : 0;
    const after = retryAfterMs(verdict, policy);
    if (after > 0 && after >= left)
        return undefined;
    return Math.min(Math.max(backoffMs(policy, options.n), after), left);
}
/** The service's `Retry-After`, cut to `maxRetryAfterMs`; 0 without one. */
function retryAfterMs(verdict, policy) {
    return Math.min(verdict.afterMs ?? 0, policy.maxRetryAfterMs);
}
function seconds(ms) {
    return `${(ms / 1000).toFixed(1)} s`;
}
/**
 * The `n`th wait (from 0) of exponential backoff as p-retry computes it with `randomize` (its
 * calculateDelay): `minTimeoutMs` doubled `n` times, times a random factor in [1, 2), rounded,
 * capped at `maxTimeoutMs`.
 */
function backoffMs(policy, n, random = Math.random) {
    if (policy.minTimeoutMs === 0)
        return 0;
    const grown = Math.round(policy.minTimeoutMs * 2 ** Math.min(n, 30) * (1 + random()));
    return Math.min(grown, policy.maxTimeoutMs);
}
/**
 * The shortest wait for an answer that waits for the budget: a policy without backoff would
 * otherwise ask again at once, as often as the service answers, until the budget is gone.
 */
const MIN_PATIENT_WAIT_MS = 100;
function patientBackoffMs(policy, n) {
    return Math.max(MIN_PATIENT_WAIT_MS, backoffMs(policy, n));
}
/** `Retry-After` as seconds or an HTTP date, in milliseconds; undefined when absent or unreadable. */
function parseRetryAfter(value, now = Date.now()) {
    if (value === undefined || value === null || value.trim() === '')
        return undefined;
    const trimmed = value.trim();
    if (/^\d+$/.test(trimmed))
        return Number(trimmed) * 1000;
    const date = Date.parse(trimmed);
    if (Number.isNaN(date))
        return undefined;
    return Math.max(0, date - now);
}


/***/ }),

/***/ 7029:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runAndPublish: () => (/* binding */ runAndPublish)
});

// EXTERNAL MODULE: ./src/core/errors.ts
var errors = __webpack_require__(4296);
// EXTERNAL MODULE: ./src/core/amplify-settings.ts
var amplify_settings = __webpack_require__(1541);
;// CONCATENATED MODULE: ./src/core/console-links.ts
/** Links into the Neon and AWS consoles: the pull request comment, the deployment's log_url, job errors. */
/** `https://console.neon.tech/app/projects/{project}/branches/{branchId}`. */
function neonBranchConsoleUrl(projectId, branchId) {
    return `https://console.neon.tech/app/projects/${encodeURIComponent(projectId)}/branches/${encodeURIComponent(branchId)}`;
}
/**
 * The Amplify console's page of a branch's deployments (its jobs):
 * `https://{region}.console.aws.amazon.com/amplify/apps/{appId}/branches/{branch}/deployments`, the
 * branch as one encoded path segment as in Amplify's own API. Undefined for a region that is not one.
 */
function amplifyDeploymentsConsoleUrl(region, appId, branch) {
    if (!/^[a-z]{2}(?:-[a-z]+)+-\d+$/.test(region))
        return undefined;
    return `https://${region}.console.aws.amazon.com/amplify/apps/${encodeURIComponent(appId)}/branches/${encodeURIComponent(branch)}/deployments`;
}

// EXTERNAL MODULE: ./src/core/duration.ts
var duration = __webpack_require__(8571);
;// CONCATENATED MODULE: ./src/core/flows/job-outcome.ts



/**
 * A build that `wait-for-job` saw fail, be cancelled, or outlast `job-timeout-minutes`. It carries
 * the deploy's result, whose database and variable are in place, so that front ends still give its
 * outputs and report the outcome (the comment, the deployment) before failing the run.
 */
class AmplifyJobError extends Error {
    result;
    timedOut;
    name = 'AmplifyJobError';
    constructor(message, result, timedOut) {
        super(message);
        this.result = result;
        this.timedOut = timedOut;
    }
}
/**
 * The error for a wait that did not end in SUCCEED; undefined when it did. It names the failed step
 * and Amplify's reason, and links the branch's builds in the Amplify console, where each step's log
 * is. (The step's own `logUrl` is a presigned S3 URL that would give anyone reading the workflow log
 * the build log for as long as it is valid; it is never printed.)
 */
function jobOutcomeError(result, wait, settings) {
    const { job, timedOut } = wait;
    if (!timedOut && job.status === 'SUCCEED')
        return undefined;
    const target = (0,amplify_settings/* amplifyTarget */.iL)(settings);
    const link = 'missing' in target
        ? undefined
        : amplifyDeploymentsConsoleUrl(target.region, target.appId, result.gitBranch);
    const logs = link === undefined ? '' : `. Its log: ${link} (job ${job.id})`;
    const what = `Amplify job ${job.id} on '${result.gitBranch}'`;
    if (timedOut) {
        return new AmplifyJobError(`${what} did not end within ${(0,duration/* formatDuration */.a)(settings.jobTimeoutMinutes * 60_000)} (job-timeout-minutes); last seen ${describeJob(job)}. The build goes on in Amplify${logs}`, result, true);
    }
    const failed = job.steps?.find((step) => step.status === 'FAILED') ?? job.steps?.at(-1);
    const at = failed === undefined
        ? ''
        : ` at step ${failed.name}${failed.statusReason === undefined ? '' : ` (${failed.statusReason})`}`;
    return new AmplifyJobError(`${what} ended ${job.status}${at}${logs}`, result, false);
}
/** `RUNNING (BUILD RUNNING)`: the job's status and the step it is in. */
function describeJob(job) {
    const current = job.steps?.at(-1);
    return current === undefined ? job.status : `${job.status} (step ${current.name} ${current.status})`;
}

;// CONCATENATED MODULE: ./src/core/flows/options.ts
function amplifyOf(options) {
    if (options.amplify === undefined)
        throw new Error('Internal error: this plan needs the Amplify port');
    return options.amplify;
}

// EXTERNAL MODULE: ./src/core/redact.ts
var redact = __webpack_require__(2258);
;// CONCATENATED MODULE: ./src/core/flows/schema-diff.ts


/**
 * The preview's schema against its parent's (`compare_schema`) for the database the connection
 * string opens, and the parent's name for the report. Called at the latest point the run knows the
 * schema: after the build with `wait-for-job` (builds run migrations), else at the end of the
 * deploy, which shows what earlier builds migrated. A report, not a step of the deploy: a failure is
 * a warning and the deploy stands. Credentials a dump can hold (URLs, `password '…'` options) are
 * masked before the diff goes anywhere.
 */
async function compareWithParent(plan, result, options) {
    const { neon, log, settings } = options;
    const { neonBranch, connection } = result;
    const parentId = neonBranch.parentId;
    // A primary branch is the parent itself (production too); a dry run has no connection and changed nothing.
    if (!settings.schemaDiff || plan.primary || result.production || connection === undefined)
        return {};
    if (parentId === undefined) {
        log.info(`No schema diff: Neon branch '${neonBranch.name}' has no parent`);
        return {};
    }
    const databaseName = decodeURIComponent(new URL(connection.url).pathname.slice(1));
    const [diff, parent] = await Promise.all([
        neon.compareSchema(neonBranch.id, parentId, databaseName).catch((error) => {
            log.warning(`Schema diff skipped: ${(0,errors/* messageOf */.bD)(error)}. The deploy itself is done; set schema-diff: false to stop comparing`);
            return undefined;
        }),
        // Only for the report's "Parent" row, when the deploy did not read it already: its id is
        // shown when its name cannot be read.
        result.parent?.id === parentId ? result.parent : neon.resolveBranch(parentId).catch(() => undefined),
    ]);
    const parentRef = { id: parentId, name: parent?.name ?? parentId };
    if (diff === undefined)
        return { parent: parentRef };
    const lines = diff === '' ? 0 : diff.replace(/\n$/, '').split('\n').length;
    log.info(lines === 0
        ? `Schema of '${databaseName}' on '${neonBranch.name}' is the same as on '${parentRef.name}'`
        : `Schema of '${databaseName}' on '${neonBranch.name}' differs from '${parentRef.name}' (a diff of ${lines} lines: the schema-diff output)`);
    return { parent: parentRef, schemaDiff: (0,redact/* maskCredentialsIn */.IG)(diff) };
}

// EXTERNAL MODULE: ./src/core/sleep.ts
var core_sleep = __webpack_require__(6312);
;// CONCATENATED MODULE: ./src/core/flows/wait-for-job.ts


/** A job in one of these changes no more (CANCELLING still becomes CANCELLED). */
const ENDED_JOB_STATUSES = ['SUCCEED', 'FAILED', 'CANCELLED'];
/** A build takes minutes: the first look comes after a few seconds, later ones at most every 15 s. */
const FIRST_LOOK_MS = 3_000;
const MAX_INTERVAL_MS = 15_000;
/**
 * `wait-for-job`: polls GetJob with backoff until the job ends or `job-timeout-minutes` passes,
 * logging the job's status and each step's as they change. Returns rather than throws on a failed
 * build or a timeout: the caller still records the outcome (the schema, the comment) before the run
 * fails.
 */
async function waitForJob(amplify, branch, started, options) {
    const { log, settings } = options;
    const sleep = options.sleep ?? core_sleep/* realSleep */.u;
    const now = options.now ?? Date.now;
    const limitMs = settings.jobTimeoutMinutes * 60_000;
    const end = now() + limitMs;
    const maxDelay = options.jobPollMaxMs ?? MAX_INTERVAL_MS;
    let delay = Math.min(options.jobPollInitialMs ?? FIRST_LOOK_MS, maxDelay);
    const report = changeLogger(log, branch, started);
    log.info(`Waiting for Amplify job ${started.id} on '${branch}' to end (wait-for-job; at most ${(0,duration/* formatDuration */.a)(limitMs)}, job-timeout-minutes)`);
    let job = started;
    for (let left = limitMs; left > 0; left = end - now()) {
        await sleep(Math.min(delay, left));
        delay = Math.min(Math.round(delay * 1.5), maxDelay);
        job = await amplify.getJob(branch, job.id);
        report(job);
        if (ENDED_JOB_STATUSES.includes(job.status))
            return { job, timedOut: false };
    }
    return { job, timedOut: true };
}
/** Logs what changed since the last look: the job's status, and each step's. */
function changeLogger(log, branch, started) {
    const last = new Map([['job', started.status]]);
    const changed = (key, status) => {
        if (last.get(key) === status)
            return false;
        last.set(key, status);
        return true;
    };
    return (job) => {
        const changes = [];
        if (changed('job', job.status))
            changes.push(`job ${job.status}`);
        for (const step of job.steps ?? []) {
            if (changed(`step ${step.name}`, step.status))
                changes.push(`step ${step.name} ${step.status}`);
        }
        if (changes.length > 0)
            log.info(`Amplify job ${job.id} on '${branch}': ${changes.join(', ')}`);
    };
}

;// CONCATENATED MODULE: ./src/core/flows/after-deploy.ts





/**
 * What follows the deploy proper, once the variable is written and the job started: the front end
 * hears that the job started, `wait-for-job` waits for it, and the schema is compared with the
 * parent's last, when the run knows it best. A build that failed or outlasted its limit fails the
 * run here, after everything else was recorded.
 */
async function afterDeploy(plan, result, options) {
    if (result.dryRun)
        return result;
    const { job } = result;
    if (job !== undefined)
        await announceJob(result, options);
    let wait;
    if (job !== undefined && options.settings.waitForJob) {
        const amplify = amplifyOf(options);
        const waitFor = () => waitForJob(amplify, plan.gitBranch, job, options);
        // The build has its own limit (job-timeout-minutes): the run's budget stands still meanwhile.
        wait = await (options.deadline === undefined ? waitFor() : options.deadline.excluding(waitFor));
        result.job = wait.job;
    }
    else if (options.settings.waitForJob && !options.neonOnly) {
        options.log.info('wait-for-job: this run started no Amplify job, so there is none to wait for');
    }
    Object.assign(result, await compareWithParent(plan, result, options));
    const failure = wait === undefined ? undefined : jobOutcomeError(result, wait, options.settings);
    if (failure !== undefined)
        throw failure;
    if (wait !== undefined)
        options.log.info(`Amplify job ${wait.job.id} on '${plan.gitBranch}' succeeded`);
    return result;
}
/** The `onJobStarted` hook: a report only, so whatever it throws is logged and the deploy goes on. */
async function announceJob(result, options) {
    if (options.onJobStarted === undefined)
        return;
    try {
        await options.onJobStarted(structuredClone(result));
    }
    catch (error) {
        options.log.warning(`Reporting the started Amplify job failed: ${(0,errors/* messageOf */.bD)(error)}`);
    }
}

// EXTERNAL MODULE: ./src/core/settings.ts + 1 modules
var core_settings = __webpack_require__(3102);
;// CONCATENATED MODULE: ./src/core/flows/out-of-reach.ts
/**
 * Why a Neon branch is production, out of reach of every change this tool makes (restore, expiry,
 * new password, delete), or undefined when it is not: the project's default branch, a protected
 * branch, or the parent-branch that primary branches use (README.md, "Safety rules"). Asked of the
 * branch as Neon lists it, whatever its name: an empty branch-prefix can make a git branch's Neon
 * name that of production, and primary-branches need not list that git branch.
 */
function outOfReach(branch, { parentBranch }) {
    if (branch.default)
        return "the project's default branch";
    if (branch.protected)
        return 'a protected branch';
    // The setting takes a name or an id (resolveParent); either one names this branch.
    if (parentBranch !== undefined && (branch.id === parentBranch || branch.name === parentBranch)) {
        return 'the parent-branch, the database primary branches use';
    }
    return undefined;
}
/**
 * Why a branch must not be deleted, or undefined when it may: the one rule cleanup and reconcile
 * share. The prefix check is what keeps the tool's hands off every branch it did not make.
 */
function refuseToDelete(branch, settings) {
    const production = outOfReach(branch, settings);
    if (production !== undefined)
        return `it is ${production}`;
    const prefix = settings.branchPrefix;
    if (!branch.name.startsWith(prefix))
        return `its name does not start with the prefix '${prefix}'`;
    return undefined;
}

;// CONCATENATED MODULE: ./src/core/flows/cleanup.ts



/**
 * Cleanup: the preview's Neon branch goes (never one refuseToDelete keeps), and the Amplify branch
 * or its variables when asked. A Neon branch that is kept, or whose delete Neon refuses (the error
 * ends the run), leaves the Amplify side as it was.
 */
async function cleanup(plan, options) {
    const { neon, settings, log } = options;
    const result = {
        kind: 'cleanup',
        gitBranch: plan.gitBranch,
        dryRun: settings.dryRun,
        deleted: false,
    };
    const branch = await neon.findBranchByName(plan.neonBranchName);
    const refusal = branch === undefined ? undefined : refuseToDelete(branch, settings);
    if (branch === undefined) {
        log.info(`Neon branch '${plan.neonBranchName}' does not exist: nothing to delete`);
    }
    else if (refusal !== undefined) {
        log.warning(`Not deleting Neon branch '${branch.name}' (${branch.id}): ${refusal}`);
        // The Amplify branch of a kept database is in use (with an empty prefix, it is production's):
        // its variables stay, and so does it.
        if (plan.deleteAmplifyBranch || plan.clearAmplifyVariables) {
            log.info(`Amplify branch '${plan.gitBranch}' is left alone: its Neon branch is kept`);
        }
        return { ...result, kept: refusal };
    }
    else {
        result.neonBranch = { id: branch.id, name: branch.name };
        result.deleted = await deleteNeonBranch(branch, options);
    }
    if (plan.deleteAmplifyBranch)
        await deleteAmplifyBranch(plan, options);
    if (plan.clearAmplifyVariables)
        await clearAmplifyVariables(plan, options);
    return result;
}
async function deleteNeonBranch(branch, { neon, settings, log }) {
    if (settings.dryRun) {
        log.info(`Dry run: would delete Neon branch '${branch.name}' (${branch.id})`);
        return false;
    }
    const outcome = await neon.deleteBranch(branch.id);
    log.info(outcome === 'deleted'
        ? `Deleted Neon branch '${branch.name}' (${branch.id})`
        : `Neon branch '${branch.name}' (${branch.id}) was already gone`);
    return outcome === 'deleted';
}
async function deleteAmplifyBranch(plan, options) {
    const { settings, log } = options;
    if (settings.dryRun) {
        log.info(`Dry run: would delete Amplify branch '${plan.gitBranch}'`);
        return;
    }
    const outcome = await amplifyOf(options).deleteBranch(plan.gitBranch);
    log.info(outcome === 'deleted'
        ? `Deleted Amplify branch '${plan.gitBranch}'`
        : `Amplify branch '${plan.gitBranch}' was already gone`);
}
/**
 * The kept Amplify branch loses the connection string, so nothing points at a deleted database:
 * one read-merge-write, every other variable kept (UpdateBranch replaces the whole map).
 */
async function clearAmplifyVariables(plan, options) {
    const { settings, log } = options;
    const amplify = amplifyOf(options);
    const branch = await amplify.getBranch(plan.gitBranch);
    if (branch === undefined) {
        log.info(`Amplify branch '${plan.gitBranch}' does not exist: no variable to remove`);
        return;
    }
    const names = (0,core_settings/* connectionVariableNames */.RH)(settings).filter((name) => name in branch.environmentVariables);
    if (names.length === 0) {
        log.info(`Amplify branch '${plan.gitBranch}' has no ${settings.envVarName}: nothing to remove`);
        return;
    }
    if (settings.dryRun) {
        log.info(`Dry run: would remove ${names.join(', ')} from Amplify branch '${plan.gitBranch}'`);
        return;
    }
    const kept = Object.fromEntries(Object.entries(branch.environmentVariables).filter(([name]) => !names.includes(name)));
    await amplify.setEnvironmentVariables(plan.gitBranch, kept);
    log.info(`Removed ${names.join(', ')} from Amplify branch '${plan.gitBranch}', keeping its ${Object.keys(kept).length} other variable(s)`);
}

// EXTERNAL MODULE: ./src/core/naming.ts
var naming = __webpack_require__(2607);
;// CONCATENATED MODULE: ./src/core/poll.ts


/** Each wait half as long again as the one before, up to `maxDelayMs`. */
const FACTOR = 1.5;
/**
 * Checks at once (after a first wait with `waitFirst`), then again after each wait, counted from
 * the check's answer: `initialDelayMs` first, then longer by `FACTOR` each round up to `maxDelayMs`,
 * until `check` returns or time runs out. (Neon's operations have a schedule of their own, shaped by
 * what they wait for: src/neon/operations.ts.)
 */
async function pollUntil(options) {
    const now = options.now ?? Date.now;
    const deadline = now() + options.timeoutMs;
    let delay = options.initialDelayMs;
    if (options.waitFirst)
        await options.sleep(Math.min(delay, options.timeoutMs));
    for (;;) {
        const result = await options.check();
        if (result !== undefined)
            return result;
        const left = deadline - now();
        if (left <= 0) {
            throw new errors/* TimeoutError */.MU(`${options.label} did not finish within ${(0,duration/* formatDuration */.a)(options.timeoutMs)}`);
        }
        await options.sleep(Math.min(delay, left));
        delay = Math.min(Math.round(delay * FACTOR), options.maxDelayMs);
    }
}

// EXTERNAL MODULE: ./src/core/ports.ts
var ports = __webpack_require__(4119);
;// CONCATENATED MODULE: ./src/core/flows/amplify-job.ts





/**
 * Starts a RELEASE job on the branch; called only once the variable is written. A job that is already
 * pending or running on the branch is handled as `on-running-job` says; a full account quota is
 * waited for whatever it says.
 */
async function startJob(amplify, branch, options) {
    const { settings, log } = options;
    const context = {
        amplify,
        branch,
        options,
        poll: {
            sleep: options.sleep ?? core_sleep/* realSleep */.u,
            now: options.now,
            initialDelayMs: options.jobPollInitialMs ?? 2_000,
            maxDelayMs: options.jobPollMaxMs ?? 15_000,
            timeoutMs: settings.jobTimeoutMinutes * 60_000,
        },
    };
    const first = await tryStart(context);
    if (first !== undefined)
        return started(context, first);
    const holder = await holderOf(context);
    // Only this branch's own running job is what on-running-job is about; a cancelled job or another
    // branch's builds are waited for, since skipping would leave the branch without a build.
    if (holder.kind !== 'active') {
        return started(context, await outsideBudget(options, () => startWhenFree(context, holder)));
    }
    switch (settings.onRunningJob) {
        case 'skip':
            log.warning(`A job is already pending or running on Amplify branch '${branch}'; not starting another (on-running-job: skip). That job may have started before ${settings.envVarName} was written.`);
            return undefined;
        // Waiting for Amplify has its own limit (job-timeout-minutes): outside the run's budget.
        case 'replace':
            return started(context, await outsideBudget(options, () => replace(context)));
        case 'wait':
            return started(context, await outsideBudget(options, () => waitThenStart(context)));
    }
}
/** StartJob, or undefined while Amplify answers LimitExceeded (a job in the way, or the quota). */
async function tryStart({ amplify, branch }) {
    try {
        return await amplify.startJob(branch);
    }
    catch (error) {
        if (error instanceof errors/* ApiError */.hD && error.code === 'LimitExceededException')
            return undefined;
        throw error;
    }
}
async function holderOf({ amplify, branch }) {
    const job = await amplify.latestJob(branch);
    if (job !== undefined && ports/* ACTIVE_JOB_STATUSES */.g.includes(job.status))
        return { kind: 'active', job };
    if (job?.status === 'CANCELLING')
        return { kind: 'cancelling', job };
    return { kind: 'quota' };
}
function outsideBudget(options, wait) {
    return options.deadline === undefined ? wait() : options.deadline.excluding(wait);
}
function started({ options, branch }, job) {
    options.log.info(`Started Amplify job ${job.id} on '${branch}'`);
    return job;
}
/**
 * The running job started before the variable was written, so it would build against the wrong
 * database: stop it (only this branch's own jobs, never another branch's) and start one that sees
 * the new value.
 */
async function replace(context) {
    const { amplify, branch, options } = context;
    const active = await amplify.listActiveJobs(branch);
    for (const job of active) {
        options.log.info(`Stopping Amplify job ${job.id} (${job.status}) on '${branch}': it started without ${options.settings.envVarName}`);
        await stopEnded(context, job);
    }
    return startWhenFree(context);
}
/**
 * StopJob on a job that ended between the lookup and the stop has no published answer: a 400, a 404
 * and a success all mean the job is over, and the start is tried again either way.
 */
async function stopEnded({ amplify, branch, options }, job) {
    try {
        await amplify.stopJob(branch, job.id);
    }
    catch (error) {
        if (!(error instanceof errors/* ApiError */.hD && (error.status === 400 || error.status === 404)))
            throw error;
        options.log.info(`Amplify job ${job.id} had already ended`);
    }
}
async function waitThenStart(context) {
    const { amplify, branch, options } = context;
    options.log.info(`A job is running on Amplify branch '${branch}'; waiting for it to end (on-running-job: wait)`);
    const attempt = attempter(context);
    return untilStarted(context, attempt, async () => (await amplify.listActiveJobs(branch)).length === 0 ? attempt.start() : undefined);
}
/** Tries StartJob until it starts, saying what is in the way each time that changes. */
function startWhenFree(context, first) {
    const attempt = attempter(context);
    if (first !== undefined)
        attempt.explain(first);
    return untilStarted(context, attempt, attempt.start);
}
function attempter(context) {
    let last;
    let said = '';
    const explain = (holder) => {
        last = holder;
        const line = holderLine(context, holder);
        if (line !== said)
            context.options.log.info(line);
        said = line;
    };
    return {
        explain,
        last: () => last,
        start: async () => {
            const job = await tryStart(context);
            if (job === undefined)
                explain(await holderOf(context));
            return job;
        },
    };
}
function holderLine({ branch, options }, holder) {
    const limit = `up to job-timeout-minutes (${(0,duration/* formatDuration */.a)(options.settings.jobTimeoutMinutes * 60_000)})`;
    switch (holder.kind) {
        case 'active':
            return `Amplify job ${holder.job.id} (${holder.job.status}) is still in the way on '${branch}'; starting once it has ended, ${limit}`;
        case 'cancelling':
            return `Amplify job ${holder.job.id} on '${branch}' is being cancelled (CANCELLING); starting a new job once it has ended, ${limit}`;
        case 'quota':
            return `Amplify refused to start a job on '${branch}' while the branch has no job of its own: the AWS account's concurrent-build quota (Amplify's "Concurrent jobs", 5 a region by default, lower on new accounts) is full. Waiting for a free slot whatever on-running-job says, ${limit}; no other branch's job is stopped.`;
    }
}
/** Polls `check`; a timeout while the quota was in the way says so instead of naming a job. */
async function untilStarted(context, attempt, check) {
    const { branch } = context;
    try {
        return await pollUntil({ ...context.poll, label: `Starting an Amplify job on '${branch}'`, check });
    }
    catch (error) {
        if (!(error instanceof errors/* TimeoutError */.MU))
            throw error;
        const holder = attempt.last();
        const within = (0,duration/* formatDuration */.a)(context.poll.timeoutMs);
        if (holder?.kind === 'quota') {
            throw new errors/* TimeoutError */.MU(`Starting an Amplify job on '${branch}' waited for a free slot in the AWS account's concurrent-build quota, and none came free within ${within} (job-timeout-minutes). Raise Amplify's "Concurrent jobs" quota in Service Quotas, or start fewer builds at once; nothing was stopped.`);
        }
        const what = holder === undefined ? 'the running Amplify job' : `job ${holder.job.id} (${holder.job.status})`;
        throw new errors/* TimeoutError */.MU(`Waiting for ${what} on '${branch}' to end so that a new Amplify job can start: it did not end within ${within} (job-timeout-minutes)`);
    }
}

// EXTERNAL MODULE: ./src/core/masking-rules.ts
var masking_rules = __webpack_require__(4105);
;// CONCATENATED MODULE: ./src/core/flows/neon-branch.ts


/** The parent setting resolved to a branch: the project's default branch when not given. */
async function resolveParent(neon, settings) {
    if (settings.parentBranch === undefined)
        return neon.getDefaultBranch();
    const parent = await neon.resolveBranch(settings.parentBranch);
    if (parent === undefined) {
        throw errors/* SettingError */.L_.invalid('parent-branch', settings.parentBranch, `no Neon branch has that name or id in project ${settings.neonProjectId}`);
    }
    return parent;
}
/**
 * Creates the branch and waits for its operations (unless leavePending); Neon's 409 (the name is
 * taken) is thrown as is.
 */
async function createBranch(input) {
    const { neon, name, parent, settings, log, expiresAt } = input;
    const what = settings.branchType === 'schema-only'
        ? ' (schema only, no rows)'
        : input.maskingRules === undefined
            ? ''
            : ' (anonymized)';
    const until = expiresAt === undefined ? '' : `, expiring at ${expiresAt}`;
    const from = parent === undefined ? "the project's default branch" : `'${parent.name}' (${parent.id})`;
    log.info(`Creating Neon branch '${name}' from ${from}${what}${until}`);
    const result = await neon.createBranch({
        name,
        parentId: parent?.id,
        suspendTimeoutSeconds: settings.suspendTimeoutSeconds,
        expiresAt,
        schemaOnly: settings.branchType === 'schema-only',
        maskingRules: input.maskingRules,
    });
    if (result.connection !== undefined)
        (0,redact/* maskConnectionString */.Oi)(result.connection.uri, input.secret);
    const made = {
        branch: result.branch,
        created: true,
        databases: result.databases,
        connection: result.connection,
    };
    if (input.leavePending)
        return { ...made, pending: result.operationIds };
    await neon.waitForOperations(result.operationIds);
    return made;
}
/** Neon's answer to a create whose name is taken. */
function isNameTaken(error) {
    return error instanceof errors/* ApiError */.hD && error.status === 409;
}
/** Creates the branch and waits for it; a 409 means another run won the race, so its branch is used. */
async function createOrReuse(input) {
    const { neon, name, log } = input;
    try {
        return await createBranch(input);
    }
    catch (error) {
        if (!isNameTaken(error))
            throw error;
        // Another run created it between our lookup and our create: use the winner's branch, once its
        // operations are done, so the connection string points at a ready endpoint.
        log.info(`Neon branch '${name}' was created by another run meanwhile; reusing it`);
        const winner = await neon.findBranchByName(name);
        if (winner === undefined) {
            throw new Error(`Creating Neon branch '${name}' failed: Neon answered 409 but no branch has that name`, {
                cause: error,
            });
        }
        await neon.waitForOperations(await neon.pendingOperationIds(winner.id));
        return { branch: winner, created: false };
    }
}
/**
 * The target as far as it can be told before the branch's databases are read: the names set, and
 * for a name not set, the one Neon gives every new project (database `neondb`, owned by
 * `neondb_owner`). Undefined when both are set: then it is known without a read.
 */
function likelyTarget(settings) {
    if (settings.database !== undefined && settings.role !== undefined)
        return undefined;
    return { databaseName: settings.database ?? 'neondb', roleName: settings.role ?? 'neondb_owner' };
}
/** The database and role settings, or the branch's only database and its owner. */
async function connectionTarget(neon, branch, settings, 
/** The databases the create answer listed, when the branch was just made. */
known) {
    const { database, role } = settings;
    if (database !== undefined && role !== undefined)
        return { databaseName: database, roleName: role };
    const databases = known ?? (await neon.listDatabases(branch.id));
    const found = database === undefined ? onlyDatabase(databases, branch) : databases.find((d) => d.name === database);
    if (found === undefined) {
        throw errors/* SettingError */.L_.invalid('database', database, `Neon branch '${branch.name}' has ${databases.map((d) => `'${d.name}'`).join(', ') || 'no databases'}`);
    }
    return { databaseName: found.name, roleName: role ?? found.ownerName };
}
/** A branch's connection string, masked before anything can print it. */
async function readConnection(input) {
    const url = await input.neon.connectionUri({
        branchId: input.branchId,
        ...input.target,
        pooled: input.pooled,
    });
    return maskedConnection(url, input.secret);
}
/** A connection string, masked before anything can print it, with its host. */
function maskedConnection(url, secret) {
    (0,redact/* maskConnectionString */.Oi)(url, secret);
    return { url, host: new URL(url).hostname };
}
function onlyDatabase(databases, branch) {
    const [first, ...rest] = databases;
    if (first === undefined)
        throw new errors/* UsageError */.eb(`Neon branch '${branch.name}' has no database`);
    if (rest.length > 0) {
        throw new errors/* UsageError */.eb(`Neon branch '${branch.name}' has ${databases.length} databases (${databases.map((d) => d.name).join(', ')}): set the database input to one of them`);
    }
    return first;
}

;// CONCATENATED MODULE: ./src/core/flows/anonymize.ts



/**
 * The masking rules in Neon's form, or undefined without `anonymize`. A rule that names no database
 * gets the `database` setting, else the parent's only database: a preview has its parent's.
 */
async function neonRules(
/** Read only when a rule names no database and the database setting is not set. */
parent, options) {
    const { settings, neon } = options;
    const rules = settings.anonymize ? settings.maskingRules : undefined;
    if (rules === undefined)
        return undefined;
    const resolve = rules.some((rule) => rule.databaseName === undefined) && settings.database === undefined;
    const database = resolve
        ? (await connectionTarget(neon, await parent(), settings)).databaseName
        : settings.database;
    return (0,masking_rules/* toNeonRules */.tP)(rules, database ?? '');
}
/**
 * Waits until Neon has masked the branch. Until then nothing else touches it: no new password, no
 * migrate-command, no Amplify write, so no build ever sees its unmasked rows. A failed masking
 * throws with Neon's status_message.
 */
async function awaitMasking(branch, rules, options) {
    const { neon, log } = options;
    log.info(`Waiting for Neon to mask branch '${branch.name}' (${rules.length} masking ${plural(rules.length)}); nothing is written to Amplify before it is done`);
    const status = await neon.waitForAnonymized(branch.id);
    log.info(`Neon branch '${branch.name}' is anonymized${status.message ? `: ${status.message}` : ''}`);
    return { rules: rules.length, maskedColumns: status.maskedColumns };
}
/**
 * A preview that existed already: rules that changed are replaced and applied again, and so are
 * unchanged ones after a reset (a restore brings the parent's rows back unmasked). A preview that
 * was not created anonymized is refused: it may hold the parent's personal data.
 */
async function remask(branch, rules, { reset }, options) {
    const { neon, log } = options;
    const current = await neon.maskingRules(branch.id);
    if (current === undefined) {
        throw new errors/* UsageError */.eb(`Neon branch '${branch.name}' was not created anonymized, so it may hold its parent's unmasked data; with anonymize: true it is not used. Delete it (command: cleanup, or reconcile) and deploy again: the new preview is created anonymized`);
    }
    const changed = !sameRules(current, rules);
    if (changed) {
        log.info(`The masking rules of Neon branch '${branch.name}' changed: replacing them`);
        await neon.replaceMaskingRules(branch.id, rules);
    }
    if (changed || reset) {
        log.info(`Masking Neon branch '${branch.name}' again${changed ? '' : ' after its reset (reset-on-push)'}`);
        await neon.startAnonymization(branch.id);
        return awaitMasking(branch, rules, options);
    }
    return awaitOrRetry(branch, rules, options);
}
/** The wait for a preview whose rules did not change; a masking that had failed is tried once more. */
async function awaitOrRetry(branch, rules, options) {
    try {
        return await awaitMasking(branch, rules, options);
    }
    catch (error) {
        // An earlier masking failed (a table created in production since, a passing fault): the same
        // rules are tried once more before the deploy gives up; until then nothing reads the branch.
        if (!(error instanceof errors/* MaskingError */.HU))
            throw error;
        options.log.info(`The last masking of Neon branch '${branch.name}' failed; masking it again`);
        await options.neon.startAnonymization(branch.id);
        return awaitMasking(branch, rules, options);
    }
}
/** Why a branch of this deploy is not anonymized although `anonymize` is set: said once, as a notice. */
function notAnonymized(options, name, why) {
    if (options.settings.anonymize) {
        options.log.info(`Neon branch '${name}' is not anonymized (anonymize applies to previews only): ${why}`);
    }
}
function sameRules(a, b) {
    const key = (rules) => rules.map(canonical).sort().join('\n');
    return key(a) === key(b);
}
function canonical(rule) {
    return JSON.stringify([
        rule.database_name,
        rule.schema_name,
        rule.table_name,
        rule.column_name,
        rule.masking_function ?? null,
        rule.masking_value ?? null,
    ]);
}
function plural(count) {
    return count === 1 ? 'rule' : 'rules';
}

;// CONCATENATED MODULE: ./src/core/flows/lifecycle.ts


/** `expires_at` for a branch that should live `seconds` from now: RFC 3339 to the second, as Neon takes it. */
function expiryFrom(now, seconds) {
    return new Date(Math.floor(now / 1000) * 1000 + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
/** The expiry a new preview is created with, when expires-in is set. */
function newExpiry(options) {
    const seconds = options.settings.expiresInSeconds;
    return seconds === undefined ? undefined : expiryFrom((options.now ?? Date.now)(), seconds);
}
/**
 * What a deploy does to a preview that already existed: with reset-on-push, back to its parent's
 * latest state (before anything connects, and before migrate-command); with expires-in, its expiry
 * moved forward, so a branch that is still pushed to never expires. Returns the expiry in force.
 */
async function refreshPreview(plan, 
/** `parent` is read only for a branch that lists none (a schema-only preview is a root branch). */
{ branch, parent }, options) {
    // The deploy asks this before it gets here; asked again, so no caller can get it wrong.
    if (plan.primary || outOfReach(branch, options.settings) !== undefined)
        return undefined;
    if (options.settings.resetOnPush) {
        await resetToParent(branch, branch.parentId ?? (await parent()).id, options);
    }
    return moveExpiry(branch, options);
}
async function resetToParent(branch, parentId, options) {
    const { neon, log } = options;
    log.info(`Resetting Neon branch '${branch.name}' to the latest state of its parent (${parentId}), reset-on-push`);
    try {
        await neon.restoreBranch(branch.id, parentId);
    }
    catch (error) {
        if (!(error instanceof errors/* ApiError */.hD && error.status === 400 && /child|preserve_under_name/i.test(error.message))) {
            throw error;
        }
        // Neon would keep the old state under a name of our choosing; guessing one would leave branches
        // behind that no cleanup knows about.
        throw new errors/* UsageError */.eb(`Cannot reset Neon branch '${branch.name}' (reset-on-push): it has child branches, and Neon then needs a name to keep its current state under (preserve_under_name), which this tool does not guess. Delete its child branches, or set reset-on-push: false`);
    }
}
async function moveExpiry(branch, options) {
    const { neon, log } = options;
    const expiresAt = newExpiry(options);
    if (expiresAt === undefined)
        return branch.expiresAt;
    try {
        await neon.setExpiry(branch.id, expiresAt);
        log.info(`Neon branch '${branch.name}' now expires at ${expiresAt} (expires-in)`);
        return expiresAt;
    }
    catch (error) {
        if (!(error instanceof errors/* ApiError */.hD && error.status === 400 && /child/i.test(error.message)))
            throw error;
        log.warning(`Neon branch '${branch.name}' has child branches, and Neon refuses an expiry on such a branch: it keeps ${branch.expiresAt ?? 'no expiry'} (${(0,errors/* messageOf */.bD)(error)})`);
        return branch.expiresAt;
    }
}

;// CONCATENATED MODULE: ./src/core/flows/deploy-reads.ts




/** The parent as step 1 read it, or read now (once). */
function parentOf(state) {
    return state.parent === undefined ? state.readParent() : Promise.resolve(state.parent);
}
function startReads(plan, options) {
    const { neon, settings, log } = options;
    const port = options.neonOnly ? undefined : amplifyOf(options);
    // Neon's requests first: they go out before the Amplify port loads the AWS SDK.
    const created = createsFirst(plan, options, port) ? createAtOnce(plan, options) : undefined;
    if (created !== undefined)
        log.debug('The push created the git branch: creating the Neon branch first');
    const find = () => neon.findBranchByName(plan.neonBranchName);
    const existing = plan.primary
        ? undefined
        : created === undefined
            ? find()
            : created.then((made) => {
                if (made !== 'exists')
                    return undefined;
                log.info(`Neon branch '${plan.neonBranchName}' exists already`);
                return find();
            });
    let parentRead;
    const readParent = () => {
        parentRead ??= resolveParent(neon, settings);
        return parentRead;
    };
    const neonState = Promise.all([existing, needsParent(plan, options) ? readParent() : undefined]).then(([found, parent]) => ({ existing: found, parent, readParent }));
    const made = (created ?? Promise.resolve(undefined)).then((c) => (c === 'exists' ? undefined : c));
    const amplifyState = port && readAmplify(plan, port, options);
    // Each is awaited later, or not at all when an earlier step fails: no unhandled rejection meanwhile.
    for (const read of [made, neonState, amplifyState])
        read?.catch(() => undefined);
    return { neon: neonState, made, amplify: port && amplifyState && { port, state: amplifyState } };
}
/** GetBranch and GetApp, with the refusal of a missing branch that may not be created. */
async function readAmplify(plan, port, { settings }) {
    const [amplifyBranch, app] = await Promise.all([port.getBranch(plan.gitBranch), port.getApp()]);
    if (amplifyBranch === undefined && !settings.createAmplifyBranch) {
        throw new errors/* UsageError */.eb(`Amplify branch '${plan.gitBranch}' does not exist in app ${settings.amplifyAppId}, and create-amplify-branch is false: connect the branch in Amplify first, or set create-amplify-branch: true`);
    }
    return { amplifyBranch, app };
}
/** The connection string the Amplify branch holds now (env-var-name); undefined without Amplify. */
function writtenUrl(reads, options) {
    const name = options.settings.envVarName;
    const url = reads.amplify?.state.then(({ amplifyBranch }) => amplifyBranch?.environmentVariables[name]);
    // Awaited only by a re-push: when the read fails, the deploy reports it where it awaits the
    // state itself; left unhandled it would end the process (every deploy of a worker's batch).
    url?.catch(() => undefined);
    return url;
}
async function allReads(reads) {
    const [neonState, amplifyState] = await Promise.all([reads.neon, reads.amplify?.state]);
    const parent = await parentOf(neonState);
    return { ...neonState, parent, amplifyBranch: amplifyState?.amplifyBranch, app: amplifyState?.app };
}
/**
 * Whether the deploy is sure to need the parent: a primary branch uses it, a dry run and masking
 * rules name it, and a parent-branch setting is checked before anything is written. A preview of
 * the default branch does not: the create leaves parent_id out and Neon branches from the default
 * branch (Neon's API reference, createProjectBranch: "By default, the branch is created from the
 * project's default branch"), and a re-push uses the branch's own parent_id. That saves a listing
 * of the project's branches on most deploys.
 */
function needsParent(plan, { settings }) {
    return plan.primary || settings.dryRun || settings.anonymize || settings.parentBranch !== undefined;
}
/**
 * The push created the git branch, so the Neon branch most likely does not exist: creating it
 * before looking it up saves a round trip. Not when a parent must be looked up first, nor when a
 * missing Amplify branch must stop the deploy before Neon is written to, nor on a dry run.
 */
function createsFirst(plan, options, amplify) {
    const { settings } = options;
    return (plan.newInGit === true &&
        !plan.primary &&
        !settings.dryRun &&
        settings.parentBranch === undefined &&
        // Masking rules may need the parent's database first, and the masking wait dwarfs a round trip.
        !settings.anonymize &&
        (amplify === undefined || settings.createAmplifyBranch));
}
async function createAtOnce(plan, options) {
    const { neon, settings, log } = options;
    const expiresAt = newExpiry(options);
    try {
        const made = await createBranch({
            neon,
            name: plan.neonBranchName,
            parent: undefined,
            settings,
            log,
            secret: options.secret,
            expiresAt,
            // Never anonymized here (createsFirst): nothing reads the branch before branchConnection.
            leavePending: true,
        });
        return { ...made, expiresAt };
    }
    catch (error) {
        if (isNameTaken(error))
            return 'exists';
        throw error;
    }
}

;// CONCATENATED MODULE: ./src/core/flows/migrate.ts

/**
 * `migrate-command`, after the branch is ready and before anything is written to Amplify: a failed
 * or hung migration (a MigrationError) stops the deploy, so a broken schema never reaches a build.
 * It gets the direct URL, since migration tools need a session (advisory locks, prepared
 * statements) that a transaction-mode pooler does not keep.
 */
async function runMigration(plan, input, options) {
    const { settings, log } = options;
    const command = settings.migrateCommand;
    if (command === undefined)
        return;
    if (options.migrate === undefined || input.direct === undefined) {
        throw new Error('Internal error: migrate-command is set but the run has no migration runner or direct URL');
    }
    const { branch } = input;
    if (plan.primary) {
        log.info(`'${plan.gitBranch}' is a primary branch: migrate-command runs against its parent, Neon branch '${branch.name}'`);
    }
    log.info(`Running migrate-command on Neon branch '${branch.name}' (DATABASE_URL is its direct URL)`);
    const secrets = [];
    (0,redact/* maskConnectionString */.Oi)(input.direct.url, (value) => secrets.push(value));
    await options.migrate({
        command,
        env: { DATABASE_URL: input.direct.url, NEON_BRANCH_ID: branch.id, NEON_BRANCH_NAME: branch.name },
        passEnv: settings.migrateEnv,
        secrets,
        timeoutMs: settings.migrateTimeoutMinutes * 60_000,
        log,
    });
    log.info('migrate-command finished');
}

;// CONCATENATED MODULE: ./src/core/flows/role-password.ts



/**
 * The branch's connection string, with a password of the preview's own. Neon copies roles with
 * their passwords, so a new branch's URL would also open the parent (production) through the
 * parent's host. A branch this run created gets a new password at once; a reused one is checked
 * against its parent (the run that created it may have failed before its reset, or may be doing it
 * right now) and reset when it still has the parent's.
 */
async function branchConnection({ plan, branch, created, databases, known, written, pending = [], options, }) {
    const { neon, settings, log } = options;
    const likely = databases === undefined ? likelyTarget(settings) : undefined;
    const early = likely && earlyReads(likely, options);
    const listed = () => connectionTarget(neon, branch, settings, databases);
    // An earlier run chose a reused branch's target and wrote it to Amplify: the listing would only
    // say it again. (A new branch's target comes from its create answer or the listing.)
    const target = early && likely && written && !created
        ? sameDatabase(early(branch.id, settings.pooled), written).then((same) => (same ? likely : listed()))
        : listed();
    // Awaited after the password reset, or not at all when it fails: never left unhandled meanwhile.
    target.catch(() => undefined);
    const wantsDirect = settings.migrateCommand !== undefined || settings.unpooledEnvVarName !== undefined;
    // The create answer's URL, when it is for the target, saves reading it (and after a reset, only
    // its password changes).
    const fromCreate = async (password) => known === undefined || !sameTarget(known, await target)
        ? undefined
        : urlsOf(known, { password, pooled: settings.pooled, wantsDirect, secret: options.secret });
    const read = (branchId, pooled) => target.then((on) => readConnection({ neon, branchId, target: on, pooled, secret: options.secret }));
    // The first reads need not wait for the databases (see earlyReader); later ones must see the
    // password as it is then, so they are sent afresh.
    const first = early && likely ? earlyReader(read, early, likely, target) : read;
    // Both forms in parallel: the direct one costs no extra time.
    const readAll = async (by = read) => {
        const [connection, direct] = await Promise.all([
            by(branch.id, settings.pooled),
            wantsDirect && settings.pooled ? by(branch.id, false) : undefined,
        ]);
        return { connection, direct: wantsDirect ? (direct ?? connection) : undefined };
    };
    const done = (urls, passwordReset) => ({
        ...urls,
        passwordReset,
        reread: () => readAll(),
    });
    if (plan.primary || !settings.resetRolePassword || outOfReach(branch, settings) !== undefined) {
        if (pending.length > 0)
            await neon.waitForOperations(pending);
        return done((created ? await fromCreate() : undefined) ?? (await readAll(first)), false);
    }
    if (!created) {
        const [urls, parentPassword] = await Promise.all([
            readAll(first),
            passwordOfParent(branch, first, options),
        ]);
        if (parentPassword === undefined || passwordOf(urls.connection) !== parentPassword) {
            return done(urls, false);
        }
        log.info(`Neon branch '${branch.name}' still has its parent's password for role '${(await target).roleName}'`);
    }
    const { roleName } = await target;
    log.info(`Giving role '${roleName}' a password of its own on Neon branch '${branch.name}'`);
    // A new branch's reset goes when its create typically ends, and waits for both (see the port).
    const password = await neon.resetRolePassword(branch.id, roleName, pending);
    if (password !== undefined)
        options.secret(password);
    const urls = created && password !== undefined ? await fromCreate(password) : undefined;
    return done(urls ?? (await readAll()), true);
}
/**
 * Reading the branch's databases to learn the target costs a round trip before the URL can be
 * read. These reads are sent at once on the likely target (see likelyTarget), once per branch and
 * form, and masked on arrival, a dropped one too.
 */
function earlyReads(likely, { neon, secret }) {
    const sent = new Map();
    return (branchId, pooled) => {
        const key = `${branchId} ${pooled}`;
        let read = sent.get(key);
        if (read === undefined) {
            read = readConnection({ neon, branchId, target: likely, pooled, secret });
            read.catch(() => undefined); // A wrong guess answers 404; only a kept answer's failure counts.
            sent.set(key, read);
        }
        return read;
    };
}
/** The early read's answer when the target proves to be the likely one; otherwise a read on the real one. */
function earlyReader(read, early, likely, target) {
    return (branchId, pooled) => {
        const sent = early(branchId, pooled);
        // Dropped when the target is another one: its failure then means nothing.
        sent.catch(() => undefined);
        return target.then((on) => (sameTarget(on, likely) ? sent : read(branchId, pooled)));
    };
}
/**
 * Whether the URL Amplify holds opens the same database as the same role on the same host as the
 * one just read (the password aside: a reset or restore may have changed it). Only a run of this
 * tool wrote it there, after it had checked the target against the branch's databases.
 */
async function sameDatabase(read, written) {
    const [now, before] = await Promise.all([read.catch(() => undefined), written.catch(() => undefined)]);
    if (now === undefined || before === undefined || !URL.canParse(before))
        return false;
    const [a, b] = [new URL(now.url), new URL(before)];
    return a.host === b.host && a.pathname === b.pathname && a.username === b.username;
}
function sameTarget(a, b) {
    return a.databaseName === b.databaseName && a.roleName === b.roleName;
}
/**
 * The URLs from the create answer's direct one: the pooled one is the same on the pooler's host,
 * which is how Neon forms it. Masked before anything can print them.
 */
function urlsOf(known, how) {
    const direct = new URL(known.uri);
    if (how.password !== undefined)
        direct.password = encodeURIComponent(how.password);
    const pooled = new URL(direct.href);
    pooled.hostname = known.poolerHost;
    const connection = maskedConnection(how.pooled ? pooled.href : direct.href, how.secret);
    return { connection, direct: how.wantsDirect ? maskedConnection(direct.href, how.secret) : undefined };
}
/** The parent's password for the same role and database; undefined when the parent has neither. */
async function passwordOfParent(branch, read, options) {
    if (branch.parentId === undefined)
        return undefined;
    try {
        return passwordOf(await read(branch.parentId, options.settings.pooled));
    }
    catch (error) {
        if (error instanceof errors/* ApiError */.hD && error.status === 404)
            return undefined;
        throw error;
    }
}
function passwordOf(connection) {
    return new URL(connection.url).password;
}

;// CONCATENATED MODULE: ./src/core/flows/deploy.ts











/**
 * Deploy: the reads, then the Neon branch, its connection string, the Amplify variable, and only then
 * the job. A dry run stops after the reads and says what the rest would do.
 */
async function deploy(plan, options) {
    const { settings } = options;
    const reads = startReads(plan, options);
    if (settings.dryRun)
        return dryRun(plan, await allReads(reads), options);
    const outcome = await neonBranch(plan, reads, options);
    const { branch, created, expiresAt, databases, connection, pending, parent, production } = outcome;
    const known = { databases, known: connection, pending, written: writtenUrl(reads, options) };
    const found = await branchConnection({ plan, branch, created, ...known, options });
    // Read-only: not even the user's migration runs on production unless primary-branches says so.
    if (production === undefined)
        await runMigration(plan, { branch, direct: found.direct }, options);
    const result = {
        kind: 'deploy',
        gitBranch: plan.gitBranch,
        dryRun: false,
        neonBranch: { id: branch.id, name: branch.name, parentId: branch.parentId },
        created,
        expiresAt,
        // Known from the reads when they needed it: the report names the parent without asking again.
        parent: parent !== undefined && branch.parentId === parent.id
            ? { id: parent.id, name: parent.name }
            : undefined,
        connection: found.connection,
        directConnection: options.settings.unpooledEnvVarName === undefined ? undefined : found.direct,
        ...(production === undefined ? {} : { production }),
        ...(outcome.anonymized === undefined ? {} : { anonymized: outcome.anonymized }),
    };
    if (reads.amplify === undefined)
        return result;
    const { amplifyBranch, app } = await reads.amplify.state;
    const written = await writeSettled(plan, amplifyBranch, found, options);
    result.connection = written.urls.connection;
    if (result.directConnection !== undefined)
        result.directConnection = written.urls.direct;
    result.previewUrl = preview(plan, app, written.branch.displayName);
    // The job only now that the variable is written.
    if (settings.startJob)
        result.job = await startJob(reads.amplify.port, plan.gitBranch, options);
    return result;
}
/** Step 2: the parent for a primary branch, the existing preview, or a new one. */
async function neonBranch(plan, reads, options) {
    const { neon, settings, log } = options;
    const early = await reads.made;
    if (early !== undefined)
        return { ...early, parent: (await reads.neon).parent };
    // A missing Amplify branch that may not be created stops the deploy before Neon is written to.
    if (!settings.createAmplifyBranch)
        await reads.amplify?.state;
    const state = await reads.neon;
    const existing = announceExisting(plan, state, options);
    const parent = () => parentOf(state);
    if (existing !== undefined) {
        const { branch, production } = existing;
        if (production !== undefined || plan.primary) {
            notAnonymized(options, branch.name, production ?? 'a primary branch uses its parent itself');
            return { branch, created: false, expiresAt: undefined, parent: state.parent, production };
        }
        // It may be a branch another run created moments ago, still initialising; one that Neon lists
        // as ready with nothing pending has nothing to wait for, which saves a request on every push.
        if (!plan.primary && branch.ready !== true) {
            await neon.waitForOperations(await neon.pendingOperationIds(branch.id));
        }
        const expiresAt = await refreshPreview(plan, { branch, parent }, options);
        const rules = await neonRules(parent, options);
        const reset = settings.resetOnPush;
        const anonymized = rules && (await remask(branch, rules, { reset }, options));
        return { branch, created: false, expiresAt, parent: state.parent, anonymized };
    }
    const expiresAt = newExpiry(options);
    const maskingRules = await neonRules(parent, options);
    const made = await createOrReuse({
        neon,
        name: plan.neonBranchName,
        parent: state.parent,
        settings,
        log,
        secret: options.secret,
        expiresAt,
        maskingRules,
        leavePending: maskingRules === undefined, // else the masking wait reads the branch first
    });
    // Another run's branch (Neon's 409) is asked the same as one found by the lookup.
    const production = made.created ? undefined : readOnlyUse(plan, made.branch, options);
    if (production !== undefined) {
        notAnonymized(options, made.branch.name, production);
        return { ...made, expiresAt: undefined, parent: state.parent, production };
    }
    const anonymized = maskingRules &&
        (made.created
            ? await awaitMasking(made.branch, maskingRules, options)
            : await remask(made.branch, maskingRules, { reset: false }, options));
    const expiry = made.created ? expiresAt : made.branch.expiresAt;
    return { ...made, expiresAt: expiry, parent: state.parent, anonymized };
}
/**
 * The branch the deploy uses without creating one, said in the log, and why it is production when
 * it is; undefined when one is to be made.
 */
function announceExisting(plan, state, options) {
    const { log } = options;
    if (plan.primary) {
        const { parent } = state;
        // Read in step 1 for every primary branch (needsParent in deploy-reads.ts).
        if (parent === undefined)
            throw new Error(`The parent of primary branch '${plan.gitBranch}' was not read`);
        log.info(`'${plan.gitBranch}' is a primary branch: it uses Neon branch '${parent.name}' (${parent.id})`);
        return { branch: parent };
    }
    const { existing } = state;
    if (existing === undefined)
        return undefined;
    const production = readOnlyUse(plan, existing, options);
    if (production === undefined)
        log.info(`Reusing Neon branch '${existing.name}' (${existing.id})`);
    return { branch: existing, production };
}
/**
 * A preview's Neon name can be production's (an empty branch-prefix, a git branch named like the
 * default branch): then the deploy uses it read-only, as a primary branch uses its parent, and says
 * why. Returns the reason, or undefined for a branch a preview may change.
 */
function readOnlyUse(plan, branch, options) {
    const { settings, log } = options;
    const production = outOfReach(branch, settings);
    if (production === undefined)
        return undefined;
    const migrate = settings.migrateCommand === undefined ? '' : '; migrate-command does not run';
    log.warning(`Neon branch '${branch.name}' is ${production}: the deploy of '${plan.gitBranch}' uses it read-only, as a primary branch (no reset, expiry or new password${migrate}). Set a branch-prefix that gives previews names of their own, or list '${plan.gitBranch}' in primary-branches (a primary branch uses the parent-branch)`);
    return production;
}
/** The Amplify variables a deploy writes: the connection string, and the direct one when asked. */
function variablesOf(urls, settings) {
    const values = { [settings.envVarName]: urls.connection.url };
    if (settings.unpooledEnvVarName !== undefined && urls.direct !== undefined) {
        values[settings.unpooledEnvVarName] = urls.direct.url;
    }
    return values;
}
/**
 * Step 4: UpdateBranch replaces the whole map, so the map just read is merged and written back
 * whole; every other variable survives. Nothing is written when it is already right. Returns the
 * Amplify branch as it is now.
 */
async function writeVariables(plan, current, values, options) {
    const { log } = options;
    const amplify = amplifyOf(options);
    const names = Object.keys(values).join(' and ');
    const variables = { ...(current?.environmentVariables ?? {}), ...values };
    if (current === undefined) {
        log.info(`Creating Amplify branch '${plan.gitBranch}' (auto-build off) with ${names}`);
        try {
            return await amplify.createBranch({ name: plan.gitBranch, environmentVariables: variables });
        }
        catch (error) {
            if (isAppFull(error))
                throw appFull(plan, options, error);
            // Another run created it since this one read it: merge into the winner's map instead.
            if (!isAlreadyExists(error))
                throw error;
            const winner = await amplify.getBranch(plan.gitBranch);
            if (winner === undefined)
                throw error;
            log.info(`Amplify branch '${plan.gitBranch}' was created by another run meanwhile; merging into it`);
            return writeVariables(plan, winner, values, options);
        }
    }
    if (Object.entries(values).every(([name, value]) => current.environmentVariables[name] === value)) {
        log.info(`Amplify branch '${plan.gitBranch}' already has the right ${names}`);
        return current;
    }
    log.info(`Writing ${names} to Amplify branch '${plan.gitBranch}'`);
    return amplify.setEnvironmentVariables(plan.gitBranch, variables);
}
/**
 * Writes the variables; after a password reset, reads the URLs once more and writes again if they
 * moved: two first runs for one branch may both have reset the password, and the one whose write
 * lands last must not leave an older password in Amplify.
 */
async function writeSettled(plan, current, found, options) {
    const branch = await writeVariables(plan, current, variablesOf(found, options.settings), options);
    if (!found.passwordReset)
        return { branch, urls: found };
    const now = await found.reread();
    if (now.connection.url === found.connection.url)
        return { branch, urls: now };
    options.log.info(`The password of ${plan.neonBranchName} changed meanwhile (another run); writing it again`);
    return {
        branch: await writeVariables(plan, branch, variablesOf(now, options.settings), options),
        urls: now,
    };
}
/**
 * Amplify's answer to CreateBranch when the app holds its 50 branches already: the operation and the
 * exception say it (Amplify publishes no wording for it, so the message is not read).
 */
function isAppFull(error) {
    return error instanceof errors/* ApiError */.hD && error.code === 'LimitExceededException';
}
function appFull(plan, options, cause) {
    options.log.warning(`Neon branch '${plan.neonBranchName}' is kept: the next run, once Amplify has room, reuses it`);
    return new Error(`Amplify app ${options.settings.amplifyAppId} is full: Amplify holds at most 50 branches per app, a quota AWS does not raise, so branch '${plan.gitBranch}' cannot be created. Nothing was written to Amplify and no job was started. Free a branch: delete Amplify branches whose git branch is gone (cleanup with delete-amplify-branch: true does it when a pull request closes), then run reconcile to delete their Neon branches. The Neon branch '${plan.neonBranchName}' made for it is kept; the next run reuses it.`, { cause });
}
/** Amplify's answer to CreateBranch for a branch that exists: BadRequestException, "already exists". */
function isAlreadyExists(error) {
    return error instanceof errors/* ApiError */.hD && error.status === 400 && /already exists/i.test(error.message);
}
function dryRun(plan, state, options) {
    const { settings, log } = options;
    const existing = announceExisting(plan, state, options)?.branch;
    if (existing === undefined) {
        const { parent } = state;
        const masked = settings.anonymize
            ? `, anonymized with ${settings.maskingRules?.length} masking rules`
            : '';
        log.info(`Dry run: would create Neon branch '${plan.neonBranchName}' from '${parent.name}' (${parent.id})${masked}`);
    }
    if (settings.migrateCommand !== undefined)
        log.info('Dry run: would run migrate-command on the branch');
    if (state.app !== undefined) {
        log.info(`Dry run: would write ${settings.envVarName} to Amplify branch '${plan.gitBranch}'`);
        if (settings.startJob)
            log.info(`Dry run: would start a RELEASE job on '${plan.gitBranch}'`);
    }
    return {
        kind: 'deploy',
        gitBranch: plan.gitBranch,
        dryRun: true,
        neonBranch: { id: existing?.id ?? '', name: existing?.name ?? plan.neonBranchName },
        created: false,
        previewUrl: preview(plan, state.app, state.amplifyBranch?.displayName),
    };
}
function preview(plan, app, displayName) {
    if (app === undefined)
        return undefined;
    return (0,naming/* previewUrl */.e6)(displayName || (0,naming/* amplifyDisplayName */.OE)(plan.gitBranch), app.defaultDomain);
}

;// CONCATENATED MODULE: ./src/core/concurrency.ts
/**
 * Runs `work` on every item, at most `limit` at a time, and resolves once every call has ended.
 * `work` handles its own failures: one that throws rejects the whole run.
 */
async function forEachConcurrently(items, limit, work) {
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const index = next++;
            await work(items[index], index);
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

;// CONCATENATED MODULE: ./src/core/flows/list.ts



/** GetBranch + GetJob per preview at once: few enough to stay clear of Amplify's throttling. */
const JOB_CONCURRENCY = 5;
/**
 * List: one row per Neon branch under the prefix, with the Amplify branch that maps to it (found
 * forward through the naming function, as reconcile does: nothing parses a git branch back out of
 * a Neon name) and that branch's last job. Reads only; a connection string is never asked for.
 */
async function list(plan, options) {
    const amplify = amplifyOf(options);
    const [neonBranches, amplifyNames] = await Promise.all([
        options.neon.listBranches(plan.prefix),
        amplify.listBranchNames(),
    ]);
    const byNeonName = new Map(amplifyNames.map((name) => [(0,naming/* neonBranchName */.ix)(plan.prefix, name), name]));
    const branches = [...new Map(neonBranches.map((branch) => [branch.id, branch])).values()];
    const previews = [];
    await forEachConcurrently(branches, JOB_CONCURRENCY, async (branch, index) => {
        previews[index] = await row(branch, byNeonName.get(branch.name), amplify);
    });
    options.log.info(`${previews.length} preview(s) under '${plan.prefix}'`);
    return { kind: 'list', previews };
}
async function row(branch, gitBranch, amplify) {
    const job = gitBranch === undefined ? undefined : await amplify.latestJob(gitBranch);
    return {
        gitBranch,
        neonBranch: { id: branch.id, name: branch.name },
        createdAt: branch.createdAt,
        expiresAt: branch.expiresAt,
        amplifyBranch: gitBranch,
        lastJob: job === undefined ? undefined : { id: job.id, status: job.status },
    };
}

;// CONCATENATED MODULE: ./src/core/flows/reconcile.ts





/**
 * Deletions in flight at once. The Neon port paces every request to Neon's rate limit; this only
 * needs to be enough to keep that pace when each request takes a while (40 a second at 250 ms
 * each is 10 in flight), and few enough that a 429 finds few others already on their way.
 */
const DELETE_CONCURRENCY = 10;
/** Thrown when reconcile could not delete some branches; carries what it did do. */
class ReconcileError extends Error {
    result;
    name = 'ReconcileError';
    constructor(message, result) {
        super(message);
        this.result = result;
    }
}
/**
 * Reconcile: every prefixed Neon branch that no Amplify branch (nor primary branch) maps to goes.
 * Names are mapped forward through the naming function; nothing parses a git branch back out.
 */
async function reconcile(plan, options) {
    const { neon, settings } = options;
    const [neonBranches, amplifyNames] = await Promise.all([
        neon.listBranches(plan.prefix),
        amplifyOf(options).listBranchNames(),
    ]);
    const wanted = new Set([...amplifyNames, ...plan.primaryBranches].map((name) => (0,naming/* neonBranchName */.ix)(plan.prefix, name)));
    // Concurrently, each branch once (by id); reported in the listing's order whatever the timing.
    const branches = [...new Map(neonBranches.map((branch) => [branch.id, branch])).values()];
    const outcomes = [];
    await forEachConcurrently(branches, DELETE_CONCURRENCY, async (branch, index) => {
        outcomes[index] = await settle(branch, { plan, wanted, options });
    });
    const report = { deleted: [], gone: [], wouldDelete: [], kept: [], failed: [] };
    for (const outcome of outcomes) {
        if (outcome.kind === 'failed')
            report.failed.push({ name: outcome.name, message: outcome.message });
        else
            report[outcome.kind].push(outcome.name);
    }
    const result = { kind: 'reconcile', dryRun: settings.dryRun, report };
    if (report.failed.length > 0) {
        throw new ReconcileError(`Reconcile deleted ${report.deleted.length} Neon branch(es) but could not delete ${report.failed.length}: ${report.failed.map((f) => f.message).join('; ')}`, result);
    }
    return result;
}
/** Keeps, deletes or (dry run) would delete one branch, and says which. */
async function settle(branch, { plan, wanted, options }) {
    const { neon, settings, log } = options;
    const { name } = branch;
    if (wanted.has(name))
        return { kind: 'kept', name };
    const refusal = refuseToDelete(branch, { branchPrefix: plan.prefix, parentBranch: settings.parentBranch });
    if (refusal !== undefined) {
        log.info(`Keeping Neon branch '${name}' (${branch.id}): ${refusal}`);
        return { kind: 'kept', name };
    }
    if (settings.dryRun) {
        log.info(`Dry run: would delete Neon branch '${name}' (${branch.id}): no Amplify branch maps to it`);
        return { kind: 'wouldDelete', name };
    }
    try {
        // One call per branch: the port's retries end a DELETE that already went through as 'gone'.
        if ((await neon.deleteBranch(branch.id)) === 'gone') {
            // Neon deleted it by itself meanwhile (its expires_at passed), or someone else did: not a failure.
            log.info(`Neon branch '${name}' (${branch.id}) was already gone (expired, or deleted elsewhere)`);
            return { kind: 'gone', name };
        }
        log.info(`Deleted Neon branch '${name}' (${branch.id}): no Amplify branch maps to it`);
        return { kind: 'deleted', name };
    }
    catch (error) {
        // Keep going: one refusal (a branch with children, say) must not spare the others.
        log.warning((0,errors/* messageOf */.bD)(error));
        return { kind: 'failed', name, message: (0,errors/* messageOf */.bD)(error) };
    }
}

;// CONCATENATED MODULE: ./src/core/executor.ts








/** The result a failed run still has: a reconcile's partial report, a deploy whose build failed. */
function resultOf(error) {
    return error instanceof ReconcileError || error instanceof AmplifyJobError ? error.result : undefined;
}
/** Whether running the plan calls Amplify; the composition root creates the port only then. */
function needsAmplify(plan, neonOnly = false) {
    switch (plan.kind) {
        case 'deploy':
            return !neonOnly;
        case 'cleanup':
            return plan.deleteAmplifyBranch || plan.clearAmplifyVariables;
        case 'reconcile':
        case 'list':
            return true;
        case 'none':
            return false;
    }
}
/** Runs a plan through its flow; each flow lives in its own file under flows/. */
async function execute(plan, options) {
    switch (plan.kind) {
        case 'none':
            options.log.info(`Nothing to do: ${plan.reason}`);
            return { kind: 'none', reason: plan.reason };
        case 'deploy':
            return afterDeploy(plan, await deploy(plan, options), options);
        case 'cleanup':
            return cleanup(plan, options);
        case 'reconcile':
            return reconcile(plan, options);
        case 'list':
            return list(plan, options);
    }
}

// EXTERNAL MODULE: ./src/core/plan.ts
var core_plan = __webpack_require__(4620);
;// CONCATENATED MODULE: ./src/github/comment-marker.ts
/** GitHub refuses a comment body past this many characters (422 "Body is too long"). */
const comment_marker_GITHUB_COMMENT_LIMIT = 65_536;
const MARKER_PREFIX = '<!-- neon-amplify-branch:';
const MARKER_SUFFIX = ' -->';
/**
 * The hidden first line that finds a branch's comment again: `<!-- neon-amplify-branch:{B} -->`.
 * Git allows `<`, `>` and `%` in branch names, and `a-->b` would end the HTML comment early and show
 * the rest of the line; those characters (and anything that is not printable) are percent-encoded,
 * `%` included so that no two branches share a marker. An ordinary name (`feature/login`) stays
 * verbatim.
 */
function commentMarker(gitBranch) {
    const encoded = Array.from(gitBranch)
        .map((char) => (/^[%<>&\s\p{C}]$/u.test(char) ? encodeUtf8(char) : char))
        .join('');
    return `${MARKER_PREFIX}${encoded}${MARKER_SUFFIX}`;
}
/** Whether `body` is the sticky comment of this marker: its first line is the marker, exactly. */
function hasMarker(body, marker) {
    if (body === undefined || body === null)
        return false;
    const end = body.indexOf('\n');
    const firstLine = (end < 0 ? body : body.slice(0, end)).replace(/\r$/, '');
    return firstLine === marker;
}
function encodeUtf8(char) {
    return Array.from(Buffer.from(char, 'utf8'), (byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}

;// CONCATENATED MODULE: ./src/github/markdown.ts
/**
 * Markdown for GitHub from values users control: escaping for text, code spans and table cells,
 * links limited to http(s) without credentials, and the scrubbing that keeps secrets out. Shared by
 * the pull request comment and the job summary.
 */

/** Backslash-escapes every ASCII punctuation character (CommonMark allows it for each one). */
function markdown_text(value) {
    return singleLine(value).replace(/[!-/:-@[-`{-~]/g, (char) => `\\${char}`);
}
/**
 * A code span: the delimiter is one backtick longer than the longest run inside, padded with spaces
 * when the content starts or ends with a backtick, so any branch name shows verbatim.
 */
function code(value) {
    const content = singleLine(value);
    if (content === '')
        return '(empty)';
    const ticks = '`'.repeat(longestRun(content, '`') + 1);
    const pad = /^[` ]|[` ]$/.test(content) ? ' ' : '';
    return `${ticks}${pad}${content}${pad}${ticks}`;
}
/** A code span inside a table cell: GFM splits cells at `|` even inside code, unless it is `\|`. */
function cell(value) {
    return code(value).replaceAll('|', '\\|');
}
/** A link to an http(s) URL, without credentials; other URLs are shown as text, never as links. */
function markdown_link(label, url) {
    const href = url === undefined ? undefined : safeHref(url);
    return href === undefined ? label : `[${label}](${href})`;
}
function urlCell(url) {
    const href = safeHref(url);
    return href === undefined ? cell(url) : `[${markdown_text(href)}](${href})`;
}
function safeHref(raw) {
    let url;
    try {
        url = new URL(raw);
    }
    catch {
        return undefined;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
        return undefined;
    url.username = '';
    url.password = '';
    // URL leaves these as they are; in a Markdown link or a table cell they end the destination or the cell.
    return url.href.replace(/[()|<> `"']/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}
/** A host, even when handed a connection string: only what is between `@` (or `//`) and the port or path. */
function hostOnly(value) {
    if (!value.includes('://') && !value.includes('@'))
        return value;
    try {
        return new URL(value.includes('://') ? value : `postgres://${value}`).hostname || 'hidden';
    }
    catch {
        return 'hidden';
    }
}
function singleLine(value) {
    return value.replace(/[\r\n]+/g, ' ');
}
function longestRun(value, char) {
    let longest = 0;
    let run = 0;
    for (const current of value) {
        run = current === char ? run + 1 : 0;
        longest = Math.max(longest, run);
    }
    return longest;
}
/**
 * Keeps secrets out of every value: the listed ones wherever they appear, the password of any URL
 * (`postgres://user:***@host`), and password options in SQL (`password '***'`, as a USER MAPPING in a
 * schema dump carries them).
 */
function markdown_scrubber(secrets) {
    const sorted = [...(secrets ?? [])].filter(redact/* isMaskable */.h_).sort((a, b) => b.length - a.length);
    return (value) => {
        let result = value;
        for (const secret of sorted)
            result = result.replaceAll(secret, redact/* MASK */.v5);
        return (0,redact/* maskCredentialsIn */.IG)(result);
    };
}
function formatTime(value) {
    const time = Date.parse(value);
    if (Number.isNaN(time))
        return value;
    return `${new Date(time).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
/** Cuts at a code point boundary, so no surrogate pair is split. */
function cutChars(value, max) {
    let result = '';
    for (const char of value) {
        if (result.length + char.length > max)
            break;
        result += char;
    }
    return result;
}

;// CONCATENATED MODULE: ./src/github/comment-body.ts
/**
 * The pull request comment, rendered from typed facts (pure: no I/O, no clock). Every value that
 * comes from a user, a branch name above all, is escaped: git allows `<`, `|`, backticks and `]` in
 * branch names, which would otherwise open HTML, split a table cell or end a code span. Plain
 * Markdown only, no colours or images, so it reads the same in light and dark themes.
 */



/** The comment for a deployed preview. Past `limit`, the schema diff is cut, with a note saying so. */
function renderPreviewComment(input, options = {}) {
    const limit = options.limit ?? comment_marker_GITHUB_COMMENT_LIMIT;
    const scrub = markdown_scrubber(input.secrets);
    const before = [
        commentMarker(input.gitBranch),
        `### Neon database for ${code(scrub(input.gitBranch))}`,
        '',
        renderPreviewTable(input),
        // A blank line ends the table: a line right below it would be read as one more row.
        '',
        '',
    ].join('\n');
    const after = footer(input.sha, input.updatedAt);
    const budget = limit - before.length - after.length;
    const body = `${before}${schemaSection(input, scrub, budget)}${after}`;
    return body.length <= limit ? body : cutToLimit(body, limit);
}
/** The table alone (the job summary shows it too). */
function renderPreviewTable(input) {
    const scrub = markdown_scrubber(input.secrets);
    const { neon, amplify } = input;
    const neonName = cell(scrub(neon.branchName));
    const rows = [
        [
            'Neon branch',
            `${markdown_link(neonName, neonBranchConsoleUrl(neon.projectId, neon.branchId))} · ${neon.created ? 'created by this run' : 'reused'}`,
        ],
        ['Parent', neon.parent === undefined ? 'the project default branch' : cell(scrub(neon.parent))],
        ['Expires', neon.expiresAt === undefined ? 'never' : markdown_text(formatTime(neon.expiresAt))],
        ['Host', neon.host === undefined ? 'unknown' : cell(scrub(hostOnly(neon.host)))],
        ...maskedRow(neon.maskingRules),
        ['Amplify branch', cell(scrub(amplify.branch))],
        ['Build', buildCell(amplify, scrub)],
        ['Preview', amplify.previewUrl === undefined ? 'not known yet' : urlCell(scrub(amplify.previewUrl))],
    ];
    return ['| | |', '| --- | --- |', ...rows.map(([name, value]) => `| **${name}** | ${value} |`)].join('\n');
}
/** Said only for an anonymized preview, so readers know its rows are not production's as they are. */
function maskedRow(rules) {
    if (rules === undefined)
        return [];
    return [['Data', `masked by Neon: ${rules} masking ${rules === 1 ? 'rule' : 'rules'} applied (anonymize)`]];
}
/** The comment after cleanup: the same marker, so it replaces the preview comment in place. */
function renderDeletedComment(input) {
    const name = code(input.neon.branchName);
    const what = input.neon.deleted ? `was deleted` : `was already gone`;
    const why = input.reason === undefined ? '' : `: ${markdown_text(input.reason)}`;
    const lines = [
        commentMarker(input.gitBranch),
        `### Neon database for ${code(input.gitBranch)}: deleted`,
        '',
        `The Neon branch ${name} ${what}${why}. Its connection string no longer works.`,
    ];
    if (input.amplify !== undefined) {
        const amplifyBranch = code(input.amplify.branch);
        lines.push('', input.amplify.deleted
            ? `The Amplify branch ${amplifyBranch} was deleted too.`
            : `The Amplify branch ${amplifyBranch} was kept; its database variables were removed.`);
    }
    const body = `${lines.join('\n')}\n${footer(undefined, input.updatedAt)}`;
    return body.length <= comment_marker_GITHUB_COMMENT_LIMIT ? body : cutToLimit(body, comment_marker_GITHUB_COMMENT_LIMIT);
}
/** The collapsed schema diff alone, within `budget` characters (the job summary shows it too). */
function renderSchemaDiff(input, budget = GITHUB_COMMENT_LIMIT) {
    return schemaSection(input, scrubber(input.secrets), budget);
}
// ------------------------------------------------------------------ sections
function buildCell(amplify, scrub) {
    if (amplify.jobId === undefined)
        return 'no job started by this run';
    const consoleUrl = amplifyDeploymentsConsoleUrl(amplify.region, amplify.appId, amplify.branch);
    const job = markdown_link(`job ${cell(scrub(amplify.jobId))}`, consoleUrl);
    return amplify.jobStatus === undefined ? job : `${job} · ${cell(scrub(amplify.jobStatus))}`;
}
/**
 * The diff section, within `budget` characters. A diff that does not fit keeps its first lines whole
 * and says how many were left out: a cut diff is still a diff, and the full one is in the step's
 * `schema-diff` output.
 */
function schemaSection(input, scrub, budget) {
    if (input.schemaDiff === undefined)
        return '';
    const parent = input.neon.parent === undefined ? 'the parent' : code(scrub(input.neon.parent));
    const diff = scrub(input.schemaDiff).replace(/\r\n?/g, '\n').replace(/\n+$/, '');
    if (diff.trim() === '')
        return `Schema: no difference from ${parent}.\n`;
    const lines = diff.split('\n');
    const fence = '`'.repeat(Math.max(3, longestRun(diff, '`') + 1));
    const block = (shown, note) => [
        '<details>',
        `<summary>Schema diff against the parent (${lines.length} ${lines.length === 1 ? 'line' : 'lines'})</summary>`,
        '',
        `${fence}diff`,
        ...shown,
        fence,
        '',
        ...(note === '' ? [] : [note, '']),
        '</details>',
        '',
    ].join('\n');
    const whole = block(lines, '');
    if (whole.length <= budget)
        return whole;
    const note = (shown) => `Cut to fit GitHub's comment limit: the first ${shown} of ${lines.length} lines are shown; the whole diff is in the step's \`schema-diff\` output.`;
    // The frame with the longest possible note; what is left is for diff lines.
    const room = budget - block([], note(lines.length)).length;
    const shown = [];
    let used = 0;
    for (const line of lines) {
        if (used + line.length + 1 > room) {
            // One line longer than the whole room (minified SQL) is cut itself rather than dropped.
            if (shown.length === 0 && room > 1)
                shown.push(cutChars(line, room - 1));
            break;
        }
        shown.push(line);
        used += line.length + 1;
    }
    if (room <= 0)
        return `${note(0)}\n`;
    return block(shown, note(shown.length));
}
function footer(sha, updatedAt) {
    const parts = [];
    if (sha !== undefined && /^[0-9a-f]{7,40}$/i.test(sha))
        parts.push(`commit ${sha.slice(0, 7)}`);
    if (updatedAt !== undefined)
        parts.push(markdown_text(formatTime(updatedAt)));
    const detail = parts.length === 0 ? '' : ` for ${parts.join(', ')}`;
    return `\n<sub>Updated by neon-amplify-branch${detail}.</sub>\n`;
}
/** The last resort for a body that is too long even without a diff: cut the end, and say so. */
function cutToLimit(body, limit = comment_marker_GITHUB_COMMENT_LIMIT) {
    const note = '\n\n(Cut to fit GitHub’s comment limit.)\n';
    if (body.length <= limit)
        return body;
    return `${cutChars(body, Math.max(0, limit - note.length))}${note}`;
}

;// CONCATENATED MODULE: ./src/github/permissions.ts

/**
 * Runs a GitHub side effect and never lets it fail the run: comments and deployments are reports on
 * the work, and a deploy whose database and build are fine must not turn red because the token
 * cannot write a comment. Every failure becomes one warning that says what to change.
 */
async function bestEffort(effect, log, fn) {
    try {
        return await fn();
    }
    catch (error) {
        log.warning(explainGitHubFailure(error, effect));
        return undefined;
    }
}
/**
 * The warning for a failed side effect. A missing permission (403 "Resource not accessible by …", or
 * GitHub's `x-accepted-github-permissions`) names the permission to add; a 404 says the token may not
 * see the repository, since GitHub hides private repositories from tokens without access. Only the
 * status, GitHub's message and its request id are used: Octokit's error also holds the request, whose
 * body is ours to keep out of logs.
 */
function explainGitHubFailure(error, effect) {
    const { status, response } = (error ?? {});
    const code = typeof response?.status === 'number' ? response.status : undefined;
    const headers = response?.headers ?? {};
    const said = githubMessage(response?.data);
    const requestId = headers['x-github-request-id'];
    const suffix = requestId === undefined ? '' : ` (request id ${requestId})`;
    const skipped = `${effect.what} skipped`;
    if (code === undefined) {
        const reason = (0,errors/* messageOf */.bD)(error);
        const timedOut = /timeout|aborted/i.test(reason) || status === 'ETIMEDOUT';
        return `${skipped}: GitHub did not answer (${timedOut ? 'timed out' : reason}); the deploy itself is not affected`;
    }
    if (code === 401) {
        return `${skipped}: GitHub refused the token (401 ${said ?? 'Bad credentials'}); check the github-token input${suffix}`;
    }
    const accepted = headers['x-accepted-github-permissions'];
    if (code === 403 && (accepted !== undefined || /not accessible by/i.test(said ?? ''))) {
        const alternatives = accepted === undefined ? '' : ` (GitHub accepts ${describeAccepted(accepted)})`;
        return (`${skipped}: the GitHub token lacks the permission \`${effect.permission}\`${alternatives}. ` +
            `Add \`${effect.permission}\` under \`permissions:\` in the workflow, or grant it to the token. ` +
            `GitHub said: 403 ${said ?? 'Forbidden'}${suffix}`);
    }
    if (code === 403 || code === 429) {
        const limited = headers['x-ratelimit-remaining'] === '0' || /rate limit/i.test(said ?? '');
        if (limited)
            return `${skipped}: GitHub's rate limit is used up (${code} ${said ?? ''})${suffix}`;
    }
    if (code === 404) {
        return (`${skipped}: GitHub answered 404 ${said ?? 'Not Found'}. The token may not see this repository, or ` +
            `lacks \`${effect.permission}\` (GitHub hides what a token may not read)${suffix}`);
    }
    return `${skipped}: GitHub answered ${code} ${said ?? ''}${validationDetail(response?.data)}${suffix}`.trimEnd();
}
/** `issues=write; pull_requests=write` → `issues: write or pull-requests: write`, the workflow spelling. */
function describeAccepted(header) {
    return header
        .split(';')
        .map((set) => set
        .split(',')
        .map((entry) => {
        const [name = '', access = ''] = entry.trim().split('=');
        return `${name.replaceAll('_', '-')}: ${access}`;
    })
        .join(' and '))
        .join(' or ');
}
function githubMessage(data) {
    if (typeof data === 'object' &&
        data !== null &&
        typeof data.message === 'string') {
        return data.message;
    }
    return typeof data === 'string' && data !== '' ? data.slice(0, 200) : undefined;
}
/** GitHub's 422 `errors` (`Body is too long …`), which say more than "Validation Failed". */
function validationDetail(data) {
    const errors = data?.errors;
    if (!Array.isArray(errors) || errors.length === 0)
        return '';
    const parts = errors.map((entry) => typeof entry === 'string'
        ? entry
        : typeof entry.message === 'string'
            ? entry.message
            : `${String(entry.field)} ${String(entry.code)}`);
    return `: ${parts.join('; ')}`;
}

;// CONCATENATED MODULE: ./src/github/deployments.ts


/** GitHub's limit on an environment name, in characters. */
const ENVIRONMENT_NAME_LIMIT = 255;
/** "The maximum description length is 140 characters" (a deployment status). */
const STATUS_DESCRIPTION_LIMIT = 140;
/** Deployment statuses handled at once during cleanup: a handful, to stay clear of secondary rate limits. */
const CLEANUP_CONCURRENCY = 4;
/** `preview/{B}`; a name past GitHub's 255 characters is cut and ends in a stable hash. */
function previewEnvironment(gitBranch) {
    return (0,naming/* boundedName */.lC)(`preview/${gitBranch}`, ENVIRONMENT_NAME_LIMIT);
}
/**
 * A deployment of `sha` to `preview/{B}`. `ref` is the sha, not the branch, so the deployment records
 * exactly what was built; `auto_merge: false` because GitHub would otherwise merge the default branch
 * into an outdated ref; `required_contexts: []` because GitHub would otherwise refuse (409) while
 * the commit's own checks are still running, which on a push they always are; `transient_environment`
 * because the preview goes away with its branch. Never throws: undefined, with a warning, on failure.
 */
async function createPreviewDeployment(input) {
    const environment = previewEnvironment(input.gitBranch);
    const effect = {
        what: `Creating the GitHub deployment for ${environment}`,
        permission: 'deployments: write',
    };
    return bestEffort(effect, input.log, async () => {
        const response = await input.client.rest.repos.createDeployment({
            ...input.repository,
            ref: input.sha,
            environment,
            transient_environment: true,
            production_environment: false,
            auto_merge: false,
            required_contexts: [],
            description: cut(input.description ?? `Neon database and Amplify build for ${input.gitBranch}`, STATUS_DESCRIPTION_LIMIT),
            payload: input.payload ?? {},
        });
        if (!('id' in response.data) || typeof response.data.id !== 'number') {
            // 202: GitHub merged instead of deploying, which auto_merge: false rules out; say so if it happens.
            throw new Error(`GitHub answered ${response.status} without a deployment: ${JSON.stringify(response.data)}`);
        }
        input.log.info(`GitHub deployment ${response.data.id} created for ${environment}`);
        return { id: response.data.id, environment };
    });
}
/** Adds a status to a deployment. Never throws: false, with a warning, on failure. */
async function setDeploymentStatus(input) {
    const effect = {
        what: `Setting GitHub deployment ${input.deploymentId} to ${input.state}`,
        permission: 'deployments: write',
    };
    const done = await bestEffort(effect, input.log, async () => {
        await input.client.rest.repos.createDeploymentStatus({
            ...input.repository,
            deployment_id: input.deploymentId,
            state: input.state,
            ...(input.logUrl === undefined ? {} : { log_url: input.logUrl }),
            ...(input.environmentUrl === undefined ? {} : { environment_url: input.environmentUrl }),
            ...(input.description === undefined
                ? {}
                : { description: cut(input.description, STATUS_DESCRIPTION_LIMIT) }),
        });
        return true;
    });
    return done === true;
}
/**
 * On cleanup, every deployment of `preview/{B}` (all pages) gets an `inactive` status, which GitHub
 * shows as destroyed for a transient environment. GitHub's own `auto_inactive` never does this: it
 * only touches earlier non-transient deployments. Deployments already inactive are left alone, so a
 * repeated cleanup writes nothing. Never throws: the number marked inactive, or undefined on failure.
 */
async function deactivatePreviewDeployments(input) {
    const environment = previewEnvironment(input.gitBranch);
    const effect = {
        what: `Marking the deployments of ${environment} inactive`,
        permission: 'deployments: write',
    };
    return bestEffort(effect, input.log, async () => {
        const deployments = await input.client.paginate(input.client.rest.repos.listDeployments, {
            ...input.repository,
            environment,
            per_page: 100,
        });
        let marked = 0;
        const queue = deployments.filter((deployment) => deployment.environment === environment);
        const worker = async () => {
            for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
                if ((await latestState(input, next.id)) === 'inactive')
                    continue;
                await input.client.rest.repos.createDeploymentStatus({
                    ...input.repository,
                    deployment_id: next.id,
                    state: 'inactive',
                    description: 'The preview database was deleted',
                });
                marked += 1;
            }
        };
        await Promise.all(Array.from({ length: CLEANUP_CONCURRENCY }, worker));
        input.log.info(`${marked} GitHub deployment${marked === 1 ? '' : 's'} of ${environment} marked inactive (${deployments.length} found)`);
        return marked;
    });
}
/** The state of the newest status, by id rather than by the order GitHub lists them in. */
async function latestState(input, deploymentId) {
    const statuses = await input.client.paginate(input.client.rest.repos.listDeploymentStatuses, {
        ...input.repository,
        deployment_id: deploymentId,
        per_page: 100,
    });
    let newest;
    for (const status of statuses)
        if (newest === undefined || status.id > newest.id)
            newest = status;
    return newest?.state;
}
/** At most `max` characters, cut at a code point boundary. */
function cut(value, max) {
    const chars = Array.from(value);
    return chars.length <= max ? value : `${chars.slice(0, max - 1).join('')}…`;
}

;// CONCATENATED MODULE: ./src/github/preview-facts.ts
/** A deploy's result as the comment and the job summary show it; never a password or URL. */
function previewFacts(result, settings, context = {}) {
    return {
        gitBranch: result.gitBranch,
        sha: context.sha,
        neon: {
            projectId: settings.neonProjectId,
            branchId: result.neonBranch.id,
            branchName: result.neonBranch.name,
            parent: result.parent?.name ?? result.neonBranch.parentId,
            created: result.created,
            expiresAt: result.expiresAt,
            host: result.connection?.host,
            maskingRules: result.anonymized?.rules,
        },
        amplify: {
            appId: settings.amplifyAppId ?? '',
            region: settings.awsRegion ?? '',
            branch: result.gitBranch,
            jobId: result.job?.id,
            jobStatus: result.job?.status,
            previewUrl: result.previewUrl,
        },
        schemaDiff: result.schemaDiff,
        secrets: secretsOf(result, settings),
        updatedAt: context.updatedAt,
    };
}
/** The comment after a cleanup: the Neon branch deleted (or already gone), the Amplify branch's fate. */
function deletedFacts(plan, result, settings, context = {}) {
    const touchedAmplify = plan.deleteAmplifyBranch || plan.clearAmplifyVariables;
    return {
        gitBranch: result.gitBranch,
        neon: {
            projectId: settings.neonProjectId,
            branchName: result.neonBranch?.name ?? plan.neonBranchName,
            deleted: result.deleted,
        },
        amplify: touchedAmplify ? { branch: result.gitBranch, deleted: plan.deleteAmplifyBranch } : undefined,
        reason: context.reason,
        updatedAt: context.updatedAt,
    };
}
/** What the renderer must never show, whatever else it is handed. */
function secretsOf(result, settings) {
    const secrets = [settings.neonApiKey];
    if (settings.githubToken !== undefined)
        secrets.push(settings.githubToken);
    for (const url of [result.connection?.url, result.directConnection?.url]) {
        if (url === undefined)
            continue;
        secrets.push(url);
        try {
            const password = new URL(url).password;
            if (password !== '')
                secrets.push(password, decodeURIComponent(password));
        }
        catch {
            // Not a URL: it is listed whole above.
        }
    }
    return secrets;
}

;// CONCATENATED MODULE: ./src/github/pull-requests.ts
/**
 * The pull requests whose head is `branch` in this same repository (`open` by default; `all` for a
 * cleanup, whose pull request may be closed already), newest first.
 *
 * GitHub's `head` filter takes `owner:branch`; without the owner it is silently ignored and every pull
 * request comes back. The answer is checked again here (head ref and head repository), so that a
 * filter GitHub ever ignores, or a fork owned by an account of the same name, never gets a comment
 * meant for our branch.
 */
async function findBranchPullRequests(client, repository, branch, state = 'open') {
    const fullName = `${repository.owner}/${repository.repo}`.toLowerCase();
    const pulls = await client.paginate(client.rest.pulls.list, {
        ...repository,
        head: `${repository.owner}:${branch}`,
        state,
        per_page: 100,
    });
    return pulls
        .filter((pull) => pull.head.ref === branch && pull.head.repo?.full_name.toLowerCase() === fullName)
        .map((pull) => ({
        number: pull.number,
        url: pull.html_url,
        state: pull.state === 'closed' ? 'closed' : 'open',
        headSha: pull.head.sha,
    }));
}

;// CONCATENATED MODULE: ./src/github/identity.ts
/**
 * Who the token acts as: the author of the comments it writes. `github-actions[bot]` for a
 * workflow's GITHUB_TOKEN, `<app>[bot]` for another GitHub App's installation token, the user for a
 * personal access token. REST `GET /user` refuses installation tokens ("Resource not accessible by
 * integration"), GraphQL's `viewer` answers every kind (docs/github.md, "The comment").
 *
 * Learnt once per client (a run has one): from the comment the token itself created when it created
 * one, else by asking, which a run does only when a comment with the marker already exists.
 */
const known = new WeakMap();
function tokenLogin(client) {
    let login = known.get(client);
    if (login === undefined) {
        login = client
            .graphql('query { viewer { login } }')
            .then(({ viewer }) => viewer.login);
        // A failed look is not remembered: the next pull request asks again.
        login.catch(() => known.delete(client));
        known.set(client, login);
    }
    return login;
}
/** The author of a comment the token just created: its identity, without asking. */
function learnTokenLogin(client, login) {
    if (login !== undefined && login !== '' && !known.has(client))
        known.set(client, Promise.resolve(login));
}

;// CONCATENATED MODULE: ./src/github/sticky-comment.ts



/**
 * One comment per pull request and git branch, whatever the number of runs: the token's own comment
 * whose first line is the branch's marker is edited in place, or created when there is none.
 *
 * Two runs for the same branch can overlap (a push while the previous run still comments). Each looks
 * again right before creating, which closes most of the window; when both create anyway, each lists
 * again afterwards and the same rule settles it: the oldest comment stays and carries the body, every
 * other one is deleted. The run that created later always sees both (its own exists only after the
 * other's), so one of the two always cleans up, and both keep the same comment.
 */
async function upsertStickyComment(input) {
    const marker = commentMarker(input.gitBranch);
    const body = withMarker(input.body, marker, input.log);
    // A comment deleted between our read and our edit (another run's cleanup) sends us round once more.
    for (let attempt = 1;; attempt += 1) {
        try {
            return await upsertOnce(input, marker, body);
        }
        catch (error) {
            if (attempt >= 2 || !isNotFound(error))
                throw error;
            input.log.debug(`The comment on pull request #${input.issueNumber} went away while it was edited; looking again`);
        }
    }
}
async function upsertOnce(input, marker, body) {
    let marked = await listMarked(input, marker);
    if (marked.length === 0 && input.mode === 'edit-only')
        return { action: 'absent', removed: 0 };
    if (marked.length === 0) {
        // Rendering and the first look take time; a run that started just before us may have created it.
        marked = await listMarked(input, marker);
    }
    if (marked.length > 0) {
        const own = await ownComments(input, marked, await tokenLogin(input.client));
        if (own.length > 0)
            return sticky_comment_settle(input, own, body, undefined);
        if (input.mode === 'edit-only')
            return { action: 'absent', removed: 0 };
    }
    const { data } = await input.client.rest.issues.createComment({
        ...input.repository,
        issue_number: input.issueNumber,
        body,
    });
    // Its author is the token's identity: learnt without asking.
    learnTokenLogin(input.client, data.user?.login);
    const login = await tokenLogin(input.client);
    const created = {
        id: data.id,
        body,
        createdAt: data.created_at,
        url: data.html_url,
        author: login,
    };
    const after = await ownComments(input, await listMarked(input, marker), login, false);
    if (!after.some((comment) => comment.id === created.id))
        after.push(created);
    return sticky_comment_settle(input, after, body, created.id);
}
/**
 * The marked comments the token itself wrote. Anyone can start a comment with the marker: another
 * author's is never adopted, edited or deleted as a duplicate (docs/github.md, "The comment").
 */
async function ownComments(input, marked, login, say = true) {
    const own = marked.filter((comment) => comment.author === login);
    const others = marked.length - own.length;
    if (say && others > 0) {
        input.log.info(`Pull request #${input.issueNumber}: left alone ${others} comment${others === 1 ? '' : 's'} with the marker written by someone other than ${login}`);
    }
    return own;
}
/** Keeps the oldest marked comment with `body` in it and deletes the others. */
async function sticky_comment_settle(input, marked, body, createdId) {
    const [keep, ...others] = [...marked].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.id - b.id);
    if (keep === undefined)
        throw new Error('settle needs at least one comment');
    let action;
    if (keep.id === createdId)
        action = 'created';
    else if (keep.body === body)
        action = 'unchanged';
    else {
        await input.client.rest.issues.updateComment({ ...input.repository, comment_id: keep.id, body });
        // Also when this run created one but a concurrent run's older comment is the one kept.
        action = 'updated';
    }
    let removed = 0;
    for (const duplicate of others) {
        try {
            await input.client.rest.issues.deleteComment({ ...input.repository, comment_id: duplicate.id });
            removed += 1;
        }
        catch (error) {
            // The other run deleted it first: the outcome we wanted.
            if (!isNotFound(error))
                throw error;
        }
    }
    if (removed > 0) {
        input.log.info(`Removed ${removed} duplicate comment${removed === 1 ? '' : 's'} on pull request #${input.issueNumber} left by a concurrent run`);
    }
    return { action, commentId: keep.id, url: keep.url, removed };
}
/** Every comment of the pull request whose first line is the marker, across all pages. */
async function listMarked(input, marker) {
    const found = [];
    const pages = input.client.paginate.iterator(input.client.rest.issues.listComments, {
        ...input.repository,
        issue_number: input.issueNumber,
        per_page: 100,
    });
    for await (const page of pages) {
        for (const comment of page.data) {
            if (hasMarker(comment.body, marker)) {
                found.push({
                    id: comment.id,
                    body: comment.body ?? '',
                    createdAt: comment.created_at,
                    url: comment.html_url,
                    author: comment.user?.login ?? '',
                });
            }
        }
    }
    return found;
}
function withMarker(body, marker, log) {
    const marked = hasMarker(body, marker) ? body : `${marker}\n${body}`;
    if (marked.length <= comment_marker_GITHUB_COMMENT_LIMIT)
        return marked;
    log.warning(`The pull request comment has ${marked.length} characters, past GitHub's ${comment_marker_GITHUB_COMMENT_LIMIT}; its end was cut`);
    return cutToLimit(marked, comment_marker_GITHUB_COMMENT_LIMIT);
}
function isNotFound(error) {
    return error?.status === 404;
}

;// CONCATENATED MODULE: ./src/github/pull-request-comment.ts



/**
 * The sticky comment on every pull request of the branch. Never throws: a comment is a report, so a
 * missing permission, a locked conversation or GitHub being down is a warning (naming the permission
 * when that is the cause) and the deploy carries on. Returns the comments written or found.
 */
async function commentOnPullRequests(input) {
    const mode = input.mode ?? 'upsert';
    let numbers = input.pullNumbers;
    if (numbers === undefined) {
        const pulls = await bestEffort(
        // Named for the write the whole step needs, which includes this read.
        { what: `Looking up the pull requests of '${input.gitBranch}'`, permission: 'pull-requests: write' }, input.log, () => findBranchPullRequests(input.client, input.repository, input.gitBranch, mode === 'upsert' ? 'open' : 'all'));
        if (pulls === undefined)
            return [];
        numbers = pulls.map((pull) => pull.number);
    }
    if (numbers.length === 0) {
        input.log.info(mode === 'upsert'
            ? `No open pull request has '${input.gitBranch}' as its head: no comment`
            : `No pull request of '${input.gitBranch}' to update`);
        return [];
    }
    const results = [];
    for (const pullNumber of numbers) {
        const result = await bestEffort({ what: `Commenting on pull request #${pullNumber}`, permission: 'pull-requests: write' }, input.log, () => upsertStickyComment({
            client: input.client,
            repository: input.repository,
            issueNumber: pullNumber,
            gitBranch: input.gitBranch,
            body: input.body,
            log: input.log,
            mode,
        }));
        if (result === undefined)
            continue;
        if (result.action !== 'absent')
            input.log.info(`Pull request #${pullNumber}: comment ${result.action} (${result.url})`);
        results.push({ pullNumber, ...result });
    }
    return results;
}

;// CONCATENATED MODULE: ./src/github/publish.ts









/**
 * The publisher for a run, or undefined when the run writes nothing to GitHub: both
 * `comment-on-pr` and `create-deployment` off (then not a single request is sent), a dry run, a
 * primary branch (no preview to report), or a plan that is neither deploy nor cleanup.
 */
function createPublisher(options) {
    const { plan, settings, log } = options;
    if (!settings.commentOnPr && !settings.createDeployment)
        return undefined;
    if (!(0,core_plan/* isWorkPlan */.ph)(plan))
        return undefined;
    if (settings.dryRun) {
        log.info('Dry run: no pull request comment and no deployment are written');
        return undefined;
    }
    if (plan.kind === 'deploy' && plan.primary) {
        log.info(`'${plan.gitBranch}' is a primary branch: no preview comment or deployment`);
        return undefined;
    }
    return new GitHubPublisher(options, plan);
}
class GitHubPublisher {
    options;
    plan;
    deployment;
    commentUrl;
    pulls;
    octokit;
    constructor(options, plan) {
        this.options = options;
        this.plan = plan;
    }
    /**
     * Octokit (and undici under it) is loaded on the first GitHub request, which comes after the
     * Amplify job has started: loading it cost about 20 ms before the deploy's first request.
     */
    client() {
        const { client, target, log } = this.options;
        this.octokit ??=
            client !== undefined
                ? Promise.resolve(client)
                : Promise.all(/* import() */[__webpack_require__.e(413), __webpack_require__.e(203)]).then(__webpack_require__.bind(__webpack_require__, 6584)).then(({ createGitHubClient }) => createGitHubClient({ token: target.token, baseUrl: target.apiUrl, log }));
        return this.octokit;
    }
    jobStarted = async (progress) => {
        if (progress.production !== undefined)
            return;
        await Promise.all([this.startDeployment(progress), this.comment(progress)]);
    };
    async finished(result, error) {
        // A deploy that used production read-only, or a cleanup that kept it, had no preview to report.
        if (result?.kind === 'deploy' && result.production !== undefined)
            return {};
        if (result?.kind === 'cleanup' && result.kept !== undefined)
            return {};
        if (result?.kind === 'cleanup' && error === undefined)
            await this.cleanedUp(result);
        if (result?.kind === 'deploy') {
            await Promise.all([this.endDeployment(result, error), this.comment(result)]);
        }
        else if (this.deployment !== undefined) {
            await this.status('error', { description: 'The deploy failed after the Amplify job started' });
        }
        return { commentUrl: this.commentUrl, deploymentId: this.deployment?.id };
    }
    /** A deployment of the pushed commit, `in_progress` with the build's page in the Amplify console. */
    async startDeployment(progress) {
        const { settings, target, log } = this.options;
        if (!settings.createDeployment || progress.job === undefined)
            return;
        if (target.sha === undefined) {
            log.info('No commit sha is known for this run: no GitHub deployment');
            return;
        }
        this.deployment = await createPreviewDeployment({
            client: await this.client(),
            repository: target.repository,
            gitBranch: progress.gitBranch,
            sha: target.sha,
            log,
            payload: { neonBranchId: progress.neonBranch.id, amplifyJobId: progress.job.id },
        });
        await this.status('in_progress', { description: `Amplify job ${progress.job.id} is building` });
    }
    /** `success` with the preview URL; `failure` for a failed build; `error` for a timeout or other failure. */
    async endDeployment(result, error) {
        if (this.deployment === undefined)
            return;
        const job = result.job === undefined ? 'the Amplify job' : `Amplify job ${result.job.id}`;
        if (error === undefined) {
            const ended = this.options.settings.waitForJob ? 'succeeded' : 'started; the database is ready';
            await this.status('success', { environmentUrl: result.previewUrl, description: `${job} ${ended}` });
        }
        else if (error instanceof AmplifyJobError && !error.timedOut) {
            await this.status('failure', { description: `${job} ended ${result.job?.status ?? 'unsuccessfully'}` });
        }
        else {
            const what = error instanceof AmplifyJobError ? `${job} did not end in time` : 'The deploy failed';
            await this.status('error', { description: what });
        }
    }
    async status(state, extra) {
        const { target, settings, log } = this.options;
        if (this.deployment === undefined)
            return;
        await setDeploymentStatus({
            client: await this.client(),
            repository: target.repository,
            deploymentId: this.deployment.id,
            state,
            logUrl: amplifyDeploymentsConsoleUrl(settings.awsRegion ?? '', settings.amplifyAppId ?? '', this.plan.gitBranch),
            ...extra,
            log,
        });
    }
    /** The sticky comment on each open pull request of the branch, with the deploy as it stands. */
    async comment(result) {
        const { target, settings, log } = this.options;
        if (!settings.commentOnPr)
            return;
        const pullNumbers = await this.pullRequests('open');
        if (pullNumbers.length === 0)
            return;
        const facts = previewFacts(result, settings, { sha: target.sha, updatedAt: this.now() });
        const comments = await commentOnPullRequests({
            client: await this.client(),
            repository: target.repository,
            gitBranch: result.gitBranch,
            body: renderPreviewComment(facts),
            log,
            pullNumbers,
        });
        this.commentUrl = comments.find((comment) => comment.url !== undefined)?.url ?? this.commentUrl;
    }
    /** Cleanup: the comment says the branch was deleted; the environment's deployments go inactive. */
    async cleanedUp(result) {
        const { target, settings, log } = this.options;
        if (this.plan.kind !== 'cleanup')
            return;
        const plan = this.plan;
        const comment = async () => {
            if (!settings.commentOnPr)
                return;
            const pullNumbers = await this.pullRequests('all');
            if (pullNumbers.length === 0)
                return;
            const reason = target.pullNumbers === undefined ? undefined : 'the pull request was closed';
            const body = renderDeletedComment(deletedFacts(plan, result, settings, { reason, updatedAt: this.now() }));
            const comments = await commentOnPullRequests({
                ...{ repository: target.repository, gitBranch: result.gitBranch, body, log, pullNumbers },
                client: await this.client(),
                mode: 'edit-only',
            });
            this.commentUrl = comments.find((found) => found.url !== undefined)?.url;
        };
        const deactivate = async () => {
            if (!settings.createDeployment)
                return;
            await deactivatePreviewDeployments({
                client: await this.client(),
                repository: target.repository,
                gitBranch: result.gitBranch,
                log,
            });
        };
        await Promise.all([comment(), deactivate()]);
    }
    /**
     * The pull requests to comment on: those the event names, else the branch's own in this
     * repository (open ones for a deploy; any for a cleanup, whose pull request may be closed), looked
     * up once per run. None is not an error: a push without a pull request gets no comment.
     */
    pullRequests(state) {
        const { target, log } = this.options;
        const branch = this.plan.gitBranch;
        this.pulls ??= (async () => {
            if (target.pullNumbers !== undefined)
                return target.pullNumbers;
            const found = await bestEffort({ what: `Looking up the pull requests of '${branch}'`, permission: 'pull-requests: write' }, log, async () => findBranchPullRequests(await this.client(), target.repository, branch, state));
            if (found?.length === 0) {
                log.info(`No ${state === 'open' ? 'open ' : ''}pull request has '${branch}' as its head: no comment`);
            }
            return found?.map((pull) => pull.number) ?? [];
        })();
        return this.pulls;
    }
    now() {
        return (this.options.now?.() ?? new Date()).toISOString();
    }
}

;// CONCATENATED MODULE: ./src/amplify/lazy.ts
/**
 * The Amplify port with the AWS SDK loaded on its first call, not before. A deploy sends its first
 * Neon requests, then asks Amplify: the SDK (about a megabyte of code) is read and run while those
 * Neon requests are on the wire instead of before they leave. Bundled, `./port.js` and the SDK are a
 * chunk of their own.
 */
function lazyAmplifyPort(options) {
    let loaded;
    const port = () => {
        loaded ??= afterPendingIo().then(async () => (await Promise.all(/* import() */[__webpack_require__.e(861), __webpack_require__.e(747), __webpack_require__.e(208)]).then(__webpack_require__.bind(__webpack_require__, 7208))).createAmplifyPort(options));
        return loaded;
    };
    return {
        getApp: async () => (await port()).getApp(),
        getBranch: async (name) => (await port()).getBranch(name),
        createBranch: async (input) => (await port()).createBranch(input),
        setEnvironmentVariables: async (name, variables) => (await port()).setEnvironmentVariables(name, variables),
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
function afterPendingIo() {
    return new Promise((resolve) => setImmediate(resolve));
}

;// CONCATENATED MODULE: ./src/core/deadline.ts


/**
 * The run's budget (`timeout-minutes`): every request, retry and wait for a Neon operation fits in
 * it, so a hanging service fails the run in minutes with the call that hung named, instead of each
 * layer's own limits adding up. Waits for Amplify jobs are not counted: `job-timeout-minutes`
 * bounds those.
 */
class Deadline {
    budgetMs;
    now;
    end;
    /** When the current `excluding` began; the clock of the budget stands still meanwhile. */
    pausedAt;
    constructor(budgetMs, now = Date.now) {
        this.budgetMs = budgetMs;
        this.now = now;
        this.end = now() + budgetMs;
    }
    remainingMs() {
        return Math.max(0, this.end - (this.pausedAt ?? this.now()));
    }
    /**
     * Runs `fn` outside the budget: the time it takes is given back afterwards, so a wait that has a
     * limit of its own (an Amplify build, `job-timeout-minutes`) does not use up the run's budget.
     * Calls made meanwhile see the budget as it stood when the wait began.
     */
    async excluding(fn) {
        if (this.pausedAt !== undefined)
            return fn();
        const pausedAt = this.now();
        this.pausedAt = pausedAt;
        try {
            return await fn();
        }
        finally {
            this.end += this.now() - pausedAt;
            this.pausedAt = undefined;
        }
    }
    /** A limit of the caller's own (a request timeout, a wait) cut to what is left of the budget. */
    cap(ms) {
        return Math.min(ms, this.remainingMs());
    }
    /** The one test of a budget that has run out, for every caller. */
    usedUp() {
        return this.remainingMs() <= 0;
    }
    /**
     * Throws when the budget is used up, naming the step that was about to start, or that just
     * failed (`detail`: how its last attempt ended).
     */
    check(step, detail) {
        if (this.usedUp())
            throw this.exceeded(step, detail);
    }
    /** The error for a step the budget ran out in; `detail` says how the last attempt ended. */
    exceeded(step, detail) {
        return new errors/* TimeoutError */.MU(`${step} did not finish within the run's budget of ${(0,duration/* formatDuration */.a)(this.budgetMs)} (timeout-minutes)${detail === undefined ? '' : `; the last attempt: ${detail}`}`);
    }
    /** An AbortSignal that fires when the budget runs out, for clients that take one. */
    signal() {
        return AbortSignal.timeout(Math.max(1, this.remainingMs()));
    }
}

;// CONCATENATED MODULE: ./src/neon/anonymized.ts



/** The states that end a wait with an error: masking did not happen, so the data may be real. */
const FAILED = new Set(['error', 'initialization_error']);
async function maskingRules(target) {
    const { neon, projectId, branchId } = target;
    try {
        const { data } = await neon.call(`Reading the masking rules of Neon branch '${branchId}'`, (api) => api.getMaskingRules(projectId, branchId));
        return data.masking_rules;
    }
    catch (error) {
        // Neon does not publish how it refuses a branch that is not anonymized; both refusals mean that.
        if (error instanceof errors/* ApiError */.hD && (error.status === 404 || error.status === 400))
            return undefined;
        throw error;
    }
}
async function replaceMaskingRules(target, rules) {
    const { neon, projectId, branchId } = target;
    await neon.call(`Replacing the masking rules of Neon branch '${branchId}'`, (api) => api.updateMaskingRules(projectId, branchId, { masking_rules: rules }));
}
async function startAnonymization(target) {
    const { neon, projectId, branchId } = target;
    await neon.call(`Starting the anonymization of Neon branch '${branchId}'`, (api) => api.startAnonymization(projectId, branchId));
}
/**
 * The port's polling settings for the wait. Masking a large database takes longer than an
 * operation, so the limit is the run's budget (`capped`) rather than the operations' 10 minutes.
 */
function waitOptions(options, sleep, capped) {
    return {
        timeoutMs: capped(60 * 60_000),
        // Masking runs after the branch's own operations (about a second) and then over the data: a
        // read sooner than that only says `initialized` or `anonymizing`.
        initialDelayMs: options.operationPollInitialMs ?? 1_000,
        maxDelayMs: options.operationPollMaxMs ?? 5_000,
        sleep,
        now: options.now ?? Date.now,
        log: options.log,
    };
}
/** Polls `anonymized_status` until `anonymized`; `error` and `initialization_error` throw at once. */
async function waitForAnonymized(target, options) {
    const { neon, projectId, branchId } = target;
    const step = `Anonymizing Neon branch '${branchId}'`;
    let last;
    try {
        return await pollUntil({
            label: step,
            timeoutMs: options.timeoutMs,
            initialDelayMs: options.initialDelayMs,
            maxDelayMs: options.maxDelayMs,
            // Every caller has just created the branch or started the masking: it is not done yet.
            waitFirst: true,
            sleep: options.sleep,
            now: options.now,
            check: async () => {
                const { data } = await neon.call(`Reading the anonymized status of Neon branch '${branchId}'`, (api) => api.getAnonymizedBranchStatus(projectId, branchId));
                last = data;
                options.log.debug(`Neon branch ${branchId}: ${data.state}${messageOf(data)}`);
                if (FAILED.has(data.state)) {
                    throw new errors/* MaskingError */.HU(step, `Neon's masking ended in '${data.state}'${messageOf(data)}`, {
                        service: 'Neon',
                    });
                }
                return data.state === 'anonymized' ? statusOf(data) : undefined;
            },
        });
    }
    catch (error) {
        if (!(error instanceof errors/* TimeoutError */.MU))
            throw error;
        throw new errors/* TimeoutError */.MU(`${step} did not finish within ${(0,duration/* formatDuration */.a)(options.timeoutMs)}; its last state was '${last?.state ?? 'unknown'}'${last === undefined ? '' : messageOf(last)}`);
    }
}
function statusOf(data) {
    return {
        state: data.state,
        message: data.status_message,
        maskedColumns: data.last_run?.masked_columns,
    };
}
function messageOf(data) {
    return data.status_message ? `: ${data.status_message}` : '';
}

;// CONCATENATED MODULE: ./src/neon/branch.ts
/** A Neon branch as the core sees it. */
function toNeonBranch(branch) {
    return {
        id: branch.id,
        name: branch.name,
        default: branch.default === true,
        protected: branch.protected === true,
        parentId: branch.parent_id,
        createdAt: branch.created_at,
        expiresAt: branch.expires_at,
        ready: branch.current_state === 'ready' && branch.pending_state === undefined,
    };
}

// EXTERNAL MODULE: ./node_modules/@neondatabase/api-client/dist/index.js
var dist = __webpack_require__(3643);
;// CONCATENATED MODULE: ./src/neon/create-branch.ts


/**
 * The create: an anonymized branch when there are masking rules (`branch_anonymized`, its masking
 * started at once, so nothing can use it unmasked for long), else a plain one. Both answer the same.
 */
function createRequest(api, projectId, input) {
    if (input.maskingRules === undefined)
        return api.createProjectBranch(projectId, createBranchRequest(input));
    return api.createProjectBranchAnonymized(projectId, {
        branch_create: createBranchRequest(input),
        masking_rules: input.maskingRules,
        start_anonymization: true,
    });
}
/** The branch create request: one read-write endpoint, and only the settings that were given. */
function createBranchRequest(input) {
    const { name, parentId, suspendTimeoutSeconds, expiresAt, schemaOnly } = input;
    return {
        branch: {
            name,
            ...(parentId === undefined ? {} : { parent_id: parentId }),
            ...(expiresAt === undefined ? {} : { expires_at: expiresAt }),
            ...(schemaOnly ? { init_source: 'schema-only' } : {}),
        },
        endpoints: [
            {
                type: dist.EndpointType.ReadWrite,
                ...(suspendTimeoutSeconds === undefined ? {} : { suspend_timeout_seconds: suspendTimeoutSeconds }),
            },
        ],
    };
}
/**
 * Neon's refusals of a branch create that only this tool's settings explain, turned into errors
 * that say which setting to change; any other error is returned as it is.
 */
function explainCreateRefusal(step, error, request) {
    if (!(error instanceof errors/* ApiError */.hD) || error.service !== 'Neon' || error.status === undefined)
        return error;
    const hint = rootBranchHint(error) ?? suspendTimeoutHint(error, request);
    if (hint === undefined)
        return error;
    const prefix = `${step} failed: `;
    const detail = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
    return new errors/* ApiError */.hD(step, `${detail}. ${hint}`, {
        service: error.service,
        status: error.status,
        code: error.code,
        requestId: error.requestId,
        cause: error.cause,
    });
}
/**
 * A schema-only branch is a root branch, and a project holds a few of them, the default branch
 * counted (Neon's schema-only branching guide, "Schema-only branch allowances"; README, "Branch
 * lifecycle"). Users report the refusal as 422 "root branches limit exceeded"; its code is not
 * published, so the wording is matched as well as a code that names root branches.
 */
function rootBranchHint(error) {
    if (error.status !== 422)
        return undefined;
    if (!/root[ _-]?branch/i.test(`${error.code ?? ''} ${error.message}`))
        return undefined;
    return ("The project's root-branch limit is full: with branch-type: schema-only every preview is a root branch " +
        '(it has no parent), and a Neon project holds 3 on Free, 5 on Launch, 10 on Scale, 25 on Business, its ' +
        'default branch included. Delete stale schema-only previews (for example with command: reconcile), or use ' +
        'branch-type: parent-data, whose previews are child branches and do not count');
}
/**
 * Neon's Free plan is reported to refuse a compute's `suspend_timeout_seconds` (a third-party
 * report; Neon's issue neondatabase/neon#4915 says a Free project ignored it in 2023). A refused
 * create that carried it names the setting to drop; the refusal's wording is not published, so a
 * message about suspending says so outright and any other refusal of the request says "if".
 */
function suspendTimeoutHint(error, request) {
    const seconds = request.suspendTimeoutSeconds;
    if (seconds === undefined)
        return undefined;
    // 401 (key), 404 (project, parent), 409 (name), 423/429/5xx (retried) are about something else.
    if (![400, 402, 403, 422].includes(error.status ?? 0))
        return undefined;
    if (/LIMIT_EXCEEDED/.test(error.code ?? ''))
        return undefined;
    const setting = `suspend-timeout (${seconds}, sent as the compute's suspend_timeout_seconds)`;
    if (/suspend|scale[ -]to[ -]zero/i.test(error.message)) {
        return `Neon refused ${setting}: Neon's Free plan does not allow changing it. Remove the suspend-timeout setting (or upgrade the plan) and run again`;
    }
    return `This create carried ${setting}, which Neon's Free plan is reported to refuse: if the project is on the Free plan, remove the suspend-timeout setting and run again`;
}

;// CONCATENATED MODULE: ./src/neon/operations.ts


const SUCCEEDED = new Set(['finished', 'skipped']);
/**
 * Ends the wait at once. `cancelling` is not final yet, but it only ever ends in `cancelled`: waiting
 * longer cannot help. `error` is in the API's enum only; no page says Neon retries it.
 */
const operations_FAILED = new Set(['error', 'cancelled', 'cancelling']);
/**
 * `failed` is not terminal: Neon may retry the operation to `running` and `finished` (its operations
 * reference, https://neon.com/docs/reference/api/operations). A wait keeps polling it until its
 * deadline; test/contract/neon.test.ts holds the product to both endings.
 */
const RETRIED_BY_NEON = 'failed';
const FINAL = new Set(['finished', 'skipped', 'failed', 'error', 'cancelled']);
/**
 * Not yet in a final state: `scheduling`, `running` or `cancelling`. An operation already `failed`
 * when listed is not waited for: nothing says when, or whether, Neon retries it.
 */
function isPending(operation) {
    return !FINAL.has(operation.status);
}
/** The operations of an answer that are not over yet: the ones there is to wait for. */
function pendingIds(operations) {
    return operations.filter(isPending).map((operation) => operation.id);
}
/**
 * How long Neon's operations of each kind take, typically, from the moment Neon made them: a new
 * branch's `create_branch` and its compute's `start_compute` about a second (Neon's computes start
 * in a few hundred milliseconds once the timeline exists), a password reset's `apply_config` about
 * half that. The bench (bench/README.md) plays them at these lengths. Other kinds are not guessed.
 */
const TYPICAL_MS = {
    create_branch: 1_000,
    start_compute: 1_000,
    create_timeline: 1_000,
    apply_config: 500,
};
/** Reads this far apart around the typical end, so an operation is seen done soon after it is. */
const DENSE_MS = 50;
/** How many dense reads follow the first before the waits grow, by `FACTOR` each, to the maximum. */
const DENSE_READS = 4;
const operations_FACTOR = 1.5;
/**
 * When to read first: a read sent at this time reaches Neon half a round trip after the slowest of
 * these operations typically ends. Neon made them about half a round trip before its answer came
 * back, and a read takes half a round trip to get there. A request that took long (retries, the
 * rate limiter) says little about the network: the lead is at most a quarter of the typical
 * length. Undefined when no kind is known.
 */
function firstReadAt(operations, started) {
    const typical = Math.max(0, ...operations.map((operation) => TYPICAL_MS[operation.action] ?? 0));
    if (typical === 0)
        return undefined;
    return started.answeredAt + typical - Math.min(started.roundTripMs / 2, typical / 4);
}
/**
 * The wait before read `n` (0 the first), counted from the start of read `n - 1` (or from the call
 * for the first): the first at `firstAt` (at least one dense wait away: every caller has just seen
 * these operations pending), then `DENSE_READS` reads `denseMs` apart, then waits growing by half
 * each round up to `maxMs`. Dense reads are where an operation is likely to end; the longer it
 * runs past that, the less a late sighting costs compared with the requests it would take.
 */
function waitBeforeRead(n, schedule) {
    const { now, firstAt, denseMs, maxMs } = schedule;
    if (n === 0)
        return Math.max(denseMs, Math.round((firstAt ?? 0) - now));
    if (n <= DENSE_READS)
        return denseMs;
    return Math.min(maxMs, Math.round(2 * denseMs * operations_FACTOR ** (n - DENSE_READS - 1)));
}
/**
 * Polls the operations until every one finished or was skipped, under one deadline for all of them.
 * Each round reads every operation still pending at once (a branch's create has two, which end at
 * about the same time), on the schedule of waitBeforeRead, each wait counted from the start of the
 * round before.
 */
async function waitForOperations(operationIds, options) {
    const pending = new Set(operationIds);
    if (pending.size === 0)
        return;
    const last = new Map();
    const toldFailed = new Set();
    const { now, timeoutMs } = options;
    const deadline = now() + timeoutMs;
    let roundStart = now();
    for (let n = 0;; n++) {
        const wait = waitBeforeRead(n, { ...options, now: now() });
        const left = deadline - now();
        if (left <= 0)
            throw timedOut(pending, last, timeoutMs);
        await options.sleep(Math.max(0, Math.min(roundStart + wait - now(), left)));
        roundStart = now();
        for (const [id, operation] of await readRound([...pending], options)) {
            last.set(id, operation);
            options.log.debug(`Neon operation ${describe(id, operation)}: ${operation.status}`);
            if (settled(id, operation))
                pending.delete(id);
            else if (operation.status === RETRIED_BY_NEON && !toldFailed.has(id)) {
                toldFailed.add(id);
                options.log.info(`Neon operation ${describe(id, operation)} failed${reasonOf(operation)}; Neon may retry it, so waiting for it up to ${(0,duration/* formatDuration */.a)(timeoutMs)} in all`);
            }
        }
        if (pending.size === 0)
            return;
    }
}
/** The pending operations as Neon has them now: one listing for several, the ones it misses by id. */
async function readRound(ids, options) {
    const listed = new Map();
    if (ids.length > 1 && options.list !== undefined) {
        for (const operation of await options.list()) {
            if (ids.includes(operation.id))
                listed.set(operation.id, operation);
        }
    }
    return Promise.all(ids.map(async (id) => [id, listed.get(id) ?? (await options.read(id))]));
}
function timedOut(pending, last, timeoutMs) {
    const within = (0,duration/* formatDuration */.a)(timeoutMs);
    const waiting = [...pending].map((id) => {
        const operation = last.get(id);
        if (operation?.status === RETRIED_BY_NEON) {
            return `Neon operation ${describe(id, operation)} failed${reasonOf(operation)}, and Neon had not retried it to success within ${within}`;
        }
        return `Neon operation ${describe(id, operation)} did not finish within ${within}; its last status was '${operation?.status ?? 'unknown'}'`;
    });
    return new errors/* TimeoutError */.MU(waiting.join('; '));
}
function settled(id, operation) {
    if (SUCCEEDED.has(operation.status))
        return true;
    if (operations_FAILED.has(operation.status)) {
        throw new errors/* ApiError */.hD(`Neon operation ${describe(id, operation)}`, `it ended with status '${operation.status}'${reasonOf(operation)}`, {
            service: 'Neon',
        });
    }
    return undefined;
}
function reasonOf(operation) {
    return operation.error ? `: ${operation.error}` : '';
}
/** `0b6a... (start_compute) on branch br-x`, as far as it is known. */
function describe(id, operation) {
    if (operation === undefined)
        return id;
    const branch = operation.branch_id ? ` on branch ${operation.branch_id}` : '';
    return `${id} (${operation.action})${branch}`;
}

// EXTERNAL MODULE: ./src/core/rate-limiter.ts
var rate_limiter = __webpack_require__(2432);
// EXTERNAL MODULE: ./src/core/retry.ts
var retry = __webpack_require__(7253);
;// CONCATENATED MODULE: ./src/neon/errors.ts



/** Thrown inside the retry loop; turned into an ApiError naming the step once retries are over. */
class NeonRequestError extends Error {
    name = 'NeonRequestError';
    failure;
    constructor(failure) {
        super(failure.detail);
        this.failure = failure;
    }
}
/**
 * Failures without an answer that are worth another attempt. ECONNREFUSED is in: with a mistyped
 * `neon-api-host` it only delays the error by the backoff, but a proxy or load balancer that is
 * restarting refuses connections for a moment too, and a refused connection never reached Neon, so
 * repeating even a POST is safe. ENOTFOUND and certificate errors are out: they do not heal by waiting.
 */
const TRANSIENT_NETWORK_CODES = new Set([
    'ECONNRESET',
    'ECONNREFUSED',
    'ECONNABORTED',
    'ETIMEDOUT',
    'EPIPE',
    'EAI_AGAIN',
    'ENETUNREACH',
    'EHOSTUNREACH',
    'ENETDOWN',
    'ERR_SOCKET_CONNECTION_TIMEOUT',
]);
/**
 * 423 (a conflicting operation is running), 429 (rate limit) and 5xx but 501; never
 * 400/401/403/404/409/422. 501 Not Implemented says the route is not there, which waiting never heals.
 */
function isRetryableStatus(status) {
    return status === 423 || status === 429 || (status >= 500 && status <= 599 && status !== 501);
}
const MAX_MESSAGE_CHARS = 500;
function isAxiosLikeError(error) {
    return (typeof error === 'object' && error !== null && error.isAxiosError === true);
}
/**
 * Describes an error from the Neon client, or returns undefined for anything else (a bug of ours
 * should surface as itself, not as a Neon failure).
 */
function describeNeonFailure(error, context) {
    if (!isAxiosLikeError(error))
        return undefined;
    const method = typeof error.config?.method === 'string' ? error.config.method.toUpperCase() : undefined;
    const path = typeof error.config?.url === 'string' ? error.config.url : undefined;
    const response = error.response;
    if (response === undefined) {
        const networkCode = typeof error.code === 'string' ? error.code : undefined;
        return new NeonRequestError({
            detail: errors_redact(describeNoAnswer(networkCode, error.message, context), context.apiKey),
            retryable: networkCode !== undefined && TRANSIENT_NETWORK_CODES.has(networkCode),
            networkCode,
            method,
            path,
        });
    }
    const status = response.status;
    const body = typeof response.data === 'object' && response.data !== null ? response.data : undefined;
    const code = stringField(body, 'code');
    const requestId = stringField(body, 'request_id') ?? headerValue(response.headers, 'x-neon-ret-request-id');
    const said = stringField(body, 'message') ??
        firstLine(response.data) ??
        (typeof response.statusText === 'string' && response.statusText !== ''
            ? response.statusText
            : undefined) ??
        'no message';
    const codePart = code === undefined || code === '' ? '' : ` ${code}`;
    const requestPart = requestId === undefined ? '' : ` (request id ${requestId})`;
    const hint = hintFor(status, code, context, said);
    return new NeonRequestError({
        detail: errors_redact(`${status}${codePart}: ${truncate(said)}${requestPart}${hint ? `. ${hint}` : ''}`, context.apiKey),
        retryable: isRetryableStatus(status),
        status,
        code: code === '' ? undefined : code,
        requestId,
        retryAfterMs: isRetryableStatus(status) ? retryAfterOf(response.headers) : undefined,
        method,
        path,
    });
}
function describeNoAnswer(networkCode, message, context) {
    const { host } = context;
    switch (networkCode) {
        case 'ECONNABORTED':
        case 'ETIMEDOUT':
            return `no answer from ${host} within ${(0,duration/* formatDuration */.a)(context.requestTimeoutMs)} (the request timed out)`;
        case 'ECONNRESET':
        case 'EPIPE':
            return `the connection to ${host} was dropped before Neon answered (${networkCode})`;
        case 'ECONNREFUSED':
            return `${host} refused the connection (ECONNREFUSED); check neon-api-host`;
        case 'ENOTFOUND':
            return `the host ${host} was not found (ENOTFOUND); check neon-api-host`;
        default: {
            const reason = networkCode ?? (typeof message === 'string' && message !== '' ? message : 'unknown error');
            return `the request to ${host} failed without an answer (${truncate(reason)})`;
        }
    }
}
/** What the user can do about the statuses that are about their configuration or their plan. */
function hintFor(status, code, context, said) {
    if (status === 401) {
        return 'The Neon API key is wrong or has been revoked: check the neon-api-key setting (NEON_API_KEY)';
    }
    if (status === 403) {
        return `The Neon API key may not do this in project '${context.projectId}': check that neon-api-key belongs to an account or organization with access to neon-project-id`;
    }
    // The root-branch limit's refusal may share the code; neon/create-branch.ts explains that one.
    if (status === 422 && code === 'BRANCHES_LIMIT_EXCEEDED' && !/root[ _-]?branch/i.test(said)) {
        return "The branch quota of the Neon plan is full: delete unused preview branches (for example with 'command: reconcile') or raise the plan's branch limit";
    }
    if (status === 429)
        return 'Neon is rate limiting this API key; try again in a minute';
    return undefined;
}
function classifyNeonError(error) {
    if (error instanceof NeonRequestError) {
        const { failure } = error;
        // 423: a conflicting operation runs somewhere in the project (Neon's own background ones too);
        // it ends by itself, so it is waited for as long as the run's budget allows.
        return { retry: failure.retryable, afterMs: failure.retryAfterMs, untilDeadline: failure.status === 423 };
    }
    return { retry: false };
}
/** The error callers see: the step, what Neon said, and a cause that is safe to log. */
function toApiError(step, error) {
    const { failure } = error;
    return new errors/* ApiError */.hD(step, failure.detail, {
        service: 'Neon',
        status: failure.status,
        code: failure.code,
        requestId: failure.requestId,
        cause: {
            method: failure.method,
            path: failure.path,
            status: failure.status,
            code: failure.code,
            requestId: failure.requestId,
            networkCode: failure.networkCode,
        },
    });
}
function stringField(body, name) {
    const value = body?.[name];
    return typeof value === 'string' ? value : undefined;
}
/** axios hands headers over as an AxiosHeaders instance; both it and a plain object index by lower-case name. */
function headerValue(headers, name) {
    if (typeof headers !== 'object' || headers === null)
        return undefined;
    const value = headers[name];
    if (typeof value === 'string' && value !== '')
        return value;
    if (Array.isArray(value) && typeof value[0] === 'string')
        return value[0];
    return undefined;
}
function retryAfterOf(headers) {
    return (0,retry/* parseRetryAfter */.mu)(headerValue(headers, 'retry-after'));
}
/** A body that is not JSON (a proxy's HTML page, say): its first non-empty line. */
function firstLine(data) {
    if (typeof data !== 'string')
        return undefined;
    const line = data
        .split('\n')
        .map((part) => part.trim())
        .find((part) => part !== '');
    return line === undefined ? undefined : line;
}
function truncate(text) {
    return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}...` : text;
}
function errors_redact(text, secret) {
    return secret === '' ? text : text.split(secret).join('***');
}

;// CONCATENATED MODULE: ./src/neon/request.ts





/** The Neon client with the retries and the error wording every request shares. */
class NeonRequester {
    options;
    api;
    sleep;
    policy;
    limiter;
    failureContext;
    constructor(options) {
        this.options = options;
        const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
        this.sleep = options.sleep ?? core_sleep/* realSleep */.u;
        this.policy = options.retry ?? retry/* DEFAULT_RETRY_POLICY */.cO;
        this.limiter =
            options.limiter ?? (0,rate_limiter/* neonRateLimiter */.RU)({ limits: options.rateLimits, now: options.now, sleep: this.sleep });
        this.failureContext = {
            host: hostOf(options.apiHost),
            projectId: options.projectId,
            requestTimeoutMs,
            apiKey: options.apiKey,
        };
        this.api = (0,dist.createApiClient)({
            apiKey: options.apiKey,
            baseURL: options.apiHost,
            timeout: requestTimeoutMs,
        });
        const { deadline } = options;
        if (deadline !== undefined) {
            // Each request's own limit, cut to what is left of the run's budget.
            this.api.instance.interceptors.request.use((config) => {
                config.timeout = Math.max(1, deadline.cap(config.timeout || requestTimeoutMs));
                return config;
            });
        }
    }
    /**
     * One request with retries; every failure leaves as an ApiError naming `step`. `locked: 'fail'`
     * hands Neon's 423 straight back instead of retrying it: for a caller that timed the request to
     * follow operations it knows of, and tries again on its own schedule (OperationWaits.whenOver).
     */
    async call(step, request, { locked = 'retry' } = {}) {
        try {
            return await (0,retry/* withRetry */.bD)(
            // Every attempt, retries included, waits its turn at the limiter.
            () => this.attempt(request), {
                label: step,
                policy: this.policy,
                classify: (error) => {
                    const verdict = this.classify(error);
                    return locked === 'fail' && isLocked(error) ? { ...verdict, retry: false } : verdict;
                },
                sleep: this.sleep,
                log: (message) => this.options.log.warning(message),
                deadline: this.options.deadline,
            });
        }
        catch (error) {
            if (!(error instanceof NeonRequestError))
                throw error;
            this.options.deadline?.check(step, error.message);
            throw toApiError(step, error);
        }
    }
    /**
     * A 429's `Retry-After` is the limiter's to wait out: `attempt` hands it over, and the limiter
     * holds every request until then, this one's retry included. The retry waits nothing more.
     */
    classify(error) {
        const verdict = classifyNeonError(error);
        if (!(error instanceof NeonRequestError) ||
            error.failure.status !== 429 ||
            verdict.afterMs === undefined) {
            return verdict;
        }
        return { ...verdict, afterMs: undefined, heldMs: Math.min(verdict.afterMs, this.policy.maxRetryAfterMs) };
    }
    async attempt(request) {
        const ticket = await this.limiter.acquire();
        try {
            const answer = await request(this.api);
            this.limiter.succeeded();
            return answer;
        }
        catch (error) {
            const failure = describeNeonFailure(error, this.failureContext);
            if (failure?.failure.status === 429) {
                const retryAfterMs = failure.failure.retryAfterMs;
                this.limiter.throttled(ticket, retryAfterMs === undefined ? undefined : Math.min(retryAfterMs, this.policy.maxRetryAfterMs));
            }
            else if (failure?.failure.status !== undefined) {
                // Any other answer came through the limit too.
                this.limiter.succeeded();
            }
            throw failure ?? error;
        }
    }
}
function hostOf(apiHost) {
    try {
        return new URL(apiHost).host;
    }
    catch {
        return apiHost;
    }
}
function isLocked(error) {
    return error instanceof NeonRequestError && error.failure.status === 423;
}

;// CONCATENATED MODULE: ./src/neon/schema.ts
/**
 * `GET .../branches/{id}/compare_schema?base_branch_id=&db_name=`: the unified diff from the base
 * branch's schema to the branch's, `''` when they are equal (Neon leaves `diff` out then).
 */
async function compareSchema(neon, input) {
    const { projectId, branchId, baseBranchId, databaseName } = input;
    const { data } = await neon.call(`Comparing the schema of database '${databaseName}' on Neon branch '${branchId}' with '${baseBranchId}'`, (api) => api.getProjectBranchSchemaComparison({
        projectId,
        branchId,
        base_branch_id: baseBranchId,
        db_name: databaseName,
    }));
    return typeof data.diff === 'string' ? data.diff : '';
}

;// CONCATENATED MODULE: ./src/neon/waits.ts


/**
 * A wait for several operations reads them in one listing of the project's newest: they were made
 * moments ago, so only a burst of this many newer ones pushes one off the page (then it is read
 * on its own).
 */
const WAIT_PAGE_LIMIT = 25;
/**
 * The port's waits for Neon's operations, each timed by what it waits for: the operations an answer
 * started are remembered with their kind (`action`) and the answer's timing, so a later wait for
 * them reads first when they typically end (see firstReadAt in operations.ts).
 */
class OperationWaits {
    neon;
    options;
    capped;
    started = new Map();
    now;
    /** waitBeforeRead's schedule: dense reads this far apart, growing waits up to maxMs. */
    denseMs;
    maxMs;
    constructor(neon, options, capped) {
        this.neon = neon;
        this.options = options;
        this.capped = capped;
        this.now = options.now ?? Date.now;
        this.denseMs = options.operationPollInitialMs ?? DENSE_MS;
        this.maxMs = options.operationPollMaxMs ?? 2_000;
    }
    /** A request's answer with when it arrived and how long it took (retries included). */
    async timed(request) {
        const sent = this.now();
        const answer = await request();
        const answeredAt = this.now();
        return { ...answer, by: { answeredAt, roundTripMs: answeredAt - sent } };
    }
    /** Keeps the pending ones of an answer's operations for a later forIds. */
    remember(operations, by) {
        for (const operation of operations.filter(isPending))
            this.started.set(operation.id, { operation, by });
    }
    /** Waits for these; the first read is timed by the ones an answer remembered here started. */
    forIds(operationIds) {
        const firstAt = this.typicalEnd(operationIds);
        for (const id of operationIds)
            this.started.delete(id);
        return this.poll(operationIds, firstAt);
    }
    /** When the last of these typically ends (see firstReadAt), as far as remembered kinds tell. */
    typicalEnd(operationIds) {
        const ends = operationIds.flatMap((id) => {
            const entry = this.started.get(id);
            const at = entry && firstReadAt([entry.operation], entry.by);
            return at === undefined ? [] : [at];
        });
        return ends.length === 0 ? undefined : Math.max(...ends);
    }
    /**
     * Waits for the pending ones of an answer's operations, the first read timed by their kinds, and
     * for `also` (earlier ones not waited for yet, see whenOver) in the same reads.
     */
    forAnswer(operations, by, also = []) {
        const pending = operations.filter(isPending);
        for (const id of also)
            this.started.delete(id);
        const ids = [...new Set([...pendingIds(pending), ...also])];
        return this.poll(ids, firstReadAt(pending, by));
    }
    /**
     * Sends a change when the operations `after` (remembered from the answer that started them)
     * typically end, instead of reading them first: Neon refuses a change with 423 while operations
     * run (docs/stand-ins.md, N28), so the change's own attempt is the read. A 423 is tried again as
     * often as a wait reads around the typical end (waitBeforeRead's dense reads); past them, the
     * operations are waited for by reading, as without this, and the change sent once they ended
     * (a 423 then is retried with the usual backoff: another operation in the project), so a long
     * operation or a busy project costs no more requests than a wait would. `send(locked)` passes
     * `locked` to NeonRequester.call. Only the accepted attempt is timed. Neon may also have queued
     * the change behind them: the caller still waits for `after` with the change's own operations
     * (forAnswer's `also`), which costs no request while they end together.
     */
    async whenOver(after, send) {
        const { denseMs, maxMs } = this;
        const firstAt = this.typicalEnd(after);
        let roundStart = this.now();
        for (let n = 0; n <= DENSE_READS; n++) {
            const wait = waitBeforeRead(n, { now: this.now(), firstAt, denseMs, maxMs });
            await this.neon.sleep(Math.max(0, roundStart + wait - this.now()));
            roundStart = this.now();
            try {
                return await this.timed(() => send('fail'));
            }
            catch (error) {
                if (!(error instanceof errors/* ApiError */.hD && error.status === 423))
                    throw error;
                this.options.log.debug(`${error.message}: Neon's operations still run`);
            }
        }
        await this.forIds(after);
        return this.timed(() => send('retry'));
    }
    async poll(operationIds, firstAt) {
        const { options, neon } = this;
        const projectId = options.projectId;
        await waitForOperations(operationIds, {
            read: async (id) => {
                const { data } = await neon.call(`Reading Neon operation ${id}`, (api) => api.getProjectOperation(projectId, id));
                return data.operation;
            },
            list: async () => {
                const { data } = await neon.call(`Reading Neon operations ${operationIds.join(', ')}`, (api) => api.listProjectOperations({ projectId, limit: WAIT_PAGE_LIMIT }));
                return data.operations;
            },
            timeoutMs: this.capped(options.operationTimeoutMs ?? 10 * 60_000),
            firstAt,
            denseMs: this.denseMs,
            maxMs: this.maxMs,
            sleep: neon.sleep,
            now: this.now,
            log: options.log,
        });
    }
}

;// CONCATENATED MODULE: ./src/neon/port.ts








/**
 * Pages are fetched one after another (each needs the cursor of the one before), so a listing of a
 * large project costs a round trip and a rate-limit token per page: 1,000 a page (the API allows up
 * to 10,000) lists most projects in one, and keeps each answer under a megabyte or so.
 */
const BRANCH_PAGE_LIMIT = 1000;
/**
 * The default branch is looked for in a first page this small: it is nearly always the project's
 * first branch, so the oldest-first listing has it at the top, and a page of 1,000 branches (most
 * of a megabyte in a project full of previews) would be read on every deploy for one of them.
 */
const DEFAULT_BRANCH_FIRST_PAGE = 10;
/** Neon branch ids look like `br-small-term-683261` (the spec's pattern, with Neon's `br-` prefix). */
const BRANCH_ID = /^br-[a-z0-9-]{1,57}$/;
/**
 * Operations are listed newest first and there is no filter by branch. An operation that is still
 * running is at most minutes old, so the operations of a branch that is being created sit at the top:
 * missing one would take more than this many newer operations in the project within those minutes.
 */
const OPERATIONS_PAGE_LIMIT = 100;
/** The Neon side of the executor, over `@neondatabase/api-client` (axios) with retries and timeouts. */
function createNeonPort(options) {
    return new NeonApiPort(options);
}
class NeonApiPort {
    options;
    projectId;
    neon;
    waits;
    constructor(options) {
        this.options = options;
        this.projectId = options.projectId;
        this.neon = new NeonRequester(options);
        this.waits = new OperationWaits(this.neon, options, (ms) => this.capped(ms));
    }
    async findBranchByName(name) {
        // `search` matches parts of names and ids: `preview/feat` also finds `preview/feat-2`.
        const branches = await this.listAllBranches(`Finding Neon branch '${name}'`, name);
        const match = branches.find((branch) => branch.name === name);
        return match && toNeonBranch(match);
    }
    async resolveBranch(nameOrId) {
        // A branch may be named like an id, so a miss by id still tries the name.
        if (BRANCH_ID.test(nameOrId)) {
            const byId = await this.getBranchById(nameOrId);
            if (byId)
                return byId;
        }
        return this.findBranchByName(nameOrId);
    }
    async getDefaultBranch() {
        const step = `Finding the default branch of Neon project '${this.projectId}'`;
        // The listing stops at the page that has it instead of reading a large project's every page.
        const branches = await this.listAllBranches(step, undefined, {
            firstPageLimit: DEFAULT_BRANCH_FIRST_PAGE,
            enough: (page) => page.some((branch) => branch.default === true),
        });
        const found = branches.find((branch) => branch.default === true);
        if (!found) {
            throw new errors/* ApiError */.hD(step, `Neon listed ${branches.length} branches and none of them is the default`, {
                service: 'Neon',
            });
        }
        return toNeonBranch(found);
    }
    async listBranches(prefix) {
        // `search` only narrows the list on Neon's side; the prefix is compared here, exactly.
        const branches = await this.listAllBranches(`Listing Neon branches with prefix '${prefix}'`, prefix === '' ? undefined : prefix);
        return branches.filter((branch) => branch.name.startsWith(prefix)).map(toNeonBranch);
    }
    async createBranch(input) {
        const step = `Creating Neon branch '${input.name}'`;
        // A timeout or dropped connection is retried like any other: if the first POST did reach Neon,
        // the retry answers 409 and the executor treats the branch as one another run created.
        const { data, by } = await this.waits.timed(() => this.neon
            .call(step, (api) => createRequest(api, this.projectId, input))
            .catch((error) => {
            throw explainCreateRefusal(step, error, input);
        }));
        // The flow waits for them later (after its own steps): their kinds and timing are kept for it.
        this.waits.remember(data.operations, by);
        const [details] = data.connection_uris ?? [];
        return {
            branch: toNeonBranch(data.branch),
            operationIds: pendingIds(data.operations),
            databases: data.databases?.map((database) => ({ name: database.name, ownerName: database.owner_name })),
            connection: details === undefined
                ? undefined
                : {
                    uri: details.connection_uri,
                    poolerHost: details.connection_parameters.pooler_host,
                    databaseName: details.connection_parameters.database,
                    roleName: details.connection_parameters.role,
                },
        };
    }
    maskingRules(branchId) {
        return maskingRules(this.target(branchId));
    }
    replaceMaskingRules(branchId, rules) {
        return replaceMaskingRules(this.target(branchId), rules);
    }
    startAnonymization(branchId) {
        return startAnonymization(this.target(branchId));
    }
    waitForAnonymized(branchId) {
        const wait = waitOptions(this.options, this.neon.sleep, (ms) => this.capped(ms));
        return waitForAnonymized(this.target(branchId), wait);
    }
    target(branchId) {
        return { neon: this.neon, projectId: this.projectId, branchId };
    }
    async setExpiry(branchId, expiresAt) {
        await this.neon.call(`Moving the expiry of Neon branch '${branchId}' to ${expiresAt}`, (api) => api.updateProjectBranch(this.projectId, branchId, { branch: { expires_at: expiresAt } }));
    }
    async restoreBranch(branchId, sourceBranchId) {
        const { data, by } = await this.waits.timed(() => this.neon.call(`Resetting Neon branch '${branchId}' to the latest state of '${sourceBranchId}'`, (api) => api.restoreProjectBranch(this.projectId, branchId, { source_branch_id: sourceBranchId })));
        await this.waits.forAnswer(data.operations, by);
    }
    async pendingOperationIds(branchId) {
        const { data } = await this.neon.call(`Listing the operations of Neon branch '${branchId}'`, (api) => api.listProjectOperations({ projectId: this.projectId, limit: OPERATIONS_PAGE_LIMIT }));
        return data.operations
            .filter((operation) => operation.branch_id === branchId && isPending(operation))
            .map((operation) => operation.id);
    }
    waitForOperations(operationIds) {
        return this.waits.forIds(operationIds);
    }
    async deleteBranch(branchId) {
        // The delete's own operations are not awaited: nothing depends on them finishing.
        // A retry that finds the branch gone follows an attempt of ours whose answer was lost: that
        // attempt deleted it. Only a first attempt that finds it gone means someone else did (or Neon's
        // expiry).
        let attempts = 0;
        const gone = () => (attempts > 1 ? 'deleted' : 'gone');
        try {
            const response = await this.neon.call(`Deleting Neon branch '${branchId}'`, (api) => {
                attempts += 1;
                return api.deleteProjectBranch({ projectId: this.projectId, branchId });
            });
            // 204: Neon's answer for a branch that was deleted before.
            return response.status === 204 ? gone() : 'deleted';
        }
        catch (error) {
            if (error instanceof errors/* ApiError */.hD && error.status === 404)
                return gone();
            throw error;
        }
    }
    async listDatabases(branchId) {
        const { data } = await this.neon.call(`Listing the databases of Neon branch '${branchId}'`, (api) => api.listProjectBranchDatabases(this.projectId, branchId));
        return data.databases.map((database) => ({ name: database.name, ownerName: database.owner_name }));
    }
    async resetRolePassword(branchId, roleName, after = []) {
        const step = `Resetting the password of role '${roleName}' on Neon branch '${branchId}'`;
        const send = (locked) => this.neon.call(step, (api) => api.resetProjectBranchRolePassword(this.projectId, branchId, roleName), {
            locked,
        });
        const { data, by } = after.length === 0
            ? await this.waits.timed(() => send('retry'))
            : await this.waits.whenOver(after, send);
        // Neon: the new password works once the operations have finished; the old one until then.
        await this.waits.forAnswer(data.operations, by, after);
        return data.role.password;
    }
    async connectionUri({ branchId, databaseName, roleName, pooled, }) {
        const step = `Getting the connection URI of database '${databaseName}' (role '${roleName}') on Neon branch '${branchId}'`;
        const { data } = await this.neon.call(step, (api) => api.getConnectionUri({
            projectId: this.projectId,
            branch_id: branchId,
            database_name: databaseName,
            role_name: roleName,
            pooled,
        }));
        if (typeof data.uri !== 'string' || data.uri === '') {
            throw new errors/* ApiError */.hD(step, 'Neon answered without a connection URI', { service: 'Neon' });
        }
        return data.uri;
    }
    compareSchema(branchId, baseBranchId, databaseName) {
        return compareSchema(this.neon, { projectId: this.projectId, branchId, baseBranchId, databaseName });
    }
    /** A wait of the port's own, cut to what is left of the run's budget. */
    capped(ms) {
        return this.options.deadline?.cap(ms) ?? ms;
    }
    /**
     * Every page of branches, oldest first, or up to the first page for which `enough` is true (the
     * first page `firstPageLimit` long). Sorting by `created_at` rather than the default `updated_at`
     * keeps a branch that changes while we page from moving between pages.
     */
    async listAllBranches(step, search, until = {}) {
        const seen = new Map();
        const pageLimit = this.options.branchPageLimit ?? BRANCH_PAGE_LIMIT;
        let cursor;
        for (;;) {
            const limit = cursor === undefined ? Math.min(until.firstPageLimit ?? pageLimit, pageLimit) : pageLimit;
            const { data } = await this.neon.call(step, (api) => api.listProjectBranches({
                projectId: this.projectId,
                ...(search ? { search } : {}),
                sort_by: 'created_at',
                sort_order: 'asc',
                limit,
                ...(cursor ? { cursor } : {}),
            }));
            for (const branch of data.branches)
                seen.set(branch.id, branch);
            if (until.enough?.(data.branches))
                return [...seen.values()];
            const next = data.pagination?.next;
            // A cursor-paged list may hand out a `next` on its last full page; an empty page ends it too.
            if (!next || next === cursor || data.branches.length === 0)
                return [...seen.values()];
            cursor = next;
        }
    }
    async getBranchById(id) {
        try {
            const { data } = await this.neon.call(`Reading Neon branch '${id}'`, (api) => api.getProjectBranch(this.projectId, id));
            return toNeonBranch(data.branch);
        }
        catch (error) {
            if (error instanceof errors/* ApiError */.hD && error.status === 404)
                return undefined;
            throw error;
        }
    }
}

;// CONCATENATED MODULE: ./src/runner.ts





/** The composition root every front end calls: real ports from settings, then the executor. */
async function runPlan(plan, options) {
    const { settings, log } = options;
    const neonOnly = options.neonOnly ?? false;
    // Checked before the first request: a plan that calls Amplify without an app or region fails up front.
    const target = needsAmplify(plan, neonOnly) ? (0,amplify_settings/* requireAmplify */.ey)(settings) : undefined;
    const deadline = new Deadline(settings.timeoutMinutes * 60_000);
    const neon = createNeonPort({
        apiKey: settings.neonApiKey,
        apiHost: settings.neonApiHost,
        projectId: settings.neonProjectId,
        log,
        deadline,
        sleep: options.sleep,
        limiter: options.limiter,
    });
    const amplify = target && lazyAmplifyPort({ ...target, log, deadline });
    return execute(plan, { ...options, neon, amplify, neonOnly, deadline, migrate: shellMigration });
}
/** The shell runner, loaded only by a run that has a migrate-command (it brings child_process). */
const shellMigration = async (input) => (await __webpack_require__.e(/* import() */ 324).then(__webpack_require__.bind(__webpack_require__, 324))).runShellMigration(input);

;// CONCATENATED MODULE: ./src/publishing.ts



/**
 * The composition root's run, reported on GitHub: the publisher hears when the Amplify job starts
 * (the deployment goes `in_progress` while the build runs) and gets the outcome at the end, a
 * failed one included, before the error goes on to the front end. The core never sees GitHub; every
 * front end (action, webhook, CLI) reports through here.
 */
async function runAndPublish(plan, options, run = runPlan) {
    const { github, ...runOptions } = options;
    const publisher = github === undefined
        ? undefined
        : createPublisher({ target: github, plan, settings: options.settings, log: options.log });
    if (publisher === undefined)
        return run(plan, runOptions);
    let result;
    try {
        result = await run(plan, { ...runOptions, onJobStarted: publisher.jobStarted });
    }
    catch (error) {
        const partial = resultOf(error);
        attach(partial, await publisher.finished(partial, error));
        throw error;
    }
    attach(result, await publisher.finished(result));
    return result;
}
function attach(result, report) {
    if (result?.kind === 'deploy' || result?.kind === 'cleanup')
        result.github = report;
}


/***/ })

};
