export const id = 178;
export const ids = [178,770];
export const modules = {

/***/ 770:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   IV: () => (/* binding */ DotenvTargetError),
/* harmony export */   Mr: () => (/* binding */ resolveDotenvTarget),
/* harmony export */   TQ: () => (/* binding */ describeFsError),
/* harmony export */   checkDotenvTarget: () => (/* binding */ checkDotenvTarget),
/* harmony export */   l5: () => (/* binding */ temporaryPath)
/* harmony export */ });
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);



/** Linux gives up after 40 links; so do we, rather than loop on a cycle. */
const MAX_LINKS = 40;
/** A `--write-env` path that cannot be written, in words that name the user's path, never a temporary one. */
class DotenvTargetError extends Error {
}
/**
 * Where a write to `file` lands: the file itself, or, for a symbolic link, the end of its chain,
 * also when that end does not exist yet (a dangling link): the link stays a link, and the file it
 * points at is written (created when missing), which is what someone who linked `.env` to a shared
 * file means. Each link is read relative to the real folder it sits in, as the system does.
 */
async function resolveDotenvTarget(file) {
    let path = (0,node_path__WEBPACK_IMPORTED_MODULE_2__.resolve)(file);
    try {
        for (let hops = 0; hops <= MAX_LINKS; hops++) {
            const folder = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.realpath)((0,node_path__WEBPACK_IMPORTED_MODULE_2__.dirname)(path)).catch(() => undefined);
            // A folder that cannot be resolved stays as given: the check says what is wrong with it.
            if (folder === undefined)
                return path;
            path = (0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(folder, (0,node_path__WEBPACK_IMPORTED_MODULE_2__.basename)(path));
            // ENOTDIR: the "folder" is a file; the check says so.
            const info = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.lstat)(path).catch(ignore('ENOENT', 'ENOTDIR'));
            if (info === undefined || !info.isSymbolicLink())
                return path;
            path = (0,node_path__WEBPACK_IMPORTED_MODULE_2__.resolve)(folder, await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.readlink)(path));
        }
    }
    catch (error) {
        throw new DotenvTargetError(`'${file}': ${describeFsError(error)}`, { cause: error });
    }
    throw new DotenvTargetError(`'${file}' is a loop of symbolic links`);
}
/**
 * Fails when `file` cannot be written the way writeDotenv writes it (read it if it exists, create
 * a temporary file next to it, rename that over it), before any work is done for it. `probe`
 * really creates and removes a temporary file in the folder: permission bits alone do not tell
 * (root passes every access() check, yet cannot create a file in /proc or on a read-only mount).
 */
