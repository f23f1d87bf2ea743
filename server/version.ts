import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root, found from this module whether it runs from server/ (tests) or dist/server/. */
export const PROJECT_ROOT = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsPackageJson(dir)) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
})();

function existsPackageJson(dir: string): boolean {
  try {
    return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string }).name === 'binhyen';
  } catch {
    return false;
  }
}

export const VERSION: string = (JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

export const REQUIRED_NODE = [20, 19] as const;

/** Node ≥ 20.19: needed for require(esm) in dependencies and stable worker/wasm behaviour. */
export function nodeVersionProblem(version = process.versions.node): string | null {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const [reqMajor, reqMinor] = REQUIRED_NODE;
  if (major > reqMajor || (major === reqMajor && minor >= reqMinor)) return null;
  return `BinhYen needs Node.js ${reqMajor}.${reqMinor} or newer; this is ${version}. Install a current Node.js (https://nodejs.org) and run npm install again.`;
}
