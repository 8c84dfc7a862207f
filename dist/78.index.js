export const id = 78;
export const ids = [78];
export const modules = {

/***/ 8078:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  work: () => (/* binding */ work)
});

// EXTERNAL MODULE: ./src/core/settings.ts + 1 modules
var core_settings = __webpack_require__(418);
;// CONCATENATED MODULE: ./src/core/flows/never-delete.ts
/**
 * Why a branch must not be deleted, or undefined when it may: the one rule cleanup and reconcile
 * share. The prefix check is what keeps the tool's hands off every branch it did not make.
 */
function refuseToDelete(branch, prefix) {
    if (branch.default)
        return "it is the project's default branch";
    if (branch.protected)
        return 'it is a protected branch';
    if (!branch.name.startsWith(prefix))
        return `its name does not start with the prefix '${prefix}'`;
    return undefined;
}

;// CONCATENATED MODULE: ./src/core/flows/options.ts
function amplifyOf(options) {
    if (options.amplify === undefined)
        throw new Error('Internal error: this plan needs the Amplify port');
    return options.amplify;
}

;// CONCATENATED MODULE: ./src/core/flows/cleanup.ts



/** Cleanup: the preview's Neon branch goes (never one the never-delete rule keeps), and the Amplify branch when asked. */
async function cleanup(plan, options) {
    const { neon, settings, log } = options;
    const result = {
        kind: 'cleanup',
        gitBranch: plan.gitBranch,
        dryRun: settings.dryRun,
        deleted: false,
    };
    const branch = await neon.findBranchByName(plan.neonBranchName);
    const refusal = branch === undefined ? undefined : refuseToDelete(branch, settings.branchPrefix);
    if (branch === undefined) {
        log.info(`Neon branch '${plan.neonBranchName}' does not exist: nothing to delete`);
    }
    else if (refusal !== undefined) {
        log.warning(`Not deleting Neon branch '${branch.name}' (${branch.id}): ${refusal}`);
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

// EXTERNAL MODULE: ./src/core/errors.ts
var errors = __webpack_require__(4296);
// EXTERNAL MODULE: ./src/core/naming.ts
var naming = __webpack_require__(2607);
;// CONCATENATED MODULE: ./src/core/poll.ts

/** Polls fast at first and backs off by half again each round, until `check` returns or time runs out. */
async function pollUntil(options) {
    const now = options.now ?? Date.now;
    const deadline = now() + options.timeoutMs;
    let delay = options.initialDelayMs;
    for (;;) {
        const result = await options.check();
        if (result !== undefined)
            return result;
        const left = deadline - now();
        if (left <= 0) {
            throw new errors/* TimeoutError */.MU(`${options.label} did not finish within ${formatDuration(options.timeoutMs)}`);
        }
        await options.sleep(Math.min(delay, left));
        delay = Math.min(Math.round(delay * 1.5), options.maxDelayMs);
    }
}
function formatDuration(ms) {
    if (ms % 60_000 === 0)
        return `${ms / 60_000} minute${ms === 60_000 ? '' : 's'}`;
    if (ms % 1000 === 0)
        return `${ms / 1000} s`;
    return `${ms} ms`;
}
const realSleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

;// CONCATENATED MODULE: ./src/core/flows/amplify-job.ts


/**
 * Starts a RELEASE job on the branch; called only once the variable is written. A job that is already
 * pending or running is handled as `on-running-job` says.
 */
async function startJob(amplify, branch, options) {
    const { settings, log } = options;
    const context = {
        amplify,
        branch,
        options,
        poll: {
            sleep: options.sleep ?? realSleep,
            now: options.now,
            initialDelayMs: options.jobPollInitialMs ?? 2_000,
            maxDelayMs: options.jobPollMaxMs ?? 15_000,
            timeoutMs: settings.jobTimeoutMinutes * 60_000,
        },
        tryStart: async () => {
            try {
                return await amplify.startJob(branch);
            }
            catch (error) {
                if (error instanceof errors/* ApiError */.hD && error.code === 'LimitExceededException')
                    return undefined;
                throw error;
            }
        },
    };
    const first = await context.tryStart();
    if (first !== undefined) {
        log.info(`Started Amplify job ${first.id} on '${branch}'`);
        return first;
    }
    switch (settings.onRunningJob) {
        case 'skip':
            log.warning(`A job is already pending or running on Amplify branch '${branch}'; not starting another (on-running-job: skip). That job may have started before ${settings.envVarName} was written.`);
            return undefined;
        case 'replace':
            return started(context, await replace(context));
        case 'wait':
            return started(context, await waitThenStart(context));
    }
}
function started({ options, branch }, job) {
    options.log.info(`Started Amplify job ${job.id} on '${branch}'`);
    return job;
}
/**
 * The running job started before the variable was written, so it would build against the wrong
 * database: stop it and start one that sees the new value.
 */
async function replace(context) {
    const { amplify, branch, options } = context;
    const active = await amplify.listActiveJobs(branch);
    for (const job of active) {
        options.log.info(`Stopping Amplify job ${job.id} (${job.status}) on '${branch}': it started without ${options.settings.envVarName}`);
        try {
            await amplify.stopJob(branch, job.id);
        }
        catch (error) {
            // The job may have ended between the lookup and StopJob; Amplify then refuses the stop (400).
            if (!(error instanceof errors/* ApiError */.hD && error.status === 400))
                throw error;
            options.log.info(`Amplify job ${job.id} had already ended`);
        }
    }
    return pollUntil({
        ...context.poll,
        label: `Starting an Amplify job on '${branch}' after stopping ${active.map((j) => j.id).join(', ') || 'the running job'} (on-running-job: replace)`,
        check: context.tryStart,
    });
}
async function waitThenStart(context) {
    const { amplify, branch, options } = context;
    options.log.info(`A job is running on Amplify branch '${branch}'; waiting for it to end (on-running-job: wait)`);
    return pollUntil({
        ...context.poll,
        label: `Waiting for the running Amplify job on '${branch}' to end (on-running-job: wait)`,
        check: async () => ((await amplify.listActiveJobs(branch)).length === 0 ? context.tryStart() : undefined),
    });
}

;// CONCATENATED MODULE: ./src/core/redact.ts
const MASK = '***';
/** Shorter values would mask ordinary words; no real secret is this short. */
const MIN_SECRET_LENGTH = 4;
/**
 * The secret values no printed line may contain, replaced by `***`: the CLI's and the webhook's
 * counterpart of the runner's masking (`core.setSecret`); the core hands every secret it receives to
 * its `secret` callback, and a front end that prints adds it here. A webhook job's redactor is a child of the server's: the job adds the
 * connection string and password it receives, and they go with the job, so memory does not grow
 * with the number of deliveries, while the server's own secrets (API keys, webhook secrets) apply
 * everywhere.
 */
class Redactor {
    parent;
    values = new Set();
    sorted;
    constructor(parent) {
        this.parent = parent;
    }
    add = (value) => {
        if (value.length < MIN_SECRET_LENGTH || this.values.has(value))
            return;
        this.values.add(value);
        this.sorted = undefined;
    };
    child() {
        return new Redactor(this);
    }
    redact(text) {
        let result = this.parent === undefined ? text : this.parent.redact(text);
        // Longest first, so a URL is masked whole before its password alone could be.
        this.sorted ??= [...this.values].sort((a, b) => b.length - a.length);
        for (const value of this.sorted) {
            if (result.includes(value))
                result = result.replaceAll(value, MASK);
        }
        return result;
    }
}
/** Masks the whole URL, the password as it appears in it and decoded. */
function maskConnectionString(url, secret) {
    secret(url);
    try {
        const password = new URL(url).password;
        if (password !== '') {
            secret(password);
            const decoded = decodeURIComponent(password);
            if (decoded !== password)
                secret(decoded);
        }
    }
    catch {
        // Not a URL: masked whole above.
    }
}

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
/** Creates the branch and waits for it; a 409 means another run won the race, so its branch is used. */
async function createOrReuse(input) {
    const { neon, name, parent, settings, log } = input;
    try {
        log.info(`Creating Neon branch '${name}' from '${parent.name}' (${parent.id})`);
        const result = await neon.createBranch({
            name,
            parentId: parent.id,
            suspendTimeoutSeconds: settings.suspendTimeoutSeconds,
        });
        await neon.waitForOperations(result.operationIds);
        return { branch: result.branch, created: true };
    }
    catch (error) {
        if (!(error instanceof errors/* ApiError */.hD && error.status === 409))
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
/** The database and role settings, or the branch's only database and its owner. */
async function connectionTarget(neon, branch, settings) {
    const { database, role } = settings;
    if (database !== undefined && role !== undefined)
        return { databaseName: database, roleName: role };
    const databases = await neon.listDatabases(branch.id);
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
    maskConnectionString(url, input.secret);
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

;// CONCATENATED MODULE: ./src/core/flows/role-password.ts


/**
 * The branch's connection string, with a password of the preview's own. Neon copies roles with
 * their passwords, so a new branch's URL would also open the parent (production) through the
 * parent's host. A branch this run created gets a new password at once; a reused one is checked
 * against its parent (the run that created it may have failed before its reset, or may be doing it
 * right now) and reset when it still has the parent's.
 */
async function branchConnection({ plan, branch, created, options, }) {
    const { neon, settings, log } = options;
    const target = await connectionTarget(neon, branch, settings);
    const read = () => readConnection({ neon, branchId: branch.id, target, pooled: settings.pooled, secret: options.secret });
    const done = async (connection, passwordReset) => ({
        connection,
        passwordReset,
        reread: read,
    });
    if (plan.primary || !settings.resetRolePassword)
        return done(await read(), false);
    if (!created) {
        const [connection, parentPassword] = await Promise.all([
            read(),
            passwordOfParent(branch, target, options),
        ]);
        if (parentPassword === undefined || passwordOf(connection) !== parentPassword) {
            return done(connection, false);
        }
        log.info(`Neon branch '${branch.name}' still has its parent's password for role '${target.roleName}'`);
    }
    log.info(`Giving role '${target.roleName}' a password of its own on Neon branch '${branch.name}'`);
    await neon.resetRolePassword(branch.id, target.roleName);
    return done(await read(), true);
}
/** The parent's password for the same role and database; undefined when the parent has neither. */
async function passwordOfParent(branch, target, options) {
    if (branch.parentId === undefined)
        return undefined;
    try {
        const parent = await readConnection({
            neon: options.neon,
            branchId: branch.parentId,
            target,
            pooled: options.settings.pooled,
            secret: options.secret,
        });
        return passwordOf(parent);
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
    const state = await readState(plan, options);
    if (settings.dryRun)
        return dryRun(plan, state, options);
    const { branch, created } = await neonBranch(plan, state, options);
    const found = await branchConnection({ plan, branch, created, options });
    const { connection } = found;
    const result = {
        kind: 'deploy',
        gitBranch: plan.gitBranch,
        dryRun: false,
        neonBranch: { id: branch.id, name: branch.name },
        created,
        connection,
    };
    if (state.amplify === undefined)
        return result;
    const written = await writeSettled(plan, state.amplifyBranch, found, options);
    result.connection = written.connection;
    result.previewUrl = preview(plan, state.app, written.branch.displayName);
    // The job only now that the variable is written.
    if (settings.startJob)
        result.job = await startJob(state.amplify, plan.gitBranch, options);
    return result;
}
/** Step 1: the reads, in parallel. Nothing is written before all of them have answered. */
async function readState(plan, options) {
    const { neon, settings } = options;
    const amplify = options.neonOnly ? undefined : amplifyOf(options);
    const [existing, amplifyBranch, app] = await Promise.all([
        plan.primary ? Promise.resolve(undefined) : neon.findBranchByName(plan.neonBranchName),
        amplify?.getBranch(plan.gitBranch),
        amplify?.getApp(),
    ]);
    if (amplify !== undefined && amplifyBranch === undefined && !settings.createAmplifyBranch) {
        throw new errors/* UsageError */.eb(`Amplify branch '${plan.gitBranch}' does not exist in app ${settings.amplifyAppId}, and create-amplify-branch is false: connect the branch in Amplify first, or set create-amplify-branch: true`);
    }
    const parent = existing === undefined ? await resolveParent(neon, settings) : undefined;
    return { existing, parent, amplify, amplifyBranch, app };
}
/** Step 2: the parent for a primary branch, the existing preview, or a new one. */
async function neonBranch(plan, state, options) {
    const { neon, settings, log } = options;
    const existing = announceExisting(plan, state, options);
    if (existing !== undefined) {
        // It may be a branch another run created moments ago, still initialising.
        if (!plan.primary)
            await neon.waitForOperations(await neon.pendingOperationIds(existing.id));
        return { branch: existing, created: false };
    }
    const parent = required(state.parent);
    return createOrReuse({ neon, name: plan.neonBranchName, parent, settings, log });
}
/** The branch the deploy uses without creating one, said in the log; undefined when one is to be made. */
function announceExisting(plan, state, { log }) {
    if (plan.primary) {
        const parent = required(state.parent);
        log.info(`'${plan.gitBranch}' is a primary branch: it uses Neon branch '${parent.name}' (${parent.id})`);
        return parent;
    }
    if (state.existing !== undefined) {
        log.info(`Reusing Neon branch '${state.existing.name}' (${state.existing.id})`);
    }
    return state.existing;
}
/**
 * Step 4: UpdateBranch replaces the whole map, so the map just read is merged and written back
 * whole; every other variable survives. Nothing is written when it is already right. Returns the
 * Amplify branch as it is now.
 */
async function writeVariable(plan, current, connection, options) {
    const { settings, log } = options;
    const amplify = amplifyOf(options);
    const name = settings.envVarName;
    const variables = { ...(current?.environmentVariables ?? {}), [name]: connection.url };
    if (current === undefined) {
        log.info(`Creating Amplify branch '${plan.gitBranch}' (auto-build off) with ${name}`);
        try {
            return await amplify.createBranch({ name: plan.gitBranch, environmentVariables: variables });
        }
        catch (error) {
            // Another run created it since this one read it: merge into the winner's map instead.
            if (!isAlreadyExists(error))
                throw error;
            const winner = await amplify.getBranch(plan.gitBranch);
            if (winner === undefined)
                throw error;
            log.info(`Amplify branch '${plan.gitBranch}' was created by another run meanwhile; merging into it`);
            return writeVariable(plan, winner, connection, options);
        }
    }
    if (current.environmentVariables[name] === connection.url) {
        log.info(`Amplify branch '${plan.gitBranch}' already has the right ${name}`);
        return current;
    }
    log.info(`Writing ${name} to Amplify branch '${plan.gitBranch}'`);
    return amplify.setEnvironmentVariables(plan.gitBranch, variables);
}
/**
 * Writes the connection string; after a password reset, reads it once more and writes again if it
 * moved: two first runs for one branch may both have reset it, and the one whose write lands last
 * must not leave an older password in Amplify.
 */
async function writeSettled(plan, current, found, options) {
    const branch = await writeVariable(plan, current, found.connection, options);
    if (!found.passwordReset)
        return { branch, connection: found.connection };
    const now = await found.reread();
    if (now.url === found.connection.url)
        return { branch, connection: now };
    options.log.info(`The password of ${plan.neonBranchName} changed meanwhile (another run); writing it again`);
    return { branch: await writeVariable(plan, branch, now, options), connection: now };
}
/** Amplify's answer to CreateBranch for a branch that exists: BadRequestException, "already exists". */
function isAlreadyExists(error) {
    return error instanceof errors/* ApiError */.hD && error.status === 400 && /already exists/i.test(error.message);
}
function dryRun(plan, state, options) {
    const { settings, log } = options;
    const existing = announceExisting(plan, state, options);
    if (existing === undefined) {
        const parent = required(state.parent);
        log.info(`Dry run: would create Neon branch '${plan.neonBranchName}' from '${parent.name}' (${parent.id})`);
    }
    if (state.amplify !== undefined) {
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
function required(value) {
    if (value === undefined)
        throw new Error('Internal error: deploy state incomplete');
    return value;
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
    const report = { deleted: [], wouldDelete: [], kept: [], failed: [] };
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
    const refusal = refuseToDelete(branch, plan.prefix);
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
        await neon.deleteBranch(branch.id);
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




/** Whether running the plan calls Amplify; the composition root creates the port only then. */
function needsAmplify(plan, neonOnly = false) {
    switch (plan.kind) {
        case 'deploy':
            return !neonOnly;
        case 'cleanup':
            return plan.deleteAmplifyBranch || plan.clearAmplifyVariables;
        case 'reconcile':
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
            return deploy(plan, options);
        case 'cleanup':
            return cleanup(plan, options);
        case 'reconcile':
            return reconcile(plan, options);
    }
}

// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-amplify/dist-cjs/index.js
var dist_cjs = __webpack_require__(2747);
;// CONCATENATED MODULE: ./src/core/ports.ts
/**
 * What the executor needs from Neon and Amplify. The adapters in src/neon and src/amplify implement
 * these over the real clients; nothing in src/core performs I/O itself.
 */
const ACTIVE_JOB_STATUSES = ['CREATED', 'PENDING', 'PROVISIONING', 'RUNNING'];

;// CONCATENATED MODULE: ./src/amplify/errors.ts

const NETWORK_CODES = new Set([
    'ECONNREFUSED',
    'ECONNRESET',
    'ETIMEDOUT',
    'EPIPE',
    'ENOTFOUND',
    'EAI_AGAIN',
    'EHOSTUNREACH',
    'ENETUNREACH',
]);
/**
 * Turns whatever the SDK threw into an ApiError that names the step and keeps what Amplify said:
 * `Updating the environment variables of Amplify branch 'feat/x' failed: 400 BadRequestException:
 * ... (request id ...)`. Credential and permission failures get a hint saying which one it is.
 * Nothing here reads the credentials themselves, so no message can contain them.
 */
function toAmplifyError(error, call) {
    if (error instanceof errors/* ApiError */.hD)
        return error;
    if (isServiceError(error)) {
        const status = error.$metadata.httpStatusCode;
        const requestId = error.$metadata.requestId;
        const said = `${status ?? 'no status'} ${error.name}: ${error.message}`;
        const id = requestId === undefined || requestId === '' ? '' : ` (request id ${requestId})`;
        const hint = serviceHint(error.name, error.message, status, call);
        return new errors/* ApiError */.hD(call.step, `${said}${id}${hint === undefined ? '' : `. ${hint}`}`, {
            service: 'Amplify',
            status,
            code: error.name,
            requestId,
            cause: error,
        });
    }
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    const code = errorCode(error);
    let detail;
    if (name === 'CredentialsProviderError') {
        detail =
            `no AWS credentials found (${message}). In a workflow, add aws-actions/configure-aws-credentials ` +
                'before this step (an OIDC role needs `permissions: id-token: write`); elsewhere set ' +
                'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE';
    }
    else if (name === 'TimeoutError' || code === 'ETIMEDOUT') {
        detail = `Amplify did not answer in time (${message})`;
    }
    else if (code !== undefined && NETWORK_CODES.has(code)) {
        detail = `could not reach Amplify: ${code} ${message}`;
    }
    else {
        detail = `${name}: ${message}`;
    }
    return new errors/* ApiError */.hD(call.step, detail, { service: 'Amplify', code: code ?? name, cause: error });
}
/** A service exception (anything the SDK built from an HTTP answer) rather than a local failure. */
function isServiceError(error) {
    if (!(error instanceof Error))
        return false;
    const metadata = error.$metadata;
    return (typeof metadata === 'object' &&
        metadata !== null &&
        typeof metadata.httpStatusCode === 'number');
}
function serviceHint(name, message, status, call) {
    switch (name) {
        case 'UnrecognizedClientException':
        case 'InvalidClientTokenId':
            return 'AWS does not know the access key id: check the credentials this run was given (aws-actions/configure-aws-credentials, AWS_ACCESS_KEY_ID, AWS_SESSION_TOKEN)';
        case 'InvalidSignatureException':
        case 'SignatureDoesNotMatch':
            if (/signature expired/i.test(message))
                return 'The clock of this machine is off: sync it and retry';
            if (/region/i.test(message))
                return 'The request was signed for the wrong region: check aws-region';
            return 'The secret access key does not belong to the access key id: check AWS_SECRET_ACCESS_KEY';
        case 'ExpiredTokenException':
        case 'ExpiredToken':
            return 'The session credentials have expired: configure fresh ones';
        case 'MissingAuthenticationTokenException':
        case 'IncompleteSignatureException':
            return 'The request was not properly signed: check the AWS credentials and AWS_ENDPOINT_URL_AMPLIFY';
        case 'AccessDeniedException':
        case 'AccessDenied':
        case 'UnauthorizedException':
            return permissionHint(call);
        default:
            return status === 403 ? permissionHint(call) : undefined;
    }
}
function permissionHint(call) {
    return `The AWS identity may not call amplify:${call.operation} on app ${call.appId}: allow that action in its IAM policy`;
}
function errorCode(error) {
    if (typeof error !== 'object' || error === null)
        return undefined;
    const code = error.code;
    return typeof code === 'string' ? code : undefined;
}

;// CONCATENATED MODULE: ./src/amplify/client.ts


/**
 * The SDK client. The endpoint is deliberately not set here: the SDK reads AWS_ENDPOINT_URL_AMPLIFY
 * (then AWS_ENDPOINT_URL) itself, which is how tests and LocalStack-style setups redirect it.
 * Credentials come from the SDK's default chain (environment, web identity, profile, IMDS).
 */
function createAmplifyClient(options) {
    const client = new dist_cjs/* AmplifyClient */.SEA({
        region: options.region,
        // The SDK has no request timeout of its own, and its requestTimeout only warns unless told to
        // throw. A timed-out attempt is a TimeoutError, which the SDK's retry treats as transient.
        requestHandler: {
            requestTimeout: options.requestTimeoutMs,
            connectionTimeout: Math.min(options.requestTimeoutMs, 10_000),
            throwOnRequestTimeout: true,
        },
        ...options.clientConfig,
    });
    // The SDK retries throttling, 5xx and connection errors itself (3 attempts by default). This sits
    // inside its retry loop and says so when an attempt after the first goes out.
    client.middlewareStack.add((next, context) => {
        let previous;
        return async (args) => {
            const request = args.request;
            const attempt = /attempt=(\d+); max=(\d+)/.exec(request?.headers?.['amz-sdk-request'] ?? '');
            if (attempt !== null && attempt[1] !== '1' && previous !== undefined) {
                const operation = (context.commandName ?? 'request').replace(/Command$/, '');
                options.log.info(`Amplify ${operation}: ${previous}; retrying (attempt ${attempt[1]} of ${attempt[2]})`);
            }
            try {
                return await next(args);
            }
            catch (error) {
                previous = describeAttemptFailure(error);
                throw error;
            }
        };
    }, { step: 'finalizeRequest', priority: 'low', name: 'amplifyRetryLog' });
    return client;
}
function describeAttemptFailure(error) {
    if (isServiceError(error))
        return `${error.$metadata.httpStatusCode} ${error.name}: ${error.message}`;
    if (error instanceof Error) {
        const code = error.code;
        return typeof code === 'string' ? `${code} ${error.message}` : `${error.name}: ${error.message}`;
    }
    return String(error);
}

;// CONCATENATED MODULE: ./src/amplify/shapes.ts




/**
 * The SDK counts LimitExceededException as throttling and would retry it (three attempts, with
 * about a second of backoff each) before giving up. On StartJob it means a job is already pending or
 * running on the branch (or the account's concurrent-job quota is full), which the executor handles
 * itself (on-running-job), so it is passed through on the first answer.
 */
function passLimitExceededThrough(command) {
    command.middlewareStack.add((next) => async (args) => {
        try {
            return await next(args);
        }
        catch (error) {
            if (isServiceError(error) && error.name === 'LimitExceededException')
                throw new BusyBranch(error);
            throw error;
        }
    }, { step: 'deserialize', priority: 'high', name: 'amplifyStartJobNoThrottleRetry' });
}
/** Carries a StartJob LimitExceededException past the SDK's retry (which only retries errors it knows). */
class BusyBranch extends Error {
    original;
    name = 'BusyBranch';
    constructor(original) {
        super(original.message);
        this.original = original;
    }
}
function unwrapBusyBranch(error) {
    return error instanceof BusyBranch ? error.original : error;
}
function toBranch(branch, requested) {
    const name = branch?.branchName ?? requested;
    return {
        name,
        // Amplify always sends displayName; the fallback is its documented default.
        displayName: branch?.displayName ?? (0,naming/* amplifyDisplayName */.OE)(name),
        environmentVariables: { ...(branch?.environmentVariables ?? {}) },
    };
}
function toJob(summary, step) {
    const id = summary?.jobId;
    const status = summary?.status;
    if (id === undefined || status === undefined) {
        throw new errors/* ApiError */.hD(step, 'the answer has no job summary', { service: 'Amplify' });
    }
    // A status this code does not know could be active or final; guessing either way could start a
    // second build or wait forever, so it stops here with a clear error.
    if (!Object.values(dist_cjs/* JobStatus */.A8Q).includes(status)) {
        throw new errors/* ApiError */.hD(step, `job ${id} has an unknown status '${status}'`, { service: 'Amplify' });
    }
    return { id, status };
}

;// CONCATENATED MODULE: ./src/amplify/port.ts






/** ListBranches accepts at most 50 per page. */
const PAGE_SIZE = 50;
function createAmplifyPort(options) {
    return new AmplifyApiPort(options);
}
/** The Amplify port over the real SDK client; every failure leaves as an ApiError naming its step. */
class AmplifyApiPort {
    appId;
    log;
    client;
    deadline;
    /** GetApp's answer, kept once it came; see readApp. */
    app;
    constructor(options) {
        if (options.region === '') {
            throw new errors/* UsageError */.eb('Amplify needs a region: set aws-region, AWS_REGION or AWS_DEFAULT_REGION');
        }
        this.appId = options.appId;
        this.log = options.log;
        this.deadline = options.deadline;
        this.client = createAmplifyClient({
            region: options.region,
            log: options.log,
            clientConfig: options.clientConfig,
            requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
        });
    }
    async getApp() {
        const output = await this.readApp(`Reading Amplify app '${this.appId}'`);
        const defaultDomain = output.app?.defaultDomain;
        if (defaultDomain === undefined || defaultDomain === '') {
            throw new errors/* ApiError */.hD(`Reading Amplify app '${this.appId}'`, 'the answer has no defaultDomain', {
                service: 'Amplify',
                requestId: output.$metadata.requestId,
            });
        }
        return { defaultDomain };
    }
    async getBranch(name) {
        const step = `Reading Amplify branch '${name}'`;
        try {
            const output = await this.call('GetBranch', step, (sendOptions) => this.client.send(new dist_cjs/* GetBranchCommand */.QJU({ appId: this.appId, branchName: name }), sendOptions));
            return toBranch(output.branch, name);
        }
        catch (error) {
            if (!isNotFound(error))
                throw error;
            await this.readApp(step);
            return undefined;
        }
    }
    async createBranch({ name, environmentVariables, }) {
        const output = await this.call('CreateBranch', `Creating Amplify branch '${name}'`, (sendOptions) => this.client.send(new dist_cjs/* CreateBranchCommand */.YIB({
            appId: this.appId,
            branchName: name,
            // Off, so that creating the branch (or a later push) does not build it before the
            // variables are in place; this tool starts the job itself.
            enableAutoBuild: false,
            environmentVariables,
        }), sendOptions));
        return toBranch(output.branch, name);
    }
    async setEnvironmentVariables(name, variables) {
        const step = `Updating the environment variables of Amplify branch '${name}'`;
        const output = await this.call('UpdateBranch', step, (sendOptions) => this.client.send(new dist_cjs/* UpdateBranchCommand */.B2M({
            appId: this.appId,
            branchName: name,
            // UpdateBranch replaces the whole map, so this is the complete map, never a patch.
            // An empty map means "unchanged" to Amplify; `{"": ""}` is how to clear it.
            environmentVariables: Object.keys(variables).length === 0 ? { '': '' } : variables,
        }), sendOptions));
        return toBranch(output.branch, name);
    }
    async deleteBranch(name) {
        const step = `Deleting Amplify branch '${name}'`;
        try {
            await this.call('DeleteBranch', step, (sendOptions) => this.client.send(new dist_cjs/* DeleteBranchCommand */.hlR({ appId: this.appId, branchName: name }), sendOptions));
            return 'deleted';
        }
        catch (error) {
            if (!isNotFound(error))
                throw error;
            await this.readApp(step);
            return 'gone';
        }
    }
    async listBranchNames() {
        const step = `Listing the branches of Amplify app '${this.appId}'`;
        const names = [];
        const seen = new Set();
        const pages = (0,dist_cjs/* paginateListBranches */.cnC)({ client: this.client, pageSize: PAGE_SIZE }, { appId: this.appId });
        await this.call('ListBranches', step, async () => {
            for await (const page of pages) {
                for (const branch of page.branches ?? []) {
                    if (branch.branchName !== undefined)
                        names.push(branch.branchName);
                }
                const token = page.nextToken;
                if (token === undefined || token === '')
                    continue;
                // A token seen before would page forever (the paginator only notices one repeated at once).
                if (seen.has(token)) {
                    throw new errors/* ApiError */.hD(step, 'Amplify returned the same nextToken twice', {
                        service: 'Amplify',
                        requestId: page.$metadata.requestId,
                    });
                }
                seen.add(token);
            }
        });
        return names;
    }
    async startJob(branch) {
        const step = `Starting an Amplify job on branch '${branch}'`;
        const command = new dist_cjs/* StartJobCommand */.d7A({ appId: this.appId, branchName: branch, jobType: 'RELEASE' });
        passLimitExceededThrough(command);
        const output = await this.call('StartJob', step, (sendOptions) => this.client.send(command, sendOptions));
        return toJob(output.jobSummary, step);
    }
    async listActiveJobs(branch) {
        const step = `Reading the active job of Amplify branch '${branch}'`;
        // The branch's activeJobId names its newest job, and Amplify runs at most one job per branch
        // at a time (StartJob refuses a second), so GetBranch + GetJob find every active job with
        // only the routes DESIGN.md lists; ListJobs is not needed.
        const output = await this.call('GetBranch', step, (sendOptions) => this.client.send(new dist_cjs/* GetBranchCommand */.QJU({ appId: this.appId, branchName: branch }), sendOptions));
        const jobId = output.branch?.activeJobId;
        if (jobId === undefined || jobId === '' || jobId === '0')
            return [];
        try {
            const job = await this.getJob(branch, jobId);
            return ACTIVE_JOB_STATUSES.includes(job.status) ? [job] : [];
        }
        catch (error) {
            if (isNotFound(error))
                return [];
            throw error;
        }
    }
    async getJob(branch, jobId) {
        const step = `Reading Amplify job ${jobId} of branch '${branch}'`;
        const output = await this.call('GetJob', step, (sendOptions) => this.client.send(new dist_cjs/* GetJobCommand */.jEM({ appId: this.appId, branchName: branch, jobId }), sendOptions));
        return toJob(output.job?.summary, step);
    }
    async stopJob(branch, jobId) {
        await this.call('StopJob', `Stopping Amplify job ${jobId} of branch '${branch}'`, (sendOptions) => this.client.send(new dist_cjs/* StopJobCommand */.Viw({ appId: this.appId, branchName: branch, jobId }), sendOptions));
    }
    /** Runs one SDK call; every failure leaves as an ApiError naming the step. */
    async call(operation, step, run) {
        const what = { operation, step, appId: this.appId };
        const { deadline } = this;
        this.log.debug(`Amplify ${operation}: ${step}`);
        deadline?.check(step);
        try {
            // The SDK's retries and each attempt's timeout, cut to what is left of the run's budget.
            return await run(deadline === undefined ? {} : { abortSignal: deadline.signal() });
        }
        catch (error) {
            // An ApiError raised inside the call (a repeated page token) is already worded.
            if (error instanceof errors/* ApiError */.hD)
                throw error;
            if (deadline !== undefined && deadline.remainingMs() <= 0)
                throw deadline.exceeded(step, (0,errors/* messageOf */.bD)(error));
            throw toAmplifyError(unwrapBusyBranch(error), what);
        }
    }
    /**
     * GetApp at most once per port: a deploy reads the app for its domain while it reads the branch,
     * and a missing branch confirms the app again. Amplify answers NotFoundException for a missing app
     * as well as for a missing branch, so before a NotFound is read as "no such branch" the app is
     * looked up: a wrong app id fails loudly instead of looking like a branch that is not there. Only
     * an answer is kept; a failure is not, so each caller that meets one reports it under its own step.
     */
    readApp(step) {
        this.app ??= this.call('GetApp', step, (sendOptions) => this.client.send(new dist_cjs/* GetAppCommand */.vw$({ appId: this.appId }), sendOptions)).catch((error) => {
            this.app = undefined;
            throw error;
        });
        return this.app;
    }
}
function isNotFound(error) {
    return error instanceof errors/* ApiError */.hD && error.code === 'NotFoundException';
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
    constructor(budgetMs, now = Date.now) {
        this.budgetMs = budgetMs;
        this.now = now;
        this.end = now() + budgetMs;
    }
    remainingMs() {
        return Math.max(0, this.end - this.now());
    }
    /** A limit of the caller's own (a request timeout, a wait) cut to what is left of the budget. */
    cap(ms) {
        return Math.min(ms, this.remainingMs());
    }
    /** Throws when the budget is used up, naming the step that was about to start. */
    check(step) {
        if (this.remainingMs() <= 0)
            throw this.exceeded(step);
    }
    /** The error for a step the budget ran out in; `detail` says how the last attempt ended. */
    exceeded(step, detail) {
        return new errors/* TimeoutError */.MU(`${step} did not finish within the run's budget of ${formatDuration(this.budgetMs)} (timeout-minutes)${detail === undefined ? '' : `; the last attempt: ${detail}`}`);
    }
    /** An AbortSignal that fires when the budget runs out, for clients that take one. */
    signal() {
        return AbortSignal.timeout(Math.max(1, this.remainingMs()));
    }
}

// EXTERNAL MODULE: ./node_modules/@neondatabase/api-client/dist/index.js
var dist = __webpack_require__(3643);
;// CONCATENATED MODULE: ./src/neon/operations.ts


const SUCCEEDED = new Set(['finished', 'skipped']);
/** `cancelling` is not final yet, but it only ever ends in `cancelled`: waiting longer cannot help. */
const FAILED = new Set(['failed', 'error', 'cancelled', 'cancelling']);
const FINAL = new Set(['finished', 'skipped', 'failed', 'error', 'cancelled']);
/** Not yet in a final state: `scheduling`, `running` or `cancelling`. */
function isPending(operation) {
    return !FINAL.has(operation.status);
}
/** Polls each operation in turn until it finished or was skipped, under one deadline for all of them. */
async function waitForOperations(operationIds, options) {
    const deadline = options.now() + options.timeoutMs;
    for (const id of new Set(operationIds)) {
        let last;
        try {
            await pollUntil({
                label: `Neon operation ${id}`,
                timeoutMs: Math.max(0, deadline - options.now()),
                initialDelayMs: options.initialDelayMs,
                maxDelayMs: options.maxDelayMs,
                sleep: options.sleep,
                now: options.now,
                check: async () => {
                    last = await options.read(id);
                    options.log.debug(`Neon operation ${describe(id, last)}: ${last.status}`);
                    return settled(id, last);
                },
            });
        }
        catch (error) {
            if (!(error instanceof errors/* TimeoutError */.MU))
                throw error;
            throw new errors/* TimeoutError */.MU(`Neon operation ${describe(id, last)} did not finish within ${formatDuration(options.timeoutMs)}; ` +
                `its last status was '${last?.status ?? 'unknown'}'`);
        }
    }
}
function settled(id, operation) {
    if (SUCCEEDED.has(operation.status))
        return true;
    if (FAILED.has(operation.status)) {
        const reason = operation.error ? `: ${operation.error}` : '';
        throw new errors/* ApiError */.hD(`Neon operation ${describe(id, operation)}`, `it ended with status '${operation.status}'${reason}`, {
            service: 'Neon',
        });
    }
    return undefined;
}
/** `0b6a... (start_compute) on branch br-x`, as far as it is known. */
function describe(id, operation) {
    if (operation === undefined)
        return id;
    const branch = operation.branch_id ? ` on branch ${operation.branch_id}` : '';
    return `${id} (${operation.action})${branch}`;
}

;// CONCATENATED MODULE: ./src/core/rate-limiter.ts
/**
 * Neon's documented limit: 700 requests a minute, with bursts of up to 40 a second per route
 * (https://api-docs.neon.tech/reference/api-rate-limiting). Modelled as a pace of 40 a second of
 * which only half is spent at once, so that a request that reaches Neon a little early still finds
 * a token there, and a budget of 700 a minute, saved up to 700.
 */
const NEON_RATE_LIMITS = {
    pace: { ratePerSecond: 40, burst: 20 },
    budgets: [{ ratePerSecond: 700 / 60, burst: 700 }],
};
/**
 * Paces requests that run concurrently: each waits in one queue until every bucket has a token.
 * On a 429 it holds everyone back until `Retry-After` has passed, empties the pace bucket and
 * halves its rate (once for all the requests that were already in flight), then wins the rate back
 * slowly as answers come in.
 */
class RateLimiter {
    options;
    paceBucket;
    buckets;
    queue = [];
    pumping = false;
    blockedUntil = Number.NEGATIVE_INFINITY;
    slowedAt = Number.NEGATIVE_INFINITY;
    currentPace = 1;
    constructor(options) {
        this.options = options;
        const start = options.now();
        const limits = [options.limits.pace, ...(options.limits.budgets ?? [])];
        for (const { ratePerSecond, burst } of limits) {
            if (!(ratePerSecond > 0) || !(burst >= 1)) {
                throw new Error(`A rate limit needs a positive rate and a burst of at least 1, got ${ratePerSecond}/s and ${burst}`);
            }
        }
        this.buckets = limits.map((limit) => ({ ...limit, tokens: limit.burst, last: start }));
        this.paceBucket = this.buckets[0];
    }
    /** The share of its configured rate the pace runs at now (1 until the service answers 429). */
    get pace() {
        return this.currentPace;
    }
    /** Resolves when the request may be sent. */
    acquire() {
        return new Promise((resolve) => {
            this.queue.push(resolve);
            void this.pump();
        });
    }
    /** The request of `ticket` was answered 429: wait `retryAfterMs` (when given) and slow down. */
    throttled(ticket, retryAfterMs) {
        const now = this.options.now();
        this.refill(now);
        // Requests sent before the last slow-down were already on their way: one halving covers them.
        if (ticket.at > this.slowedAt) {
            this.currentPace = Math.max(this.options.minPace ?? 1 / 16, this.currentPace / 2);
            this.slowedAt = now;
        }
        if (retryAfterMs !== undefined && retryAfterMs > 0) {
            this.blockedUntil = Math.max(this.blockedUntil, now + retryAfterMs);
        }
        // Empty, refilling from the end of the wait so that one request may go then, as Retry-After
        // promises, and the rest follow at the slower pace. The budgets keep what they hold.
        const bucket = this.paceBucket;
        bucket.tokens = 0;
        bucket.last = Math.max(now, this.blockedUntil) - 1000 / this.rateOf(bucket);
    }
    /** A request was answered (anything but 429): the pace creeps back towards its full rate. */
    succeeded() {
        // What the pace bucket gained so far, at the rate it had.
        this.refill(this.options.now());
        this.currentPace = Math.min(1, this.currentPace * (1 + (this.options.recoveryPerRequest ?? 0.002)));
    }
    /** Lets the queued requests go one at a time, as tokens and the Retry-After wait allow. */
    async pump() {
        if (this.pumping)
            return;
        this.pumping = true;
        try {
            while (this.queue.length > 0) {
                const now = this.options.now();
                const wait = this.waitMs(now);
                if (wait > 0) {
                    // Whole milliseconds, as timers have them.
                    await this.options.sleep(Math.ceil(wait));
                    continue;
                }
                for (const bucket of this.buckets)
                    bucket.tokens -= 1;
                this.queue.shift()?.({ at: now });
            }
        }
        finally {
            this.pumping = false;
        }
    }
    /** How long until every bucket holds a token and no Retry-After is pending. */
    waitMs(now) {
        this.refill(now);
        let wait = this.blockedUntil - now;
        for (const bucket of this.buckets) {
            // Within rounding of a whole token counts as one: a clock near 1.7e12 ms cannot move by less.
            if (bucket.tokens < 1 - 1e-6) {
                wait = Math.max(wait, bucket.last - now + ((1 - bucket.tokens) * 1000) / this.rateOf(bucket));
            }
        }
        return wait;
    }
    /** Adds what each bucket earned up to `now`. */
    refill(now) {
        for (const bucket of this.buckets) {
            // `last` is in the future while a Retry-After wait runs: nothing refills before it.
            const earned = (Math.max(0, now - bucket.last) * this.rateOf(bucket)) / 1000;
            bucket.tokens = Math.min(bucket.burst, bucket.tokens + earned);
            bucket.last = Math.max(bucket.last, now);
        }
    }
    /** Tokens a second: the pace bucket's slowed by 429s, the budgets' as configured. */
    rateOf(bucket) {
        return bucket === this.paceBucket ? bucket.ratePerSecond * this.currentPace : bucket.ratePerSecond;
    }
}

// EXTERNAL MODULE: ./node_modules/p-retry/index.js + 1 modules
var p_retry = __webpack_require__(4995);
;// CONCATENATED MODULE: ./src/core/retry.ts

const DEFAULT_RETRY_POLICY = {
    retries: 5,
    minTimeoutMs: 500,
    maxTimeoutMs: 10_000,
    maxRetryAfterMs: 60_000,
};
/**
 * Runs `fn`, retrying only what `classify` calls retryable, with jittered exponential backoff
 * (p-retry). A `Retry-After` from the service is slept through `sleep`, so tests control it.
 */
async function withRetry(fn, options) {
    const { policy, deadline } = options;
    deadline?.check(options.label);
    return (0,p_retry/* default */.Ay)(fn, {
        ...(deadline === undefined ? {} : { maxRetryTime: deadline.remainingMs() }),
        retries: policy.retries,
        minTimeout: policy.minTimeoutMs,
        maxTimeout: policy.maxTimeoutMs,
        factor: 2,
        randomize: true,
        shouldRetry: ({ error }) => options.classify(error).retry && (options.deadline?.remainingMs() ?? 1) > 0,
        onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
            const verdict = options.classify(error);
            if (!verdict.retry || retriesLeft === 0)
                return;
            options.log(`${options.label}: attempt ${attemptNumber} failed (${error.message}); retrying, ${retriesLeft} left`);
            if (verdict.afterMs !== undefined && verdict.afterMs > 0) {
                const wait = Math.min(verdict.afterMs, policy.maxRetryAfterMs);
                // A Retry-After longer than what is left would only end in the same failure, later.
                if (deadline !== undefined && wait >= deadline.remainingMs())
                    throw deadline.exceeded(options.label, error.message);
                await options.sleep(wait);
            }
        },
    });
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
/** 423 (a conflicting operation is running), 429 (rate limit) and 5xx; never 400/401/403/404/409/422. */
function isRetryableStatus(status) {
    return status === 423 || status === 429 || (status >= 500 && status <= 599);
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
            detail: redact(describeNoAnswer(networkCode, error.message, context), context.apiKey),
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
    const hint = hintFor(status, code, context);
    return new NeonRequestError({
        detail: redact(`${status}${codePart}: ${truncate(said)}${requestPart}${hint ? `. ${hint}` : ''}`, context.apiKey),
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
            return `no answer from ${host} within ${formatDuration(context.requestTimeoutMs)} (the request timed out)`;
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
function hintFor(status, code, context) {
    if (status === 401) {
        return 'The Neon API key is wrong or has been revoked: check the neon-api-key setting (NEON_API_KEY)';
    }
    if (status === 403) {
        return `The Neon API key may not do this in project '${context.projectId}': check that neon-api-key belongs to an account or organization with access to neon-project-id`;
    }
    if (status === 422 && code === 'BRANCHES_LIMIT_EXCEEDED') {
        return "The branch quota of the Neon plan is full: delete unused preview branches (for example with 'command: reconcile') or raise the plan's branch limit";
    }
    if (status === 429)
        return 'Neon is rate limiting this API key; try again in a minute';
    return undefined;
}
function classifyNeonError(error) {
    if (error instanceof NeonRequestError) {
        return { retry: error.failure.retryable, afterMs: error.failure.retryAfterMs };
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
    return parseRetryAfter(headerValue(headers, 'retry-after'));
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
function redact(text, secret) {
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
        this.sleep = options.sleep ?? realSleep;
        this.policy = options.retry ?? DEFAULT_RETRY_POLICY;
        this.limiter =
            options.limiter ??
                new RateLimiter({
                    limits: options.rateLimits ?? NEON_RATE_LIMITS,
                    now: options.now ?? Date.now,
                    sleep: this.sleep,
                });
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
    /** One request with retries; every failure leaves as an ApiError naming `step`. */
    async call(step, request) {
        try {
            return await withRetry(
            // Every attempt, retries included, waits its turn at the limiter.
            () => this.attempt(request), {
                label: step,
                policy: this.policy,
                classify: classifyNeonError,
                sleep: this.sleep,
                log: (message) => this.options.log.warning(message),
                deadline: this.options.deadline,
            });
        }
        catch (error) {
            if (!(error instanceof NeonRequestError))
                throw error;
            const { deadline } = this.options;
            if (deadline !== undefined && deadline.remainingMs() <= 0)
                throw deadline.exceeded(step, error.message);
            throw toApiError(step, error);
        }
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

;// CONCATENATED MODULE: ./src/neon/port.ts




/**
 * Pages are fetched one after another (each needs the cursor of the one before), so a listing of a
 * large project costs a round trip and a rate-limit token per page: 1,000 a page (the API allows up
 * to 10,000) lists most projects in one, and keeps each answer under a megabyte or so.
 */
const BRANCH_PAGE_LIMIT = 1000;
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
    constructor(options) {
        this.options = options;
        this.projectId = options.projectId;
        this.neon = new NeonRequester(options);
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
        const branches = await this.listAllBranches(step, undefined);
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
    async createBranch({ name, parentId, suspendTimeoutSeconds }) {
        // A timeout or dropped connection is retried like any other: if the first POST did reach Neon,
        // the retry answers 409 and the executor treats the branch as one another run created.
        const { data } = await this.neon.call(`Creating Neon branch '${name}'`, (api) => api.createProjectBranch(this.projectId, {
            branch: { name, parent_id: parentId },
            endpoints: [
                {
                    type: dist.EndpointType.ReadWrite,
                    ...(suspendTimeoutSeconds === undefined
                        ? {}
                        : { suspend_timeout_seconds: suspendTimeoutSeconds }),
                },
            ],
        }));
        return {
            branch: toNeonBranch(data.branch),
            operationIds: data.operations.map((operation) => operation.id),
        };
    }
    async pendingOperationIds(branchId) {
        const { data } = await this.neon.call(`Listing the operations of Neon branch '${branchId}'`, (api) => api.listProjectOperations({ projectId: this.projectId, limit: OPERATIONS_PAGE_LIMIT }));
        return data.operations
            .filter((operation) => operation.branch_id === branchId && isPending(operation))
            .map((operation) => operation.id);
    }
    async waitForOperations(operationIds) {
        const { options } = this;
        await waitForOperations(operationIds, {
            read: async (id) => {
                const { data } = await this.neon.call(`Reading Neon operation ${id}`, (api) => api.getProjectOperation(this.projectId, id));
                return data.operation;
            },
            timeoutMs: this.capped(options.operationTimeoutMs ?? 10 * 60_000),
            initialDelayMs: options.operationPollInitialMs ?? 300,
            maxDelayMs: options.operationPollMaxMs ?? 5_000,
            sleep: this.neon.sleep,
            now: options.now ?? Date.now,
            log: options.log,
        });
    }
    async deleteBranch(branchId) {
        // The delete's own operations are not awaited (DESIGN.md): nothing depends on them finishing.
        try {
            const response = await this.neon.call(`Deleting Neon branch '${branchId}'`, (api) => api.deleteProjectBranch({ projectId: this.projectId, branchId }));
            // 204: Neon's answer for a branch that was deleted before.
            return response.status === 204 ? 'gone' : 'deleted';
        }
        catch (error) {
            if (error instanceof errors/* ApiError */.hD && error.status === 404)
                return 'gone';
            throw error;
        }
    }
    async listDatabases(branchId) {
        const { data } = await this.neon.call(`Listing the databases of Neon branch '${branchId}'`, (api) => api.listProjectBranchDatabases(this.projectId, branchId));
        return data.databases.map((database) => ({ name: database.name, ownerName: database.owner_name }));
    }
    async resetRolePassword(branchId, roleName) {
        const { data } = await this.neon.call(`Resetting the password of role '${roleName}' on Neon branch '${branchId}'`, (api) => api.resetProjectBranchRolePassword(this.projectId, branchId, roleName));
        await this.waitForOperations(data.operations.map((operation) => operation.id));
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
    /** A wait of the port's own, cut to what is left of the run's budget. */
    capped(ms) {
        return this.options.deadline?.cap(ms) ?? ms;
    }
    /**
     * Every page of branches, oldest first. Sorting by `created_at` rather than the default
     * `updated_at` keeps a branch that changes while we page from moving between pages.
     */
    async listAllBranches(step, search) {
        const seen = new Map();
        let cursor;
        for (;;) {
            const { data } = await this.neon.call(step, (api) => api.listProjectBranches({
                projectId: this.projectId,
                ...(search ? { search } : {}),
                sort_by: 'created_at',
                sort_order: 'asc',
                limit: this.options.branchPageLimit ?? BRANCH_PAGE_LIMIT,
                ...(cursor ? { cursor } : {}),
            }));
            for (const branch of data.branches)
                seen.set(branch.id, branch);
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
function toNeonBranch(branch) {
    return {
        id: branch.id,
        name: branch.name,
        default: branch.default === true,
        protected: branch.protected === true,
        parentId: branch.parent_id,
    };
}

;// CONCATENATED MODULE: ./src/runner.ts





/** The composition root every front end calls: real ports from settings, then the executor. */
async function runPlan(plan, options) {
    const { settings, log } = options;
    const neonOnly = options.neonOnly ?? false;
    // Checked before the first request: a plan that calls Amplify without an app or region fails up front.
    const target = needsAmplify(plan, neonOnly) ? (0,core_settings/* requireAmplify */.ey)(settings) : undefined;
    const deadline = new Deadline(settings.timeoutMinutes * 60_000);
    const neon = createNeonPort({
        apiKey: settings.neonApiKey,
        apiHost: settings.neonApiHost,
        projectId: settings.neonProjectId,
        log,
        deadline,
        ...(options.sleep ? { sleep: options.sleep } : {}),
    });
    const amplify = target && createAmplifyPort({ ...target, log, deadline });
    return execute(plan, { ...options, neon, amplify, neonOnly });
}

;// CONCATENATED MODULE: ./src/action/work.ts


/**
 * The part of the action that talks to Neon and Amplify, imported by main.ts only when the plan
 * has work: it brings the AWS SDK, the Neon client and every flow with it.
 */
async function work(plan, { report, ...options }) {
    try {
        return await runPlan(plan, options);
    }
    catch (error) {
        // What was deleted before the failure is still reported: the outputs and the summary list it.
        if (error instanceof ReconcileError)
            await report(plan, error.result);
        throw error;
    }
}


/***/ })

};
