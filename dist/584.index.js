export const id = 584;
export const ids = [584];
export const modules = {

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


/***/ })

};
