import { openDb } from './db.js';

/**
 * A PostgreSQL database of its own for a run that needs several processes on one shared store
 * (the bench's cluster runs): created on the server the admin URL points at, dropped after.
 * The name is checked here because CREATE DATABASE takes no bind parameters.
 */
const NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function withDatabase(adminUrl: string, name: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function createScratchDatabase(adminUrl: string, name: string): Promise<string> {
  if (!NAME.test(name)) throw new Error(`scratch database name "${name}" must be lower-case letters, digits and _`);
  const admin = openDb({ url: adminUrl });
  try {
    await admin.raw(`create database ${name}`);
  } finally {
    await admin.destroy();
  }
  return withDatabase(adminUrl, name);
}

export async function dropScratchDatabase(adminUrl: string, name: string): Promise<void> {
  if (!NAME.test(name)) return;
  const admin = openDb({ url: adminUrl });
  try {
    // Nodes killed with SIGKILL may leave sessions behind for a moment.
    await admin.raw(`select pg_terminate_backend(pid) from pg_stat_activity where datname = ? and pid <> pg_backend_pid()`, [name]);
    await admin.raw(`drop database if exists ${name}`);
  } finally {
    await admin.destroy();
  }
}

/** Whether PostgreSQL answers at this URL within the time given (the bench skips its cluster part when not). */
export async function postgresReachable(url: string, timeoutMs = 3000): Promise<string | undefined> {
  const db = openDb({ url });
  try {
    await Promise.race([db.raw('select 1'), new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs))]);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await db.destroy().catch(() => undefined);
  }
}
