export const id = 584;
export const ids = [584,203];
export const modules = {

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

/***/ 6584:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   GITHUB_RETRY_POLICY: () => (/* binding */ GITHUB_RETRY_POLICY),
/* harmony export */   createGitHubClient: () => (/* binding */ createGitHubClient)
/* harmony export */ });
/* harmony import */ var _actions_github__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(2413);
/* harmony import */ var _core_retry_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(7253);


/**
 * Comments and deployments are extras, so retries are few and short: a run should not sit for a
 * minute on GitHub after its real work is done.
 */
const GITHUB_RETRY_POLICY = {
    ..._core_retry_js__WEBPACK_IMPORTED_MODULE_1__/* .DEFAULT_RETRY_POLICY */ .cO,
    retries: 2,
    minTimeoutMs: 500,
    maxTimeoutMs: 4_000,
    maxRetryAfterMs: 20_000,
};
const DEFAULT_TIMEOUT_MS = 15_000;
/**
 * Octokit with a timeout on every request and retries for what heals by waiting: no answer, 5xx,
 * 429, and a 403 that carries `retry-after` (GitHub's secondary rate limit). Retrying a POST can
 * leave a duplicate comment or deployment if the first attempt landed; the sticky comment removes
 * duplicates and a second deployment is harmless, which is why POSTs are retried at all.
 */
function createGitHubClient(options) {
    const client = (0,_actions_github__WEBPACK_IMPORTED_MODULE_0__/* .getOctokit */ .Q)(options.token, options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl });
    const timeoutMs = options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    const sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    client.hook.wrap('request', (request, requestOptions) => (0,_core_retry_js__WEBPACK_IMPORTED_MODULE_1__/* .withRetry */ .bD)(async () => {
        // A fresh signal per attempt, its timer cleared once answered, so no timer outlives a request.
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(new Error(`timeout: no answer within ${timeoutMs} ms`)), timeoutMs);
        // Mutated, not copied: before-after-hook binds the same options object into every wrapper,
        // and the token hook inside this one ignores options passed in a call.
        requestOptions.request = { ...requestOptions.request, signal: controller.signal };
        try {
            return await request(requestOptions);
        }
        finally {
            clearTimeout(timer);
        }
    }, {
        label: `GitHub ${requestOptions.method} ${routeOf(requestOptions.url)}`,
        policy: options.retry ?? GITHUB_RETRY_POLICY,
        classify: classifyGitHubError,
        sleep,
        log: (message) => options.log.info(message),
    }));
    return client;
}
/** The route template, not the expanded URL: a branch name in the path is the user's, not a log field. */
function routeOf(url) {
    return url.replace(/^https?:\/\/[^/]+/, '');
}
function classifyGitHubError(error) {
    const { status, response } = (error ?? {});
    if (response === undefined) {
        // No answer at all: a dropped connection, a refused one, or our own timeout.
        return { retry: typeof status !== 'number' || status === 500 };
    }
    const code = typeof response.status === 'number' ? response.status : 0;
    const retryAfter = (0,_core_retry_js__WEBPACK_IMPORTED_MODULE_1__/* .parseRetryAfter */ .mu)(response.headers?.['retry-after']);
    if (code === 429 || (code >= 500 && code <= 599))
        return { retry: true, afterMs: retryAfter };
    if (code === 403 && retryAfter !== undefined)
        return { retry: true, afterMs: retryAfter };
    return { retry: false };
}


/***/ }),

/***/ 4995:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  Ay: () => (/* binding */ pRetry)
});

// UNUSED EXPORTS: AbortError, makeRetriable

;// CONCATENATED MODULE: ./node_modules/is-network-error/index.js
const objectToString = Object.prototype.toString;

const isError = value => objectToString.call(value) === '[object Error]';

const errorMessages = new Set([
	'network error', // Chrome
	'NetworkError when attempting to fetch resource.', // Firefox
	'The Internet connection appears to be offline.', // Safari 16
	'Network request failed', // `cross-fetch`
	'fetch failed', // Undici (Node.js)
	'terminated', // Undici (Node.js)
	' A network error occurred.', // Bun (WebKit)
	'Network connection lost', // Cloudflare Workers (fetch)
]);

