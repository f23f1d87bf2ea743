import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Finds a file that ships in the repository but is not compiled (the RTSP server's Python,
 * the footage script). The same code runs from `server/demo` under vitest and from
 * `dist/server/demo` after the build, so walk up from this module to the package root.
 */
export function repoFile(relativePath: string, from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, relativePath);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`cannot find ${relativePath} above ${from}: is the repository complete?`);
}
