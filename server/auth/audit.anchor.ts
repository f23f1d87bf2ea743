import { open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { anchorMac, type AnchorRead, type AuditAnchor, type AuditKey } from './audit.chain.js';

/**
 * The anchor file (config audit.anchorFile, default <dataDir>/audit-anchor.json): the newest
 * audit entry's id and hash, with an HMAC under the audit key. Someone who can rewrite the
 * database but not this file (nor read the key) cannot hide deleted newest entries: the entry
 * the anchor names is gone. Written whole to a temporary file, synced, then renamed over the
 * old one, so a crash leaves either the old anchor or the new one, never half of one.
 */
export class AnchorFile {
  constructor(
    readonly file: string,
    private readonly key: AuditKey,
  ) {}

  async read(): Promise<AnchorRead> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'missing' };
      return { state: 'invalid', detail: `unreadable: ${(err as Error).message}` };
    }
    let a: AuditAnchor;
    try {
      a = JSON.parse(text) as AuditAnchor;
    } catch {
      return { state: 'invalid', detail: 'not JSON' };
    }
    const fields = a && typeof a === 'object' && a.v === 1 && Number.isSafeInteger(a.id) && typeof a.hash === 'string' && typeof a.mac === 'string';
    if (!fields) return { state: 'invalid', detail: 'missing fields' };
    if (a.keyId !== this.key.id) return { state: 'wrong_key', keyId: String(a.keyId) };
    if (anchorMac(this.key, a) !== a.mac) return { state: 'invalid', detail: 'its HMAC does not match' };
    return { state: 'ok', anchor: a };
  }

  async write(head: { id: number; hash: string; at: number }, writtenAt: number): Promise<AuditAnchor> {
    const body = { v: 1 as const, id: head.id, hash: head.hash, at: head.at, writtenAt, keyId: this.key.id };
    const anchor: AuditAnchor = { ...body, mac: anchorMac(this.key, body) };
    const tmp = `${this.file}.${process.pid}.tmp`;
    // Mode from the process umask: 0600, or 0640 with storage.group (harmless to read, it holds no secret).
    const fh = await open(tmp, 'w', 0o666);
    try {
      await fh.writeFile(JSON.stringify(anchor) + '\n');
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await rename(tmp, this.file);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    await syncDir(path.dirname(this.file));
    return anchor;
  }
}

/** The rename itself survives a power cut only once the directory is synced. */
async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
