/**
 * Reading inputs and writing outputs safely. Inputs are hostile: a FIFO, a directory or a device
 * where a file belongs must be refused, never waited on, and a file too large to hold as one string
 * says so. Outputs are written through a temporary name and renamed, and every file-system
 * failure becomes a located UserError (exit 2) rather than a crash.
 */
import { randomBytes } from 'node:crypto';
import { constants as bufferConstants } from 'node:buffer';
import { constants as fsConstants, createWriteStream, type Stats } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import path from 'node:path';
import { UserError } from './errors.js';

/** The largest text file we can read: one JavaScript string holds at most this many UTF-16 units. */
export const MAX_INPUT_BYTES = bufferConstants.MAX_STRING_LENGTH;

/** A short sentence for a file-system error code, e.g. `ENOTDIR` -> "a parent of it is a file". */
export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'file not found';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder';
    case 'EISDIR':
      return 'is a folder, not a file';
    case 'EEXIST':
      return 'a file of that name is in the way';
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code})`;
    case 'EROFS':
      return 'the file system is read-only (EROFS)';
    case 'ENOSPC':
      return 'no space left on the device (ENOSPC)';
    case 'EDQUOT':
      return 'the disk quota is exhausted (EDQUOT)';
    case 'ENAMETOOLONG':
      return 'the path is too long (ENAMETOOLONG)';
    case 'ELOOP':
      return 'too many symbolic links (ELOOP)';
    case 'EMFILE':
    case 'ENFILE':
      return `too many open files (${code})`;
    default:
      return code ? `cannot access it (${code})` : err instanceof Error ? err.message : 'cannot access it';
  }
}

/** What a non-regular file is, for messages: "a FIFO", "a folder", "a character device"… */
export function describeKind(info: Stats): string {
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  if (info.isFile()) return 'a regular file';
  return 'not a regular file';
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(1)} MiB` : `${n} bytes`;
}

export interface InputKind {
  /** Diagnostic code prefix, e.g. `snapshot` gives `snapshot/unreadable`. */
  code: string;
  /** Words for the first line, e.g. `snapshot` gives "cannot read snapshot FILE". */
  what: string;
}

function inputError(file: string, kind: InputKind, message: string, code = 'unreadable'): UserError {
  return new UserError(`cannot read ${kind.what ? `${kind.what} ` : ''}${file}`, [{ file, line: 0, column: 0, code: `${kind.code}/${code}`, message }]);
}

/** Refuses what is not a regular file, or is too large to read as text. */
function checkRegular(file: string, info: Stats, kind: InputKind): void {
  if (!info.isFile()) throw inputError(file, kind, `${describeKind(info)}, not a regular file; refusing to read it`, 'not-a-file');
  if (info.size > MAX_INPUT_BYTES) {
    throw inputError(file, kind, `the file is ${formatBytes(info.size)}; the largest file trailwarden can read is ${formatBytes(MAX_INPUT_BYTES)} (${MAX_INPUT_BYTES} bytes, the longest string Node.js holds)`, 'too-large');
  }
}

/**
 * A UTF-8 text input (snapshot, configuration, policy), refusing FIFOs, folders and devices before
 * opening them (an open of a FIFO blocks until a writer comes) and checking again on the open file,
 * so a file swapped for a FIFO in between cannot block either. A leading byte-order mark is dropped.
 */