async function checkDotenvTarget(file, options) {
    const target = await resolveDotenvTarget(file);
    const named = target === (0,node_path__WEBPACK_IMPORTED_MODULE_2__.resolve)(file) ? `'${file}'` : `'${file}' (a link to '${target}')`;
    const folder = (0,node_path__WEBPACK_IMPORTED_MODULE_2__.dirname)(target);
    const folderInfo = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.stat)(folder).catch((error) => {
        if (error.code === 'ENOENT')
            throw new DotenvTargetError(`${named}: the folder '${folder}' does not exist`);
        if (error.code === 'ENOTDIR')
            throw new DotenvTargetError(`${named}: a part of '${folder}' is a file, not a folder`);
        throw new DotenvTargetError(`${named}: ${describeFsError(error)}`);
    });
    if (!folderInfo.isDirectory())
        throw new DotenvTargetError(`${named}: '${folder}' is a file, not a folder`);
    const info = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.stat)(target).catch(ignore('ENOENT'));
    if (info?.isDirectory())
        throw new DotenvTargetError(`${named} is a folder, not a file`);
    if (info !== undefined && !info.isFile())
        throw new DotenvTargetError(`${named} is not a regular file`);
    if (info !== undefined) {
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.open)(target, 'r')
            .then((handle) => handle.close())
            .catch((error) => {
            throw new DotenvTargetError(`${named} cannot be read: ${describeFsError(error)}`);
        });
    }
    if (!options.probe)
        return;
    const probe = temporaryPath(target);
    const handle = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.open)(probe, 'wx', 0o600).catch((error) => {
        throw new DotenvTargetError(`${named}: cannot create a file in '${folder}': ${describeFsError(error)}`);
    });
    await handle.close();
    await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.unlink)(probe).catch(() => undefined);
}
/** The temporary file writeDotenv renames over `target`: hidden, next to it, never a name in use. */
function temporaryPath(target) {
    return (0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)((0,node_path__WEBPACK_IMPORTED_MODULE_2__.dirname)(target), `.${(0,node_path__WEBPACK_IMPORTED_MODULE_2__.basename)(target)}.${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomBytes)(6).toString('hex')}.tmp`);
}
/** A file system error in words, without the path Node puts into its messages (it may be a temporary one). */
function describeFsError(error) {
    const code = error.code;
    const words = {
        EACCES: 'permission denied',
        EPERM: 'operation not permitted',
        EROFS: 'read-only file system',
        ENOSPC: 'no space left on the device',
        EDQUOT: 'disk quota exceeded',
        ENOENT: 'no such file or folder',
        ENOTDIR: 'a part of the path is a file, not a folder',
        EISDIR: 'it is a folder',
        ELOOP: 'too many symbolic links',
    };
    if (code !== undefined)
        return words[code] ? `${words[code]} (${code})` : code;
    return error instanceof Error ? error.message : String(error);
}
function ignore(...codes) {
    return (error) => {
        if (error.code !== undefined && codes.includes(error.code))
            return undefined;
        throw error;
    };
}


/***/ }),

/***/ 7178:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   writeDotenv: () => (/* binding */ writeDotenv)
/* harmony export */ });
/* unused harmony exports upsertDotenv, quoteDotenvValue */
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _dotenv_target_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(770);


/** A file the CLI creates holds a password: readable by its owner only. */
const NEW_FILE_MODE = 0o600;
/**
 * Sets `name` in a dotenv file: replaces the existing assignment (`NAME=`, `export NAME=`, a quoted
 * value spanning lines included) and drops any later duplicate, or appends one; every other line and
 * comment stays as it was. The file is replaced atomically (a temporary file in the same folder, then
 * rename), so a build reading it never sees half a file. A new file gets mode 0600; an existing one
 * keeps its mode. A symbolic link stays a link: the file it points at is written, and created when the
 * link dangles. Errors name `file`, never the temporary file.
 */