function isNetworkError(error) {
	const isValid = error
		&& isError(error)
		&& error.name === 'TypeError'
		&& typeof error.message === 'string';

	if (!isValid) {
		return false;
	}

	const {message, stack} = error;

	// Safari 17+ has generic message but no stack for network errors
	if (message === 'Load failed' || (message.startsWith('Load failed (') && message.endsWith(')'))) {
		return stack === undefined
			// Sentry adds its own stack trace to the fetch error, so also check for that
			|| '__sentry_captured__' in error;
	}

	// Deno network errors start with specific text
	if (message.startsWith('error sending request for url')) {
		return true;
	}

	// Chrome: exact "Failed to fetch" or with hostname: "Failed to fetch (example.com)"
	if (message === 'Failed to fetch' || (message.startsWith('Failed to fetch (') && message.endsWith(')'))) {
		return true;
	}

	// Standard network error messages
	return errorMessages.has(message);
}

;// CONCATENATED MODULE: ./node_modules/p-retry/index.js


function validateRetries(retries) {
	if (typeof retries === 'number') {
		if (retries < 0) {
			throw new TypeError('Expected `retries` to be a non-negative number.');
		}

		if (Number.isNaN(retries)) {
			throw new TypeError('Expected `retries` to be a valid number or Infinity, got NaN.');
		}

		// Not `Number.isSafeInteger`, which would reject a huge `retries`. That is accepted on purpose and behaves as effectively forever.
		// eslint-disable-next-line unicorn/prefer-number-is-safe-integer
		if (Number.isFinite(retries) && !Number.isInteger(retries)) {
			throw new TypeError('Expected `retries` to be a non-negative integer or Infinity.');
		}
	} else if (retries !== undefined) {
		throw new TypeError('Expected `retries` to be a number or Infinity.');
	}
}

function validateNumberOption(name, value, {allowInfinity = false} = {}) {
	if (typeof value !== 'number' || Number.isNaN(value)) {
		throw new TypeError(`Expected \`${name}\` to be a number${allowInfinity ? ' or Infinity' : ''}.`);
	}

	if (!allowInfinity && !Number.isFinite(value)) {
		throw new TypeError(`Expected \`${name}\` to be a finite number.`);
	}

	if (value < 0) {
		throw new TypeError(`Expected \`${name}\` to be \u{2265} 0.`);
	}
}

function validateOption(name, value, type) {
	// `null` means "not provided", as it does for the other options. `unref` needs this because it is the one option with no default of its own.
	if (value === undefined || value === null) {
		return;
	}

	if (typeof value !== type) {
		throw new TypeError(`Expected \`${name}\` to be a ${type}.`);
	}
}

function validateSignal(value) {
	// `null` means "not provided", as it does for the other options.
	if (value === undefined || value === null) {
		return;
	}

	// Duck typed rather than `instanceof`, so a signal from another realm still works. All three methods are checked because `removeEventListener` is called from inside a timer callback, where a `TypeError` would be an uncaught exception rather than a rejection the caller could catch.
	if (typeof value.throwIfAborted !== 'function'
		|| typeof value.addEventListener !== 'function'
		|| typeof value.removeEventListener !== 'function') {
		throw new TypeError('Expected `signal` to be an AbortSignal.');
	}
}

class AbortError extends Error {
	constructor(message) {
		super(typeof message === 'string' ? message : undefined);

		this.name = 'AbortError';

		if (message instanceof Error) {
			this.originalError = message;
			({message} = message);
		} else {
			// Created here, so it already captures every caller frame. Copying `this.stack` instead would only rewrite the header, which is rendered lazily from `name` and `message` at read time. It also stringifies a non-string message, so reuse its result below.
			this.originalError = new Error(message);
			({message} = this.originalError);

			// The caller sees this error, so the frame for this constructor is dropped where the runtime supports it. Left in, the top frame blames p-retry for an error the caller threw. An error the caller passed keeps its own stack, which points at their throw site already. V8-only, hence the lint exception, and the optional call leaves the stack as it is where it is missing.
			// eslint-disable-next-line unicorn/no-nonstandard-builtin-properties
			Error.captureStackTrace?.(this.originalError, AbortError);
		}

		this.message = message;
	}
}

// `setTimeout` cannot represent a longer delay and fires it right away instead, which turns a long backoff into a tight retry loop. Cap at the largest value it can still hold.
const maximumDelay = (2 ** 31) - 1;