export async function readTextInput(file: string, kind: InputKind): Promise<string> {
  let info: Stats;
  try {
    info = await stat(file);
  } catch (err) {
    throw inputError(file, kind, describeFsError(err));
  }
  checkRegular(file, info, kind);
  let text: string;
  try {
    const handle = await open(file, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
    try {
      const opened = await handle.stat();
      checkRegular(file, opened, kind);
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (err) {
    if (err instanceof UserError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_STRING_TOO_LONG' || code === 'ERR_FS_FILE_TOO_LARGE' || err instanceof RangeError) {
      throw inputError(file, kind, `the file is too large to read as text; the limit is ${formatBytes(MAX_INPUT_BYTES)}`, 'too-large');
    }
    throw inputError(file, kind, describeFsError(err));
  }
  return stripBom(text);
}

/** Drops a UTF-8 byte-order mark (Windows editors add one); it is not part of JSON or YAML content. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

const TMP_SUFFIX = '.tmp';

/** The temporary name a file is written under before it is renamed into place. */
export function temporaryName(file: string): string {
  return `${file}.${process.pid}.${randomBytes(4).toString('hex')}${TMP_SUFFIX}`;
}

/** Whether a process of that id runs (ours always does); EPERM means it runs as someone else. */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporary files of `file` (see temporaryName) that a killed run left behind; those
 * of a live process (a concurrent run) stay. Best effort: a failure here only costs disk space.
 */
export async function removeStaleTemporaries(file: string): Promise<void> {
  const dir = path.dirname(file);
  const base = path.basename(file);
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith(`${base}.`) || !name.endsWith(TMP_SUFFIX)) continue;
    const m = /^(\d+)(?:\.[0-9a-f]+)?$/.exec(name.slice(base.length + 1, -TMP_SUFFIX.length));
    if (m && !processAlive(Number(m[1]))) await rm(path.join(dir, name), { force: true }).catch(() => undefined);
  }
}

/**
 * Write via a temporary name in the same folder and rename, so an interrupted or failed write
 * never leaves a half file where a good one was. The temporary file is removed on failure.
 */
export async function writeAtomically(file: string, content: string | Iterable<string>): Promise<void> {
  await removeStaleTemporaries(file);
  const tmp = temporaryName(file);
  try {
    if (typeof content === 'string') await writeFile(tmp, content, 'utf8');
    else await pipeline(Readable.from(content), createWriteStream(tmp, 'utf8'));
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/** An output error the user can act on: which path, and why. */
export function outputError(target: string, what: string, err: unknown): UserError {
  return new UserError(`cannot write ${what} ${target}`, [{ file: target, line: 0, column: 0, code: 'output/unwritable', message: describeFsError(err) }]);
}

/**
 * `mkdir -p` without Node's recursive mkdir, which loops forever where a parent exists but refuses
 * new entries with ENOENT (under /proc, for one). Each missing folder is made once, top down.
 */
export async function makeDirs(dir: string): Promise<void> {
  const missing: string[] = [];
  let current = path.resolve(dir);
  for (;;) {
    const info = await stat(current).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (info) {
      if (!info.isDirectory()) throw Object.assign(new Error(`${current} is not a folder`), { code: 'ENOTDIR' });
      break;
    }
    missing.push(current);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const folder of missing.reverse()) {
    await mkdir(folder).catch(async (err: NodeJS.ErrnoException) => {
      // Made meanwhile by a concurrent run: fine if it is a folder.
      if (err.code === 'EEXIST' && (await stat(folder)).isDirectory()) return;
      throw err;
    });
  }
}

/**
 * Makes sure a folder exists (mkdir -p) and that files can be created in it, before any long work
 * whose result would otherwise be lost. `what` names it in the message ("--out-dir").
 */
export async function ensureWritableDir(dir: string, what: string): Promise<void> {
  try {
    const info = await stat(dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (info && !info.isDirectory()) {
      throw new UserError(`cannot write ${what} ${dir}`, [{ file: dir, line: 0, column: 0, code: 'output/not-a-folder', message: `${describeKind(info)} is in the way; expected a folder` }]);
    }
    if (!info) await makeDirs(dir);
    const probe = path.join(dir, `.trailwarden-probe.${process.pid}.${randomBytes(4).toString('hex')}${TMP_SUFFIX}`);
    await writeFile(probe, '');
    await unlink(probe);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw outputError(dir, what, err);
  }
}