async function writeDotenv(file, entries) {
    const target = await (0,_dotenv_target_js__WEBPACK_IMPORTED_MODULE_1__/* .resolveDotenvTarget */ .Mr)(file);
    let content;
    let mode = NEW_FILE_MODE;
    try {
        content = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.readFile)(target, 'utf8');
        mode = (await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.stat)(target)).mode & 0o7777;
    }
    catch (error) {
        if (error.code !== 'ENOENT') {
            throw new _dotenv_target_js__WEBPACK_IMPORTED_MODULE_1__/* .DotenvTargetError */ .IV(`cannot read '${file}': ${(0,_dotenv_target_js__WEBPACK_IMPORTED_MODULE_1__/* .describeFsError */ .TQ)(error)}`, { cause: error });
        }
    }
    const changes = [];
    let text = content;
    for (const [name, value] of entries) {
        const next = upsertDotenv(text, name, value);
        text = next.text;
        // A second entry of a file this write creates is added to it, not a file of its own.
        changes.push(next.change === 'created' && changes.length > 0 ? 'added' : next.change);
    }
    const temporary = (0,_dotenv_target_js__WEBPACK_IMPORTED_MODULE_1__/* .temporaryPath */ .l5)(target);
    try {
        const handle = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.open)(temporary, 'wx', NEW_FILE_MODE);
        try {
            // open's mode is filtered by the umask; chmod sets exactly the mode wanted.
            await handle.chmod(mode);
            await handle.writeFile(text ?? '', 'utf8');
            await handle.sync();
        }
        finally {
            await handle.close();
        }
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.rename)(temporary, target);
    }
    catch (error) {
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.unlink)(temporary).catch(() => undefined);
        throw new _dotenv_target_js__WEBPACK_IMPORTED_MODULE_1__/* .DotenvTargetError */ .IV(`cannot write '${file}': ${(0,_dotenv_target_js__WEBPACK_IMPORTED_MODULE_1__/* .describeFsError */ .TQ)(error)}`, { cause: error });
    }
    return changes;
}
/** Pure: the new file text. `content` undefined means the file does not exist yet. */
function upsertDotenv(content, name, value) {
    const assignment = `${name}=${quoteDotenvValue(value)}`;
    if (content === undefined || content === '') {
        return { text: `${assignment}\n`, change: content === undefined ? 'created' : 'added' };
    }
    const bom = content.startsWith('\uFEFF') ? '\uFEFF' : '';
    const body = content.slice(bom.length);
    const eol = body.includes('\r\n') ? '\r\n' : '\n';
    const lines = body.split(/\r?\n/);
    const start = new RegExp(`^(\\s*)(export\\s+)?${name}\\s*=(.*)$`, 's');
    const out = [];
    let replaced = false;
    for (let i = 0; i < lines.length; i++) {
        const line = lines[i] ?? '';
        const match = start.exec(line);
        if (match === null) {
            out.push(line);
            continue;
        }
        const end = endOfValue(lines, i, match[3] ?? '');
        if (!replaced) {
            out.push(`${match[1] ?? ''}${match[2] ?? ''}${assignment}${end.comment}`);
            replaced = true;
        }
        // A later duplicate is dropped: parsers differ on which one wins, so only one may remain.
        i = end.line;
    }
    if (!replaced) {
        // `lines` ends in '' when the file ends with a line break; keep exactly one before the new line.
        if (out.at(-1) === '')
            out.pop();
        out.push(assignment, '');
    }
    return { text: bom + out.join(eol), change: replaced ? 'replaced' : 'added' };
}
/**
 * The value as dotenv parsers read a double-quoted one: backslash, double quote and line breaks
 * escaped, so the value always stays on one line. A connection string never holds any of them
 * unescaped (Neon percent-encodes its URLs); the escaping is for whatever else could.
 */
function quoteDotenvValue(value) {
    const escaped = value
        .replace(/\\/g, '\\\\')
        .replace(/"/g, '\\"')
        .replace(/\n/g, '\\n')
        .replace(/\r/g, '\\r');
    return `"${escaped}"`;
}
/**
 * Where the value that starts on line `first` ends: a quoted value may run over several lines (dotenv
 * allows it in ", ' and `), so the old assignment is removed whole, not only its first line. A
 * trailing ` # comment` after the value is kept.
 */
function endOfValue(lines, first, rest) {
    const value = rest.trimStart();
    const quote = value[0];
    if (quote !== '"' && quote !== "'" && quote !== '`') {
        return { line: first, comment: /\s#.*$/.exec(value)?.[0] ?? '' };
    }
    let text = value.slice(1);
    for (let line = first; line < lines.length; line++) {
        if (line > first)
            text = lines[line] ?? '';
        const close = closingQuote(text, quote);
        if (close >= 0)
            return { line, comment: /^\s+#.*$/.exec(text.slice(close + 1))?.[0] ?? '' };
    }
    return { line: first, comment: '' }; // Never closed: not a value we can delimit; replace its line only.
}
function closingQuote(text, quote) {
    for (let i = 0; i < text.length; i++) {
        if (text[i] === '\\' && quote === '"')
            i++;
        else if (text[i] === quote)
            return i;
    }
    return -1;
}


/***/ })

};
