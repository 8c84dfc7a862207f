export const id = 324;
export const ids = [324];
export const modules = {

/***/ 324:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runShellMigration: () => (/* binding */ runShellMigration)
});

// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __webpack_require__(1421);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: ./src/core/duration.ts
var duration = __webpack_require__(8571);
// EXTERNAL MODULE: ./src/core/errors.ts
var errors = __webpack_require__(4296);
// EXTERNAL MODULE: ./src/core/migrate-settings.ts
var migrate_settings = __webpack_require__(5138);
;// CONCATENATED MODULE: ./src/migrate/environment.ts

/** Always passed: what a shell, a package manager and a migration tool need to find and run things. */
const MINIMAL = new Set(['PATH', 'HOME', 'LANG', 'TMPDIR', 'CI', 'GITHUB_WORKSPACE']);
/** Locale, Node and npm settings (npm reads `npm_config_*` in either case). */
const MINIMAL_PREFIXES = [/^LC_/, /^NODE_/, /^NPM_CONFIG_/i];
/**
 * A registry token actions/setup-node puts in NODE_AUTH_TOKEN: a secret that is not ours to hand
 * out by default; migrate-env may still name it.
 */
const NOT_BY_DEFAULT = new Set(['NODE_AUTH_TOKEN']);
/**
 * The whole environment of `migrate-command`: it runs code from the repository (a pull request's
 * migration tool, its dependencies' install scripts), so it gets the minimal set, the names the user
 * listed in `migrate-env`, and the branch's own variables, never the parent's whole environment,
 * where the Neon API key, a GitHub token, the webhook secret and AWS credentials live. A withheld
 * name is dropped here even if a list that skipped the settings parser names it.
 */
function migrationEnvironment(parent, passEnv, own) {
    const listed = new Set(passEnv);
    const env = {};
    for (const [name, value] of Object.entries(parent)) {
        if (value === undefined || (0,migrate_settings/* isWithheldVariable */.cm)(name))
            continue;
        const minimal = MINIMAL.has(name) ||
            (!NOT_BY_DEFAULT.has(name) && MINIMAL_PREFIXES.some((prefix) => prefix.test(name)));
        if (minimal || listed.has(name))
            env[name] = value;
    }
    return { ...env, ...own };
}

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
;// CONCATENATED MODULE: ./src/migrate/escaped.ts

/**
 * Set in the environment of every migration, with a value of its own: each process the command
 * starts inherits it, including one that left the process group (`setsid`, a daemon's double
 * fork), so it finds what a signal to the group misses.
 */
const RUN_MARKER = 'NEON_AMPLIFY_BRANCH_MIGRATION';
/** A process found may have forked while the others were read: look again, a few times. */
const ROUNDS = 3;
/**
 * SIGKILLs every process whose environment (as it was at its exec, in /proc/{pid}/environ) holds
 * this run's marker. What it cannot find: a process that exec'd with an environment of its own
 * (`env -i`, sudo), one of another user (its environ is not readable), and anything on a system
 * without /proc (macOS), where only the process group is stopped. Resolves with how many it killed.
 */
async function killMarked(value) {
    const needle = `${RUN_MARKER}=${value}`;
    let killed = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
        const found = await findMarked(needle);
        for (const pid of found) {
            try {
                process.kill(pid, 'SIGKILL');
                killed += 1;
            }
            catch {
                // Ended meanwhile.
            }
        }
        if (found.length === 0)
            break;
    }
    return killed;
}
async function findMarked(needle) {
    let entries;
    try {
        entries = await (0,promises_.readdir)('/proc');
    }
    catch {
        return [];
    }
    const pids = entries.filter((entry) => /^\d+$/.test(entry)).map(Number);
    const marked = await Promise.all(pids.map(async (pid) => {
        if (pid === process.pid)
            return false;
        try {
            const environ = await (0,promises_.readFile)(`/proc/${pid}/environ`, 'latin1');
            return environ.split('\0').includes(needle);
        }
        catch {
            return false;
        }
    }));
    return pids.filter((_, index) => marked[index]);
}

// EXTERNAL MODULE: external "node:string_decoder"
var external_node_string_decoder_ = __webpack_require__(6193);
;// CONCATENATED MODULE: ./src/migrate/output.ts

/** Longest line passed on; the rest of a longer line is dropped up to its newline. */
const LINE_LIMIT_BYTES = 64 * 1024;
/** Most output kept for the error of a failed migration (a Lambda answer is at most 6 MB). */
const TAIL_LIMIT_BYTES = 8 * 1024;
const CUT_MARK = ' … [line cut at 64 KiB]';
const CUT_START = '… ';
const NEWLINE = 0x0a;
/**
 * One stream's bytes as lines, each at most LINE_LIMIT_BYTES. A line is cut as soon as it reaches
 * the limit, and only the kept bytes are held: readline holds a whole line as one string, so a
 * command printing ~700 MB without a newline made it throw `RangeError: Invalid string length`.
 */
