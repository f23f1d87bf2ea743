import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../../server/config/config.schema.js';
import { checkMinScores, detectorOptions, resolveModel, scoreFloor } from '../../../server/detect/object.model.resolve.js';
import { COCO_LABELS } from '../../../server/detect/object.models.js';
import { PROJECT_ROOT } from '../../../server/version.js';

/**
 * detect.model.* and detect.minScores checked before any worker starts: each mistake fails
 * with the config field to fix. A scratch project root holds (or lacks) the CenterNet ONNX file.
 */

const tmp = mkdtempSync(path.join(os.tmpdir(), 'binhyen-resolve-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const root = path.join(tmp, 'root');
mkdirSync(path.join(root, 'models'), { recursive: true });
copyFileSync(path.join(PROJECT_ROOT, 'models', 'centernet.manifest.json'), path.join(root, 'models', 'centernet.manifest.json'));
symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(root, 'node_modules'));
const onnx = path.join(tmp, 'model.onnx');
writeFileSync(onnx, 'not really a model, but a file with a known hash');
const sha = createHash('sha256').update('not really a model, but a file with a known hash').digest('hex');

const fieldOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return { field: (err as { details?: { field?: string } }).details?.field, code: (err as { code?: string }).code, message: (err as Error).message };
  }
  throw new Error('did not throw');
};

describe('model resolution', () => {
  it('CenterNet under auto: tfjs graph from the npm package, and the reason when its ONNX file is not built', () => {
    const m = resolveModel({ type: 'centernet' }, 'auto', { root });
    expect(m).toMatchObject({ modelType: 'centernet', inputSize: 512, iouThreshold: 0.5 });
    expect(m.onnx).toEqual({ missing: expect.stringContaining(path.join(root, 'models/build/centernet.onnx')) });
    expect(m.tfjs?.modelJson).toMatch(/@vladmandic\/human\/models\/centernet\.json$/);
    expect(m.labels).toEqual(COCO_LABELS);
    // Asked for by name, a missing file is an error, not a fallback.
    expect(fieldOf(() => resolveModel({ type: 'centernet' }, 'onnx', { root }))).toMatchObject({ code: 'model_missing', field: 'detect.model.path' });
  });

  it('CenterNet picks up models/build/centernet.onnx once it exists, keeping tfjs as the fallback under auto only', () => {
    const built = path.join(tmp, 'root2');
    mkdirSync(path.join(built, 'models', 'build'), { recursive: true });
    copyFileSync(path.join(root, 'models', 'centernet.manifest.json'), path.join(built, 'models', 'centernet.manifest.json'));
    symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(built, 'node_modules'));
    copyFileSync(onnx, path.join(built, 'models', 'build', 'centernet.onnx'));
    expect(resolveModel({ type: 'centernet' }, 'auto', { root: built })).toMatchObject({
      onnx: { file: path.join(built, 'models/build/centernet.onnx') },
      tfjs: expect.any(Object),
    });
    expect(resolveModel({ type: 'centernet' }, 'onnx', { root: built }).tfjs).toBeNull();
    expect(resolveModel({ type: 'centernet' }, 'wasm', { root: built }).onnx).toEqual({ missing: expect.stringContaining('wasm') });
    // No 16:9 twin built: every region takes the square input.
    expect(resolveModel({ type: 'centernet' }, 'auto', { root: built }).wide).toBeNull();
  });

  it('CenterNet takes its built 512x288 twin for wide frames, unless switched off, on wasm, or with a file or size of its own', () => {
    const built = path.join(tmp, 'root3');
    mkdirSync(path.join(built, 'models', 'build'), { recursive: true });
    copyFileSync(path.join(root, 'models', 'centernet.manifest.json'), path.join(built, 'models', 'centernet.manifest.json'));
    symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(built, 'node_modules'));
    for (const f of ['centernet.onnx', 'centernet-512x288.onnx']) copyFileSync(onnx, path.join(built, 'models', 'build', f));
    const twin = path.join(built, 'models/build/centernet-512x288.onnx');
    expect(resolveModel({ type: 'centernet' }, 'auto', { root: built }).wide).toEqual({ file: twin, width: 512, height: 288 });
    expect(resolveModel({ type: 'centernet', wide: false }, 'auto', { root: built }).wide).toBeNull();
    expect(resolveModel({ type: 'centernet' }, 'wasm', { root: built }).wide).toBeNull();
    expect(resolveModel({ type: 'centernet', path: onnx }, 'onnx', { root: built }).wide).toBeNull();
    expect(resolveModel({ type: 'yolox', path: onnx }, 'onnx', { root: built }).wide).toBeNull();
  });

  it('YOLOX needs a readable ONNX file given by path, checked against its SHA-256', () => {
    expect(resolveModel({ type: 'yolox', path: onnx, sha256: sha.toUpperCase() }, 'auto', { root })).toMatchObject({
      modelType: 'yolox',
      inputSize: 416,
      onnx: { file: onnx },
      tfjs: null,
    });
    // Relative paths are taken from the working directory.
    expect(resolveModel({ type: 'yolox', path: 'model.onnx', inputSize: 320 }, 'onnx', { root, cwd: tmp })).toMatchObject({
      inputSize: 320,
      onnx: { file: onnx },
    });
    expect(fieldOf(() => resolveModel({ type: 'yolox' }, 'auto', { root }))).toMatchObject({ code: 'model_missing', field: 'detect.model.path' });
    expect(fieldOf(() => resolveModel({ type: 'yolox', path: path.join(tmp, 'nope.onnx') }, 'auto', { root }))).toMatchObject({
      field: 'detect.model.path',
      message: expect.stringContaining('nope.onnx not found'),
    });
    expect(fieldOf(() => resolveModel({ type: 'yolox', path: tmp }, 'auto', { root }))).toMatchObject({ code: 'model_unreadable', field: 'detect.model.path' });
    expect(fieldOf(() => resolveModel({ type: 'yolox', path: onnx, sha256: '0'.repeat(64) }, 'auto', { root }))).toMatchObject({
      code: 'model_invalid',
      field: 'detect.model.sha256',
      message: expect.stringContaining(sha),
    });
    expect(fieldOf(() => resolveModel({ type: 'yolox', path: onnx, inputSize: 400 }, 'auto', { root }))).toMatchObject({ field: 'detect.model.inputSize' });
    expect(fieldOf(() => resolveModel({ type: 'yolox', path: onnx }, 'wasm', { root }))).toMatchObject({
      field: 'detect.backend',
      message: expect.stringContaining('onnx backend only'),
    });
  });

  it('per-label minimum scores must name the model’s labels; the workers keep candidates down to the lowest', () => {
    expect(() => checkMinScores({ person: 0.5, car: 0.3 }, COCO_LABELS)).not.toThrow();
    expect(fieldOf(() => checkMinScores({ persn: 0.5 }, COCO_LABELS))).toMatchObject({ field: 'detect.minScores.persn' });
    expect(scoreFloor(0.4, { person: 0.5, car: 0.3 })).toBe(0.3);
    expect(scoreFloor(0.4, {})).toBe(0.4);
  });

  it('builds the pool options from the config', () => {
    const d = configSchema.parse({ detect: { backend: 'onnx', model: { type: 'yolox', path: onnx }, minScores: '{"person":0.5}' } }).detect;
    expect(detectorOptions(d)).toEqual({
      backend: 'onnx',
      workers: 0,
      minScore: 0.4,
      minScores: { person: 0.5 },
      model: { type: 'yolox', path: onnx, wide: true },
    });
  });
});
