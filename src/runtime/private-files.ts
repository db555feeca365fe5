import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, closeSync, constants, fchmodSync, fsyncSync, lstatSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import { VpnlabError } from '../core/errors.js';

/*
 * Folders and files only their owner may touch: the API socket's folder and token, the key files
 * of `vpnlab ike keys`. A folder another user can write to is refused (they could plant a link or
 * swap a file); files are created exclusively, 0600, never through a symbolic link.
 */

export type PrivateFileErrorCode =
  | 'ERR_UNSAFE_FOLDER'
  | 'ERR_FILE_EXISTS'
  | 'ERR_FILE_WRITE';

export class PrivateFileError extends VpnlabError {
  declare readonly code: PrivateFileErrorCode;

  constructor(code: PrivateFileErrorCode, message: string) {
    super(code, message);
  }
}

const uid = (): number => process.getuid?.() ?? 0;

function errnoOf(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException).code;
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return undefined;
    throw e;
  }
}

export interface PrivateFolderOptions {
  /** What the folder is for, in messages ("the API socket's folder"). */
  readonly purpose: string;
  /** Mode when created: 0o700, or 0o750 with `gid`. */
  readonly mode: number;
  /** Group of a folder created here. */
  readonly gid?: number;
}

/**
 * Makes sure `dir` is a folder of the current user (or root) that nobody else can write to:
 * creates it with `mode` when missing (missing parents 0700 too), refuses it otherwise with the
 * reason and the fix. Returns whether it was created.
 */
export function ensurePrivateFolder(dir: string, options: PrivateFolderOptions): boolean {
  let created = false;
  if (lstatOrUndefined(dir) === undefined) {
    mkdirSync(dirname(dir), { recursive: true, mode: 0o700 });
    try {
      mkdirSync(dir, { mode: 0o700 });
      created = true;
    } catch (e) {
      if (errnoOf(e) !== 'EEXIST') throw e;
    }
  }
  const st = lstatSync(dir);
  if (created) {
    // mkdir's mode passes through the umask; set it, and the group, explicitly. Created 0700 first
    // so that nothing could enter it before the group is right.
    if (options.gid !== undefined) chownSync(dir, -1, options.gid);
    chmodSync(dir, options.mode);
    return true;
  }
  checkPrivateFolder(dir, st, options.purpose);
  return false;
}

/** Refuses a folder that is a link, belongs to another user, or that others may write to. */
export function checkPrivateFolder(dir: string, st: Stats, purpose: string): void {
  const me = uid();
  if (st.isSymbolicLink()) {
    throw new PrivateFileError('ERR_UNSAFE_FOLDER', `${purpose} ${dir} is a symbolic link: refusing it (whoever controls the link controls where the files go); give the real folder instead`);
  }
  if (!st.isDirectory()) throw new PrivateFileError('ERR_UNSAFE_FOLDER', `${purpose} ${dir} exists and is not a folder`);
  if (st.uid !== me && st.uid !== 0) {
    throw new PrivateFileError('ERR_UNSAFE_FOLDER', `${purpose} ${dir} belongs to uid ${st.uid}, not to you (uid ${me}): refusing it, its owner could swap what is in it; use a folder of your own (remove this one if it should be yours)`);
  }
  if ((st.mode & 0o022) !== 0) {
    const who = (st.mode & 0o002) !== 0 ? 'every user' : 'its group';
    throw new PrivateFileError('ERR_UNSAFE_FOLDER', `${purpose} ${dir} is writable by ${who} (mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')}): another user could plant a link or a file there; run chmod go-w ${dir}, or use a folder of your own (e.g. one made by mkdir -m 700)`);
  }
}

const O_NOFOLLOW = constants.O_NOFOLLOW;
const EXCLUSIVE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | O_NOFOLLOW;

function writeNew(path: string, data: string | Uint8Array): void {
  const fd = openSync(path, EXCLUSIVE, 0o600);
  try {
    fchmodSync(fd, 0o600);
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes `name` in a folder checked by ensurePrivateFolder: a new file, mode 0600, opened with
 * O_CREAT|O_EXCL|O_NOFOLLOW (a planted link makes it fail, never followed). An existing file is
 * refused unless `replace`; then a new file is written beside it (same flags) and renamed over
 * it, which replaces a link rather than writing through it.
 */
export function writePrivateFile(dir: string, name: string, data: string | Uint8Array, options: { replace: boolean; hint?: string }): string {
  const path = join(dir, name);
  try {
    writeNew(path, data);
    return path;
  } catch (e) {
    if (errnoOf(e) !== 'EEXIST' && errnoOf(e) !== 'ELOOP') throw new PrivateFileError('ERR_FILE_WRITE', `cannot write ${path}: ${errnoOf(e) ?? (e as Error).message}`);
  }
  const st = lstatSync(path);
  if (!options.replace) {
    const what = st.isSymbolicLink() ? 'a symbolic link' : st.isFile() ? 'a file' : 'something';
    throw new PrivateFileError('ERR_FILE_EXISTS', `${path} exists (${what}): refusing to write over it${options.hint !== undefined ? `; ${options.hint}` : ''}`);
  }
  if (st.isDirectory()) throw new PrivateFileError('ERR_FILE_EXISTS', `${path} is a folder: cannot replace it with a file`);
  const temp = join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeNew(temp, data);
    renameSync(temp, path);
  } catch (e) {
    try {
      unlinkSync(temp);
    } catch {
      // Nothing was created, or the rename consumed it.
    }
    throw new PrivateFileError('ERR_FILE_WRITE', `cannot replace ${path}: ${errnoOf(e) ?? (e as Error).message}`);
  }
  return path;
}
