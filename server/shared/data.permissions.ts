import { readFileSync } from 'node:fs';
import { chmod, chown, lstat, mkdir, opendir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from './errors.js';
import type { Logger } from './log.js';

/**
 * Who may read the data folder (database, recordings, clips, snapshots, keys): the server's
 * user alone (folders 0700, files 0600), or with config storage.group also that group, read
 * only (folders 2750, files 0640), e.g. for a backup user. Key files and the setup code stay
 * 0600 whatever the group: a backup user who can read the database must not also hold the key
 * that decrypts its camera passwords or the one that seals its audit chain.
 *
 * New files get these modes from the process umask, which ffmpeg children inherit (recording
 * segments, clips); folders carry the setgid bit with a group, so what is created in them
 * belongs to the group. Existing files are put right at start (see secureDataDir).
 */
export interface DataPermissions {
  umask: number;
  dirMode: number;
  fileMode: number;
  gid?: number;
  /** What the group was configured as, for messages. */
  group?: string;
}

// vapid.json holds the Web Push private key (notify/webpush.subscriptions.ts).
const SECRET_FILE = /\.key$|^setup-code\.txt$|^vapid\.json$/;
/** Written after a full pass: while it matches the policy and the folder's own mode, the pass is skipped. */
const STAMP = '.permissions.json';

/** A group name (looked up in /etc/group) or a numeric gid. */
export function resolveGroup(group: string, groupFile = '/etc/group'): number {
  if (/^\d+$/.test(group)) return Number(group);
  let text = '';
  try {
    text = readFileSync(groupFile, 'utf8');
  } catch {
    // no group file (a container): only numeric gids work
  }
  const line = text.split('\n').find((l) => l.split(':')[0] === group);
  const gid = line ? Number(line.split(':')[2]) : NaN;
  if (!Number.isInteger(gid))
    throw new AppError('storage_group_unknown', `storage.group: no group named "${group}" in ${groupFile} (give its numeric gid instead)`, 500, {
      field: 'storage.group',
    });
  return gid;
}

export function dataPermissions(group: string | undefined): DataPermissions {
  if (group === undefined) return { umask: 0o077, dirMode: 0o700, fileMode: 0o600 };
  return { umask: 0o027, dirMode: 0o2750, fileMode: 0o640, gid: resolveGroup(group), group };
}

const modeFor = (p: DataPermissions, name: string, dir: boolean) => (dir ? p.dirMode : SECRET_FILE.test(name) ? 0o600 : p.fileMode);

/** Fixes one path's mode and group; false when it was already right. */
async function fix(file: string, p: DataPermissions, dir: boolean): Promise<boolean> {
  const st = await lstat(file);
  if (st.isSymbolicLink()) return false; // never follow a link out of the data folder
  const want = modeFor(p, path.basename(file), dir);
  let changed = false;
  if (p.gid !== undefined && st.gid !== p.gid) {
    await chown(file, -1, p.gid);
    changed = true;
  }
  if ((st.mode & 0o7777) !== want) {
    await chmod(file, want);
    changed = true;
  }
  return changed;
}

export interface SecuredDataDir {
  /** The pass over what already existed: resolves with how many paths it changed and how many it could not. */
  existing: Promise<{ fixed: number; failed: number }>;
}

/**
 * Sets the process umask, creates the data folder (or tightens it: once it is 0700 nobody else
 * can reach anything below it) and starts a pass over the files already in it, in the
 * background, because an old install may hold a million recording segments.
 */
export async function secureDataDir(dataDir: string, p: DataPermissions, log: Logger): Promise<SecuredDataDir> {
  process.umask(p.umask);
  await mkdir(dataDir, { recursive: true, mode: p.dirMode });
  try {
    await fix(dataDir, p, true);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'EPERM' ? `this user may not give files to group ${p.gid}` : (err as Error).message;
    throw new AppError('data_dir_permissions', `cannot set the permissions of ${dataDir}: ${reason}`, 500, p.group ? { field: 'storage.group' } : {});
  }
  const policy = JSON.stringify({ dirMode: p.dirMode.toString(8), fileMode: p.fileMode.toString(8), gid: p.gid ?? null });
  const stampFile = path.join(dataDir, STAMP);
  const done = await readFile(stampFile, 'utf8').catch(() => '');
  if (done.trim() === policy) return { existing: Promise.resolve({ fixed: 0, failed: 0 }) };
  const existing = walk(dataDir, p).then(async (r) => {
    if (r.fixed || r.failed)
      log.info('data folder permissions set', { dataDir, ...r, dirMode: p.dirMode.toString(8), fileMode: p.fileMode.toString(8), gid: p.gid });
    if (!r.failed) await writeFile(stampFile, policy + '\n');
    return r;
  });
  return { existing };
}

async function walk(root: string, p: DataPermissions): Promise<{ fixed: number; failed: number }> {
  let fixed = 0;
  let failed = 0;
  const pending = [root];
  while (pending.length) {
    const dir = pending.pop()!;
    let entries;
    try {
      entries = await opendir(dir);
    } catch {
      failed += 1;
      continue;
    }
    for await (const e of entries) {
      if (e.isSymbolicLink()) continue;
      const file = path.join(dir, e.name);
      if (e.isDirectory()) pending.push(file);
      try {
        if (await fix(file, p, e.isDirectory())) fixed += 1;
      } catch {
        failed += 1; // another user's file, or gone meanwhile: counted and logged, never fatal
      }
    }
  }
  return { fixed, failed };
}