class LineSplitter {
    emit;
    secrets;
    parts = [];
    size = 0;
    cut = false;
    constructor(emit, secrets) {
        this.emit = emit;
        this.secrets = secrets;
    }
    push(chunk) {
        let start = 0;
        while (start < chunk.length) {
            const newline = chunk.indexOf(NEWLINE, start);
            this.take(chunk.subarray(start, newline === -1 ? chunk.length : newline));
            if (newline === -1)
                return;
            this.endLine();
            start = newline + 1;
        }
    }
    /** The stream ended: a last line without a newline is still a line. */
    end() {
        if (this.size > 0)
            this.endLine();
        this.cut = false;
    }
    take(bytes) {
        if (this.cut || bytes.length === 0)
            return;
        const room = LINE_LIMIT_BYTES - this.size;
        if (bytes.length <= room) {
            this.parts.push(bytes);
            this.size += bytes.length;
            return;
        }
        this.parts.push(bytes.subarray(0, room));
        const kept = new external_node_string_decoder_.StringDecoder('utf8').write(Buffer.concat(this.parts));
        this.parts = [];
        this.size = 0;
        this.cut = true;
        this.emit(`${withoutSecretStart(kept, this.secrets)}${CUT_MARK}`);
    }
    endLine() {
        if (!this.cut)
            this.emit(Buffer.concat(this.parts, this.size).toString('utf8').replace(/\r$/, ''));
        this.parts = [];
        this.size = 0;
        this.cut = false;
    }
}
/**
 * The last lines of output, at most TAIL_LIMIT_BYTES joined by newlines: whole lines are dropped
 * from the front, and the first line kept may lose its start.
 */
class OutputTail {
    secrets;
    lines = [];
    sizes = [];
    bytes = 0;
    constructor(secrets) {
        this.secrets = secrets;
    }
    add(line) {
        const size = Buffer.byteLength(line) + 1;
        this.lines.push(line);
        this.sizes.push(size);
        this.bytes += size;
        // Drop the first line while the others alone fill the budget.
        while (this.lines.length > 1 && this.bytes - (this.sizes[0] ?? 0) >= TAIL_LIMIT_BYTES) {
            this.bytes -= this.sizes.shift() ?? 0;
            this.lines.shift();
        }
    }
    get() {
        const lines = [...this.lines];
        const over = this.bytes - 1 - TAIL_LIMIT_BYTES;
        const first = lines[0];
        if (over <= 0 || first === undefined)
            return lines;
        const bytes = Buffer.from(first);
        let start = over + Buffer.byteLength(CUT_START);
        // Start on a character, not inside one.
        while (start < bytes.length && ((bytes[start] ?? 0) & 0xc0) === 0x80)
            start += 1;
        lines[0] = `${CUT_START}${withoutSecretEnd(bytes.subarray(start).toString('utf8'), this.secrets)}`;
        return lines;
    }
}
/**
 * A log masks a secret only when it sees it whole. Where a line is cut, the part kept could end
 * with the start of one (or, at the start of the tail, begin with its end): that part is left out.
 */
function withoutSecretStart(text, secrets) {
    let drop = 0;
    for (const secret of secrets) {
        for (let length = Math.min(secret.length - 1, text.length); length > drop; length -= 1) {
            if (text.endsWith(secret.slice(0, length))) {
                drop = length;
                break;
            }
        }
    }
    return text.slice(0, text.length - drop);
}
function withoutSecretEnd(text, secrets) {
    let drop = 0;
    for (const secret of secrets) {
        for (let length = Math.min(secret.length - 1, text.length); length > drop; length -= 1) {
            if (text.startsWith(secret.slice(secret.length - length))) {
                drop = length;
                break;
            }
        }
    }
    return text.slice(drop);
}

;// CONCATENATED MODULE: ./src/migrate/shell.ts







/** After SIGTERM, how long the process group has before SIGKILL. */
const KILL_GRACE_MS = 5_000;
/**
 * Once the shell has exited and what it started is killed, how long its output may take to end.
 * Output still open past it is held by a process this run could not find (src/migrate/escaped.ts):
 * it is not waited for.
 */
const DRAIN_MS = 2_000;
/**
 * Runs `migrate-command` through the shell in the current directory (the workspace), in a process
 * group of its own so that a timeout stops the command and everything it started (a migration
 * tool's children, a `sh -c` pipeline), not only the shell. Output is passed on line by line, as it
 * comes, to the log, which masks every secret; the last 8 KiB are kept for the error.
 *
 * The command has ended when its shell exits: what it left running in the background is killed
 * with the group (and, found by its environment, what left the group), and its output is not
 * waited for longer than DRAIN_MS, so neither a background child nor one that escaped (and holds
 * the pipes open) keeps the run or its limit waiting. Nothing escapes the returned promise: whatever goes wrong (the log throwing, a stream
 * error) fails this migration only, never the process around it (a webhook server).
 */
