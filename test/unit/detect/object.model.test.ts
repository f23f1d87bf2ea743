import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OBJECT_BACKENDS, defaultWorkerCount, isObjectBackendName, planWorkers } from '../../../server/detect/object.detector.js';
import { decodeDetections, readModelManifest, resolveModelFiles } from '../../../server/detect/object.model.js';
import { letterboxFor } from '../../../server/detect/object.preprocess.js';
import { PROJECT_ROOT } from '../../../server/version.js';

describe('model manifest', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'binhyen-model-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('names CenterNet’s files, tensors and COCO labels, and they match the installed package', () => {
    const manifest = readModelManifest();
    expect(manifest.source).toMatchObject({ package: '@vladmandic/human', licence: 'MIT' });
    const files = resolveModelFiles(manifest);
    expect(files).toMatchObject({ inputName: 'tower_0/images', outputName: 'tower_0/detections', inputSize: 512, maxDetections: 100 });
    expect(files.modelJson).toMatch(/node_modules\/@vladmandic\/human\/models\/centernet\.json$/);
    expect(files.weights).toHaveLength(1);
    expect(files.labels).toHaveLength(80);
    expect([0, 1, 2, 3, 5, 7].map((i) => files.labels[i])).toEqual(['person', 'bicycle', 'car', 'motorcycle', 'bus', 'truck']);
  });

  it('refuses a model file that differs from the manifest', () => {
    const manifest = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'models', 'centernet.manifest.json'), 'utf8')) as {
      files: { weights: { sha256: string }[] };
    };
    manifest.files.weights[0]!.sha256 = '0'.repeat(64);
    mkdirSync(path.join(tmp, 'models'));
    writeFileSync(path.join(tmp, 'models', 'centernet.manifest.json'), JSON.stringify(manifest));
    symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(tmp, 'node_modules'));
    expect(() => resolveModelFiles(readModelManifest('centernet', tmp), tmp)).toThrow(expect.objectContaining({ code: 'model_invalid' }));
    expect(() => readModelManifest('nope', tmp)).toThrow(expect.objectContaining({ code: 'model_missing' }));
  });
});

describe('decodeDetections', () => {
  const labels = ['person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck'];
  const rows = (...r: number[][]) => new Float32Array(r.flat());

  it('keeps rows above the minimum score and maps them to frame pixels through the letterbox', () => {
    const lb = letterboxFor(256, 128, 512); // a 256×128 crop at (100, 40), enlarged 2×
    const raw = rows([20, 40, 100, 200, 0.8, 0], [300, 10, 400, 60, 0.3, 2], [0, 0, 0, 0, 0.0, 0]);
    const d = decodeDetections(raw, lb, [100, 40, 356, 168], 3, { minScore: 0.4, labels });
    expect(d).toEqual([{ label: 'person', classIndex: 0, score: expect.closeTo(0.8, 5), box: [110, 60, 150, 140], regionIndex: 3 }]);
  });

  it('merges duplicates of one object but keeps a rider and the motorcycle', () => {
    const lb = letterboxFor(512, 512, 512);
    const raw = rows(
      [100, 100, 150, 250, 0.7, 0], // person
      [102, 101, 151, 249, 0.5, 0], // the same person again
      [300, 100, 400, 160, 0.6, 2], // a van as "car"
      [301, 99, 401, 161, 0.55, 7], // the same van as "truck"
      [95, 180, 160, 280, 0.6, 3], // the motorcycle under the person
      [10, 10, 20, 20, 0.5, 99], // an index beyond the label list still reports
    );
    const d = decodeDetections(raw, lb, [0, 0, 512, 512], 0, { minScore: 0.4, labels });
    expect(d.map((x) => x.label).sort()).toEqual(['car', 'class-99', 'motorcycle', 'person']);
  });
});

describe('backend registry', () => {
  it('runs one tfjs-node worker, one onnx worker per core, and a pool of cores − 1 wasm workers unless configured', () => {
    expect(planWorkers('onnx', 0, 2)).toBe(2);
    expect(planWorkers('onnx', 1, 2)).toBe(1);
    expect(planWorkers('tfjs-node', 0, 8)).toBe(1);
    expect(planWorkers('tfjs-node', 4, 8)).toBe(1);
    expect(planWorkers('wasm', 0, 8)).toBe(7);
    expect(planWorkers('wasm', 0, 2)).toBe(1);
    expect(planWorkers('wasm', 0, 1)).toBe(1);
    expect(planWorkers('wasm', 3, 2)).toBe(3);
    expect(defaultWorkerCount(4)).toBe(3);
  });

  it('never offers the pure-JS cpu backend for live detection', () => {
    expect(OBJECT_BACKENDS.cpu.live).toBe(false);
    expect(OBJECT_BACKENDS.wasm.live && OBJECT_BACKENDS['tfjs-node'].live).toBe(true);
    expect(isObjectBackendName('wasm')).toBe(true);
    expect(isObjectBackendName('auto')).toBe(false);
  });
});
