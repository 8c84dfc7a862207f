export const id = 323;
export const ids = [323];
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

/***/ 6323:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runAndPublish: () => (/* binding */ runAndPublish)
});

// EXTERNAL MODULE: ./src/core/executor.ts + 18 modules
var executor = __webpack_require__(610);
// EXTERNAL MODULE: ./src/core/console-links.ts
var console_links = __webpack_require__(4630);
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

// EXTERNAL MODULE: ./src/core/redact.ts
var redact = __webpack_require__(2258);
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
            `${markdown_link(neonName, (0,console_links/* neonBranchConsoleUrl */.Z)(neon.projectId, neon.branchId))} · ${neon.created ? 'created by this run' : 'reused'}`,
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
    const consoleUrl = (0,console_links/* amplifyDeploymentsConsoleUrl */.B)(amplify.region, amplify.appId, amplify.branch);
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

// EXTERNAL MODULE: ./src/core/naming.ts
var naming = __webpack_require__(2607);
// EXTERNAL MODULE: ./src/core/errors.ts
var errors = __webpack_require__(4296);
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
            return settle(input, own, body, undefined);
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
    return settle(input, after, body, created.id);
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
async function settle(input, marked, body, createdId) {
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
                : Promise.all(/* import() */[__webpack_require__.e(413), __webpack_require__.e(584)]).then(__webpack_require__.bind(__webpack_require__, 6584)).then(({ createGitHubClient }) => createGitHubClient({ token: target.token, baseUrl: target.apiUrl, log }));
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
        else if (error instanceof executor/* AmplifyJobError */.UB && !error.timedOut) {
            await this.status('failure', { description: `${job} ended ${result.job?.status ?? 'unsuccessfully'}` });
        }
        else {
            const what = error instanceof executor/* AmplifyJobError */.UB ? `${job} did not end in time` : 'The deploy failed';
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
            logUrl: (0,console_links/* amplifyDeploymentsConsoleUrl */.B)(settings.awsRegion ?? '', settings.amplifyAppId ?? '', this.plan.gitBranch),
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

// EXTERNAL MODULE: ./src/core/amplify-settings.ts
var amplify_settings = __webpack_require__(1541);
// EXTERNAL MODULE: ./src/core/duration.ts
var duration = __webpack_require__(8571);
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

// EXTERNAL MODULE: ./src/core/poll.ts
var poll = __webpack_require__(8822);
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
        return await (0,poll/* pollUntil */.g)({
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
const FACTOR = 1.5;
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
    return Math.min(maxMs, Math.round(2 * denseMs * FACTOR ** (n - DENSE_READS - 1)));
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

// EXTERNAL MODULE: ./src/core/sleep.ts
var sleep = __webpack_require__(6312);
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
/** A limiter over Neon's documented limit (or `limits`), on real time unless given a clock. */
function neonRateLimiter(options = {}) {
    return new RateLimiter({
        limits: options.limits ?? NEON_RATE_LIMITS,
        now: options.now ?? Date.now,
        sleep: options.sleep ?? sleep/* realSleep */.u,
    });
}
/**
 * Paces requests that run concurrently: each waits in one queue until every bucket has a token.
 * On a 429 it holds everyone back until `Retry-After` has passed, empties the pace bucket and
 * halves its rate (once for all the requests that were already in flight), then wins the rate back
 * slowly as answers come in. The first 429 of a slow-down also empties the budgets: a budget saved
 * up while this process was idle is not Neon's, whose account other processes (or the same key's
 * other runs) may have spent, and which may save up less than a whole minute's worth. From empty, a
 * budget lets requests through at its own rate, which a 429 never slows.
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
            // Refilling from now, as the service's own bucket does once it is empty.
            for (const bucket of this.buckets)
                if (bucket !== this.paceBucket)
                    bucket.tokens = 0;
        }
        if (retryAfterMs !== undefined && retryAfterMs > 0) {
            this.blockedUntil = Math.max(this.blockedUntil, now + retryAfterMs);
        }
        // Empty, refilling from the end of the wait so that one request may go then, as Retry-After
        // promises, and the rest follow at the slower pace.
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
        this.sleep = options.sleep ?? sleep/* realSleep */.u;
        this.policy = options.retry ?? retry/* DEFAULT_RETRY_POLICY */.cO;
        this.limiter =
            options.limiter ?? neonRateLimiter({ limits: options.rateLimits, now: options.now, sleep: this.sleep });
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
    const target = (0,executor/* needsAmplify */.I6)(plan, neonOnly) ? (0,amplify_settings/* requireAmplify */.ey)(settings) : undefined;
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
    return (0,executor/* execute */.g7)(plan, { ...options, neon, amplify, neonOnly, deadline, migrate: shellMigration });
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
        const partial = (0,executor/* resultOf */.Bg)(error);
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