function calculateDelay(retriesConsumed, options) {
	// Nothing to wait for, and multiplying by a factor that has grown to `Infinity` would give `NaN`.
	if (options.minTimeout === 0) {
		return 0;
	}

	// `retriesConsumed` starts at 0 and only ever counts up, so the first retry is already attempt 1.
	const attempt = retriesConsumed + 1;
	const random = options.randomize ? (Math.random() + 1) : 1;

	const timeout = Math.round(random * options.minTimeout * (options.factor ** (attempt - 1)));

	// `maxTimeout` rounds up, so a fractional cap still gives a whole number of milliseconds. Rounding down would turn a cap below 1 into no timer at all, which never yields to the event loop. `Math.ceil(Infinity)` is `Infinity`.
	return Math.min(timeout, Math.ceil(options.maxTimeout), maximumDelay);
}

function calculateRemainingTime(start, max) {
	return Number.isFinite(max) ? max - (performance.now() - start) : max;
}

async function delayForRetry(delay, options) {
	if (delay <= 0) {
		return;
	}

	await new Promise((resolve, reject) => {
		// Registered with `once`, so it removes itself when it fires.
		const onAbort = () => {
			clearTimeout(timeoutToken);
			reject(options.signal.reason);
		};

		const timeoutToken = setTimeout(() => {
			options.signal?.removeEventListener('abort', onAbort);
			resolve();
		}, delay);

		if (options.unref) {
			timeoutToken.unref?.();
		}

		options.signal?.addEventListener('abort', onAbort, {once: true});
	});
}

// Stringifying a thrown value can itself throw, for an object with no usable `toString`. That must never be allowed to replace the failure the caller is actually dealing with.
//
// A thrown value whose own accessors or proxy traps throw is not supported, here or anywhere else. It comes from the caller's own code, so it is not something to defend against.
function stringifyThrownValue(value) {
	try {
		return String(value);
	} catch {
		return Object.prototype.toString.call(value);
	}
}

// `AbortError` wraps the error the caller actually wants, and the wrappers can be nested, so keep unwrapping until the cause is reached. Otherwise an `AbortError` would escape `pRetry` and a `catch` doing `error instanceof AbortError` would read a real failure as a cancellation.
//
// Two wrappers whose `originalError` points at each other are not supported, like the thrown values above.
function unwrapAbortError(error) {
	let cause = error;

	// A wrapper with no error to unwrap to is the cause as far as it goes.
	while (cause instanceof AbortError && cause.originalError instanceof Error) {
		cause = cause.originalError;
	}

	return cause;
}

async function onAttemptFailure({error, attemptNumber, retriesConsumed, startTime, options}) {
	// The signal is checked after the operation and after every callback, so a cancellation is never reported as an operation failure or a callback's decision, and no callback runs after it. The last check also guards the delay, whose abort listener never fires on a signal that is already aborted.
	const abortIfNeeded = () => {
		options.signal?.throwIfAborted();
	};

	const normalizedError = error instanceof Error
		? error
		: new TypeError(`Non-error was thrown: "${stringifyThrownValue(error)}". You should only throw errors.`);

	// Checked before unwrapping an `AbortError`, because the reason a caller aborted with is final. Unwrapping it would replace the reason they chose with whatever is inside it, and it would also let an `AbortError` from the operation outrank a cancellation the caller asked for.
	abortIfNeeded();

	if (normalizedError instanceof AbortError) {
		throw unwrapAbortError(normalizedError);
	}

	// `retriesConsumed` only ever advances while `retriesLeft` is above 0, so this is never negative. `Infinity` minus a finite count is `Infinity`, so an unlimited budget needs no special case.
	const retriesLeft = options.retries - retriesConsumed;

	// A `TypeError` normally means the operation itself is broken rather than the thing it was trying to reach, so retrying it does not help. A network `TypeError` is the exception, and its message differs per runtime, so it has to be recognised rather than assumed.
	const isRetriableError = !(normalizedError instanceof TypeError) || isNetworkError(normalizedError);

	// Out of time already, out of retries, or a failure that is never retried, so the delay is 0 and the callbacks are told that no retry follows. Only computed when a retry can still follow, so a randomized delay does not draw from `Math.random` for a wait that is never taken.
	const timeLeft = calculateRemainingTime(startTime, options.maxRetryTime);
	const delayTime = isRetriableError && timeLeft > 0 && retriesLeft > 0 ? calculateDelay(retriesConsumed, options) : 0;

	const consumeRetryContext = Object.freeze({
		error: normalizedError,
		attemptNumber,
		retriesLeft,
		retriesConsumed,
		retryDelay: delayTime,
	});

	// No answer means no opinion, so fall back to the default. Treating it as `false` instead would leave `retries` uncounted and let the loop run forever.
	const consumeRetry = (await options.shouldConsumeRetry(consumeRetryContext)) ?? true;

	abortIfNeeded();

	const effectiveDelay = consumeRetry ? delayTime : 0;
	const context = Object.freeze({
		error: normalizedError,
		attemptNumber,
		retriesLeft,
		retriesConsumed,
		retryDelay: effectiveDelay,
	});

	await options.onFailedAttempt(context);

	abortIfNeeded();

	const remainingTime = calculateRemainingTime(startTime, options.maxRetryTime);

	// No time or budget left, or a failure that retrying cannot help with.
	if (
		!isRetriableError
		|| remainingTime <= 0
		|| retriesLeft <= 0
	) {
		throw normalizedError;
	}

	const shouldRetry = await options.shouldRetry(context);

	abortIfNeeded();

	if (!shouldRetry) {
		throw normalizedError;
	}

	const remainingTimeAfterShouldRetry = calculateRemainingTime(startTime, options.maxRetryTime);

	if (remainingTimeAfterShouldRetry <= 0) {
		throw normalizedError;
	}

	if (!consumeRetry) {
		return false;
	}

	await delayForRetry(Math.min(effectiveDelay, remainingTimeAfterShouldRetry), options);

	return true;
}