function runShellMigration(input) {
    return new Promise((resolve, reject) => {
        new ShellRun(input, (error) => (error === undefined ? resolve() : reject(error))).start();
    });
}
class ShellRun {
    input;
    done;
    tail;
    marker = (0,external_node_crypto_.randomUUID)();
    child;
    streams = [];
    splitters = [];
    timers = [];
    /** The first error of the run itself (the log throwing): it decides the outcome. */
    failure;
    startError;
    exit;
    limit;
    timedOut = false;
    settled = false;
    constructor(input, done) {
        this.input = input;
        this.done = done;
        this.tail = new OutputTail(input.secrets);
    }
    start() {
        const child = (0,external_node_child_process_.spawn)(this.input.command, {
            shell: true,
            detached: true,
            stdio: ['ignore', 'pipe', 'pipe'],
            env: migrationEnvironment(process.env, this.input.passEnv, {
                ...this.input.env,
                [RUN_MARKER]: this.marker,
            }),
        });
        this.child = child;
        this.streams = [child.stdout, child.stderr].filter((s) => s !== null);
        this.splitters = this.streams.map((stream) => {
            const splitter = new LineSplitter((line) => this.take(line), this.input.secrets);
            stream.on('data', (chunk) => this.guard(() => splitter.push(chunk)));
            stream.on('end', () => this.guard(() => splitter.end()));
            stream.on('error', () => {
                // The pipe broke: what came is logged; the shell's exit decides the outcome.
            });
            return splitter;
        });
        this.limit = this.later(this.input.timeoutMs, () => this.onTimeout());
        child.on('error', (error) => {
            this.startError = error;
            this.finish();
        });
        child.on('exit', (code, signal) => this.onExit(code, signal));
        child.on('close', () => this.finish());
    }
    take(line) {
        if (this.failure !== undefined)
            return;
        this.input.log.info(line);
        this.tail.add(line);
    }
    guard(action) {
        try {
            action();
        }
        catch (error) {
            this.failure ??= error;
            this.killAll();
        }
    }
    later(ms, then) {
        const timer = setTimeout(then, ms);
        this.timers.push(timer);
        return timer;
    }
    onTimeout() {
        this.timedOut = true;
        this.stop('SIGTERM');
        this.later(KILL_GRACE_MS, () => {
            this.killAll();
            // A shell that does not end even then is not waited for.
            this.later(DRAIN_MS, () => this.finish());
        });
    }
    onExit(code, signal) {
        this.exit = { code, signal };
        // Its end is the command's end: the limit no longer runs while its output drains.
        clearTimeout(this.limit);
        // Past the limit, the group keeps its grace after SIGTERM (onTimeout): the shell dies at once,
        // a migration tool may need a moment to release its lock.
        if (this.timedOut)
            return;
        // Whatever the shell left behind goes with it.
        this.killAll();
        this.later(DRAIN_MS, () => {
            if (this.streams.some((stream) => !stream.readableEnded)) {
                this.guard(() => this.input.log.warning('migrate-command exited, but a process it started still holds its output (one that left its process group and its environment): not waiting for it'));
            }
            this.finish();
        });
    }
    finish() {
        if (this.settled)
            return;
        // Nothing of the run outlives it, whichever way it ended.
        this.killAll();
        for (const splitter of this.splitters)
            this.guard(() => splitter.end());
        this.settled = true;
        for (const timer of this.timers)
            clearTimeout(timer);
        for (const stream of this.streams)
            stream.destroy();
        this.done(this.outcome());
    }
    outcome() {
        const tail = this.tail.get();
        if (this.startError !== undefined) {
            return new errors/* MigrationError */.Py(`migrate-command could not be started: ${this.startError.message}`, { tail });
        }
        if (this.failure !== undefined) {
            const how = `migrate-command's output could not be passed on: ${(0,errors/* messageOf */.bD)(this.failure)}`;
            return new errors/* MigrationError */.Py(how, { tail });
        }
        if (this.timedOut) {
            const limit = (0,duration/* formatDuration */.a)(this.input.timeoutMs);
            return new errors/* MigrationError */.Py(`migrate-command timed out after ${limit} (migrate-timeout-minutes)`, {
                tail,
            });
        }
        const code = this.exit?.code ?? null;
        if (code === 0)
            return undefined;
        const how = code === null ? `was stopped by ${this.exit?.signal ?? 'a signal'}` : `exited with code ${code}`;
        return new errors/* MigrationError */.Py(`migrate-command ${how}`, { tail, exitCode: code ?? undefined });
    }
    /** The process group, and the processes that left it but still carry this run's marker. */
    killAll() {
        this.stop('SIGKILL');
        killMarked(this.marker).catch(() => {
            // Best effort: what it cannot find, it cannot stop.
        });
    }
    /** Signals the whole process group; a group already gone is fine. */
    stop(signal) {
        const pid = this.child?.pid;
        if (pid === undefined)
            return;
        try {
            process.kill(-pid, signal);
        }
        catch {
            // Already ended.
        }
    }
}


/***/ })

};
