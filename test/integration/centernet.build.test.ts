import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, statSync, truncateSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CONVERTER_VERSION } from '../../server/detect/convert/centernet.convert.js';
import { buildCenternetOnnx } from '../../server/detect/convert/model.build.js';
import { readModelManifest } from '../../server/detect/object.model.js';
import { PROJECT_ROOT } from '../../server/version.js';
import { tempDir } from '../support/tmp.js';

/** `npm run build:models`: the real conversion from the installed package into a temporary folder. */

const tmp = tempDir('binhyen-models-');
afterAll(() => tmp.remove());
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
/** The compiled entry, as `npm run build:models` runs it (npm test builds before the tests). */
const MAIN = path.join(PROJECT_ROOT, 'dist/server/detect/convert/convert.main.js');

describe('build:models (CenterNet → models/build/centernet.onnx)', () => {
  const outDir = path.join(tmp.dir, 'build');

  it('writes the model and a record of the inputs’ and output’s SHA-256, then skips the work while they are unchanged', () => {
    const first = buildCenternetOnnx({ outDir });
    expect(first.status).toBe('built');
    const manifest = readModelManifest();
    expect(first.record.inputs).toEqual([manifest.files.model, ...manifest.files.weights]);
    expect(first.record.output.sha256).toBe(sha256(first.onnxPath));
    expect(first.record.converterVersion).toBe(CONVERTER_VERSION);
    expect(JSON.parse(readFileSync(first.recordPath, 'utf8'))).toEqual(first.record);

    const mtime = statSync(first.onnxPath).mtimeMs;
    const second = buildCenternetOnnx({ outDir });
    expect(second.status).toBe('cached');
    expect(statSync(first.onnxPath).mtimeMs).toBe(mtime);
  });

  it('rebuilds a damaged output, and the conversion is deterministic', () => {
    const before = buildCenternetOnnx({ outDir });
    truncateSync(before.onnxPath, 1000);
    const again = buildCenternetOnnx({ outDir });
    expect(again.status).toBe('built');
    expect(again.record.output.sha256).toBe(before.record.output.sha256);
  });

  it('fails with a message naming the missing package when @vladmandic/human is not installed', () => {
    const root = path.join(tmp.dir, 'bare');
    mkdirSync(path.join(root, 'models'), { recursive: true });
    copyFileSync(path.join(PROJECT_ROOT, 'models/centernet.manifest.json'), path.join(root, 'models/centernet.manifest.json'));
    expect(() => buildCenternetOnnx({ root, outDir: path.join(root, 'out') })).toThrow(/package @vladmandic\/human .*is not installed; run npm install/);
  });

  it('runs as a command that says whether it built or found the model up to date', () => {
    const run = (args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 60_000 });
    const cached = run(['--out', outDir]);
    expect(cached.status, cached.stderr).toBe(0);
    expect(cached.stdout).toMatch(/centernet\.onnx up to date/);
    const forced = run(['--out', outDir, '--force']);
    expect(forced.stdout).toMatch(/centernet\.onnx built in \d+ ms/);
    const bad = run(['--nope']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/Unknown option '--nope'.*usage/);
  });
});