async function pRetry(input, options = {}) {
	options = {...options};

	// Applied before validating, so that `null` means "not provided" here as it does for every other option.
	options.retries ??= 10;

	validateRetries(options.retries);

	if (Object.hasOwn(options, 'forever')) {
		throw new Error('The `forever` option is no longer supported. For many use-cases, you can set `retries: Infinity` instead.');
	}

	options.factor ??= 2;
	options.minTimeout ??= 1000;
	options.maxTimeout ??= Infinity;
	options.maxRetryTime ??= Infinity;
	options.randomize ??= false;
	options.onFailedAttempt ??= () => {};
	options.shouldRetry ??= () => true;
	options.shouldConsumeRetry ??= () => true;

	// Validate the options that have a runtime type to check.
	validateOption('onFailedAttempt', options.onFailedAttempt, 'function');
	validateOption('shouldRetry', options.shouldRetry, 'function');
	validateOption('shouldConsumeRetry', options.shouldConsumeRetry, 'function');
	validateOption('randomize', options.randomize, 'boolean');
	validateOption('unref', options.unref, 'boolean');
	validateSignal(options.signal);
	validateNumberOption('factor', options.factor);
	validateNumberOption('minTimeout', options.minTimeout);
	validateNumberOption('maxTimeout', options.maxTimeout, {allowInfinity: true});
	validateNumberOption('maxRetryTime', options.maxRetryTime, {allowInfinity: true});

	// A negative factor is rejected above, so this only catches `0`. Treat it as `1` to keep the delay constant instead of dropping to zero after the first retry.
	if (options.factor === 0) {
		options.factor = 1;
	}

	options.signal?.throwIfAborted();

	let attemptNumber = 0;
	let retriesConsumed = 0;
	const startTime = performance.now();

	// A consumed count is always finite, so `Infinity` keeps this true and needs no special case.
	while (retriesConsumed <= options.retries) {
		attemptNumber++;

		try {
			options.signal?.throwIfAborted();

			const result = await input(attemptNumber);

			options.signal?.throwIfAborted();

			return result;
		} catch (error) {
			if (await onAttemptFailure({
				error,
				attemptNumber,
				retriesConsumed,
				startTime,
				options,
			})) {
				retriesConsumed++;
			}
		}
	}

	// Unreachable: `onAttemptFailure` throws once `retriesLeft` reaches 0, which is the same state the loop condition tests, so the loop is always left by a throw. Kept as a guard against a future change to either side breaking that pairing.
	throw new Error('Retry attempts exhausted without throwing an error.');
}

function makeRetriable(function_, options) {
	return function (...arguments_) {
		return pRetry(() => function_.apply(this, arguments_), options);
	};
}


/***/ })

};
