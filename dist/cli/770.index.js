export const id = 770;
export const ids = [770];
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


/***/ })

};
