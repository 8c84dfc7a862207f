export const id = 208;
export const ids = [208];
export const modules = {

/***/ 7208:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  createAmplifyPort: () => (/* binding */ createAmplifyPort)
});

// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-amplify/dist-cjs/index.js
var dist_cjs = __webpack_require__(2747);
// EXTERNAL MODULE: ./src/core/amplify-settings.ts
var amplify_settings = __webpack_require__(1541);
// EXTERNAL MODULE: ./src/core/errors.ts
var errors = __webpack_require__(4296);
// EXTERNAL MODULE: ./src/core/ports.ts
var ports = __webpack_require__(4119);
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
                // A warning, as Neon's retries are: the run goes on, but someone may want to know.
                options.log.warning(`Amplify ${operation}: ${previous}; retrying (attempt ${attempt[1]} of ${attempt[2]})`);
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

// EXTERNAL MODULE: ./src/core/naming.ts
var naming = __webpack_require__(2607);
;// CONCATENATED MODULE: ./src/amplify/shapes.ts




/**
 * The SDK counts LimitExceededException as throttling and would retry it (three attempts, with
 * about a second of backoff each) before giving up. Amplify's model describes it as a quota ("A
 * resource could not be created because service quotas were exceeded"), which a second later is as
 * full as before. On StartJob a job is already pending or running on the branch, or the account's
 * concurrent-job quota is full, which the executor handles itself (on-running-job, the quota wait);
 * on CreateBranch the app holds its 50 branches, which no retry changes. So it is passed through on
 * the first answer.
 */
function passLimitExceededThrough(command) {
    // The middleware reads neither input nor output, so either command's stack takes it; TypeScript
    // cannot pick an `add` overload on the union of the two stacks.
    const stack = command.middlewareStack;
    stack.add((next) => async (args) => {
        try {
            return await next(args);
        }
        catch (error) {
            if (isServiceError(error) && error.name === 'LimitExceededException')
                throw new PassedLimitExceeded(error);
            throw error;
        }
    }, { step: 'deserialize', priority: 'high', name: 'amplifyLimitExceededNoRetry' });
}
/** Carries a LimitExceededException past the SDK's retry (which only retries errors it knows). */
class PassedLimitExceeded extends Error {
    original;
    name = 'PassedLimitExceeded';
    constructor(original) {
        super(original.message);
        this.original = original;
    }
}
function unwrapLimitExceeded(error) {
    return error instanceof PassedLimitExceeded ? error.original : error;
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
function toJob(summary, step, steps) {
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
    return steps === undefined ? { id, status } : { id, status, steps: steps.flatMap(toStep) };
}
/** A step as the core sees it; its presigned `logUrl` is left behind, so no log line can carry it. */
function toStep(step) {
    const { stepName, status, statusReason } = step;
    if (stepName === undefined || status === undefined)
        return [];
    return [{ name: stepName, status, ...(statusReason ? { statusReason } : {}) }];
}

;// CONCATENATED MODULE: ./src/amplify/port.ts







/**
 * The map that clears every variable. Amplify reads an empty map as "unchanged" and refuses an
 * empty key ("Environment variables cannot have an empty key."); one key of a single space with an
 * empty value clears the map (README.md, "Safety rules", cleanup).
 */
const CLEARED = { ' ': '' };
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
        // The settings never give an empty region; a caller that builds the options itself gets the same error.
        (0,amplify_settings/* requireRegion */.CI)({ awsRegion: options.region === '' ? undefined : options.region });
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
        const command = new dist_cjs/* CreateBranchCommand */.YIB({
            appId: this.appId,
            branchName: name,
            // Off, so that creating the branch (or a later push) does not build it before the
            // variables are in place; this tool starts the job itself.
            enableAutoBuild: false,
            environmentVariables,
        });
        // The app is full: no retry makes room.
        passLimitExceededThrough(command);
        const output = await this.call('CreateBranch', `Creating Amplify branch '${name}'`, (sendOptions) => this.client.send(command, sendOptions));
        return toBranch(output.branch, name);
    }
    async setEnvironmentVariables(name, variables) {
        const step = `Updating the environment variables of Amplify branch '${name}'`;
        const output = await this.call('UpdateBranch', step, (sendOptions) => this.client.send(new dist_cjs/* UpdateBranchCommand */.B2M({
            appId: this.appId,
            branchName: name,
            // UpdateBranch replaces the whole map, so this is the complete map, never a patch.
            environmentVariables: Object.keys(variables).length === 0 ? CLEARED : variables,
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
        const job = await this.latestJob(branch);
        return job !== undefined && ports/* ACTIVE_JOB_STATUSES */.g.includes(job.status) ? [job] : [];
    }
    async latestJob(branch) {
        const step = `Reading the active job of Amplify branch '${branch}'`;
        // The branch's activeJobId names its newest job, and Amplify runs at most one job per branch
        // at a time (StartJob refuses a second), so GetBranch + GetJob find every active job with
        // only the routes the README's IAM policy allows; ListJobs is not needed.
        const output = await this.call('GetBranch', step, (sendOptions) => this.client.send(new dist_cjs/* GetBranchCommand */.QJU({ appId: this.appId, branchName: branch }), sendOptions));
        const jobId = output.branch?.activeJobId;
        if (jobId === undefined || jobId === '' || jobId === '0')
            return undefined;
        try {
            return await this.getJob(branch, jobId);
        }
        catch (error) {
            if (isNotFound(error))
                return undefined;
            throw error;
        }
    }
    async getJob(branch, jobId) {
        const step = `Reading Amplify job ${jobId} of branch '${branch}'`;
        const output = await this.call('GetJob', step, (sendOptions) => this.client.send(new dist_cjs/* GetJobCommand */.jEM({ appId: this.appId, branchName: branch, jobId }), sendOptions));
        return toJob(output.job?.summary, step, output.job?.steps);
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
            deadline?.check(step, (0,errors/* messageOf */.bD)(error));
            throw toAmplifyError(unwrapLimitExceeded(error), what);
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


/***/ })

};
