import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The filesystem under the data dir for snapshots, clips and exports. Paths handed in are
 * relative ones this server built itself (stored in the database); `abs` still refuses
 * anything that would leave the root, so a bad row can never expose another file.
 */
export class MediaFiles {
  readonly root: string;
  constructor(dataDir: string) {
    this.root = path.resolve(dataDir);
  }

  abs(rel: string): string {
    const p = path.resolve(this.root, rel);
    if (rel.includes('\0') || path.isAbsolute(rel) || !p.startsWith(this.root + path.sep)) {
      throw new Error(`media path outside the data dir: ${JSON.stringify(rel)}`);
    }
    return p;
  }

  /** Writes to a temporary name and renames, so a reader or a crash never sees half a file. */
  async writeAtomic(rel: string, data: Uint8Array): Promise<number> {
    const target = this.abs(rel);
    await mkdir(path.dirname(target), { recursive: true });
    const tmp = `${target}.${randomBytes(4).toString('hex')}.part`;
    try {
      await writeFile(tmp, data);
      await rename(tmp, target);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    return data.length;
  }

  /** The whole file, or undefined when it is gone. */
  async read(rel: string): Promise<Buffer | undefined> {
    return readFile(this.abs(rel)).catch(() => undefined);
  }

  async ensureDir(relDir: string): Promise<void> {
    await mkdir(this.abs(relDir), { recursive: true });
  }

  async rename(fromRel: string, toRel: string): Promise<void> {
    await mkdir(path.dirname(this.abs(toRel)), { recursive: true });
    await rename(this.abs(fromRel), this.abs(toRel));
  }

  /** Removes a file; a file already gone is not an error (retention may run twice). */
  async remove(rel: string): Promise<void> {
    await rm(this.abs(rel), { force: true });
  }

  /** Removes a folder and everything in it; a folder already gone is not an error. */
  async removeDir(relDir: string): Promise<void> {
    await rm(this.abs(relDir), { recursive: true, force: true });
  }

  async size(rel: string): Promise<number | undefined> {
    try {
      return (await stat(this.abs(rel))).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async sha256(rel: string): Promise<string> {
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(this.abs(rel))) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }

  /** Deletes leftovers of interrupted writes (names containing `.part`) under a folder. */
  async removePartials(relDir: string): Promise<string[]> {
    const removed: string[] = [];
    let entries: string[];
    try {
      entries = await readdir(this.abs(relDir), { recursive: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return removed;
      throw err;
    }
    for (const e of entries) {
      if (!path.basename(e).includes('.part')) continue;
      await rm(path.join(this.abs(relDir), e), { force: true });
      removed.push(path.join(relDir, e));
    }
    return removed;
  }
}

/** Folder of the day (UTC) a media file belongs to: keeps folders small and retention simple. */
export const dayFolder = (at: number) => new Date(at).toISOString().slice(0, 10);

/** Where residents' masked renditions of one clip are kept (privacy/), so retention removes them with the clip. */
export const maskedClipDir = (clipId: number) => `masked/clips/${clipId}`;
