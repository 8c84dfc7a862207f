export const id = 495;
export const ids = [495];
export const modules = {

/***/ 495:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   runShellMigration: () => (/* binding */ runShellMigration)
/* harmony export */ });
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1421);
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_child_process__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_readline__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(481);
/* harmony import */ var node_readline__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_readline__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _core_errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(4296);
/* harmony import */ var _core_poll_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(8822);




/** Lines of output kept for the error message of a failed migration. */
const TAIL_LINES = 20;
/** After SIGTERM, how long the process group has before SIGKILL. */
const KILL_GRACE_MS = 5_000;
/**
 * Runs `migrate-command` through the shell in the current directory (the workspace), in a process
 * group of its own so that a timeout stops the command and everything it started (a migration
 * tool's children, a `sh -c` pipeline), not only the shell. Output is passed on line by line, as it
 * comes, to the log, which masks every secret; the last lines are kept for the error.
 */
function runShellMigration(input) {
    const child = (0,node_child_process__WEBPACK_IMPORTED_MODULE_0__.spawn)(input.command, {
        shell: true,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, ...input.env },
    });
    const tail = [];
    const take = (line) => {
        input.log.info(line);
        tail.push(line);
        if (tail.length > TAIL_LINES)
            tail.shift();
    };
    (0,node_readline__WEBPACK_IMPORTED_MODULE_1__.createInterface)({ input: child.stdout }).on('line', take);
    (0,node_readline__WEBPACK_IMPORTED_MODULE_1__.createInterface)({ input: child.stderr }).on('line', take);
    return new Promise((resolve, reject) => {
        let timedOut = false;
        const timer = setTimeout(() => {
            timedOut = true;
            stopGroup(child.pid, 'SIGTERM');
            setTimeout(() => stopGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS).unref();
        }, input.timeoutMs);
        child.on('error', (error) => {
            clearTimeout(timer);
            reject(new _core_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .MigrationError */ .Py(`migrate-command could not be started: ${error.message}`, { tail }));
        });
        child.on('close', (code, signal) => {
            clearTimeout(timer);
            if (timedOut) {
                stopGroup(child.pid, 'SIGKILL');
                const limit = (0,_core_poll_js__WEBPACK_IMPORTED_MODULE_3__/* .formatDuration */ .a3)(input.timeoutMs);
                reject(new _core_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .MigrationError */ .Py(`migrate-command timed out after ${limit} (migrate-timeout-minutes)`, { tail }));
            }
            else if (code === 0) {
                resolve();
            }
            else {
                const how = code === null ? `was stopped by ${signal}` : `exited with code ${code}`;
                reject(new _core_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .MigrationError */ .Py(`migrate-command ${how}`, { tail, exitCode: code ?? undefined }));
            }
        });
    });
}
/** Signals the whole process group; a group already gone is fine. */
function stopGroup(pid, signal) {
    if (pid === undefined)
        return;
    try {
        process.kill(-pid, signal);
    }
    catch {
        // Already ended.
    }
}


/***/ })

};
