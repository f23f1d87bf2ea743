import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { DetectConfig } from '../config/config.schema.js';
import { AppError } from '../shared/errors.js';
import { PROJECT_ROOT } from '../version.js';
import type { ObjectBackendChoice } from './object.detector.js';
import { DEFAULT_MODEL, findPackageDir, readModelManifest, resolveModelFiles } from './object.model.js';
import { COCO_LABELS, MODEL_REGISTRY, type ModelTypeName } from './object.models.js';
import type { TfjsModelInit, WorkerInit } from './object.protocol.js';

/**
 * From the configured model (detect.model.*) to what the workers load, checked on the main
 * thread before any worker starts: every error names the config field to fix. ONNX files
 * given by path are checked to exist, be readable and (when a SHA-256 is configured) match.
 */

/** detect.model in the config. */
export interface ModelChoice {
  type: ModelTypeName;
  /** ONNX file; relative paths are taken from the working directory (like dataDir). */
  path?: string;
  sha256?: string;
  inputSize?: number;
  /** Label names by class index; default COCO's 80. */
  labels?: readonly string[];
  /** Use the type's wide twin when it has one (default true). */
  wide?: boolean;
}

export type ResolvedModel = Pick<WorkerInit, 'modelType' | 'inputSize' | 'tfjs' | 'onnx' | 'wide'> & {
  labels: string[];
  iouThreshold: number;
  /** Where each backend's weights come from, for logs and describe(). */
  sources: { onnx: string | null; tfjs: string | null };
};

const fieldError = (code: string, field: string, message: string) => new AppError(code, `${field}: ${message}`, 400, { field });

export function resolveWasmDir(root = PROJECT_ROOT): string {
  const pkg = findPackageDir('@tensorflow/tfjs-backend-wasm', root);
  const dir = pkg && path.join(pkg, 'dist');
  if (!dir || !existsSync(path.join(dir, 'tfjs-backend-wasm.wasm'))) {
    throw new AppError('detector_unavailable', '@tensorflow/tfjs-backend-wasm and its .wasm files are not installed; run npm install', 500);
  }
  return dir;
}

export function resolveModel(choice: ModelChoice, backend: ObjectBackendChoice, opts: { root?: string; cwd?: string } = {}): ResolvedModel {
  const root = opts.root ?? PROJECT_ROOT;
  const type = MODEL_REGISTRY[choice.type];
  const wantsOnnx = backend === 'auto' || backend === 'onnx';
  if (!type.tfjs && !wantsOnnx) {
    throw fieldError('config_invalid', 'detect.backend', `model type ${type.name} runs on the onnx backend only (asked for ${backend}); use onnx or auto`);
  }
  const inputSize = choice.inputSize ?? type.defaultInputSize;
  if (type.name === 'yolox' && inputSize % 32 !== 0)
    throw fieldError('config_invalid', 'detect.model.inputSize', `YOLOX input size must be a multiple of 32, got ${inputSize}`);
  const labels = [...(choice.labels ?? COCO_LABELS)];
  const onnx = wantsOnnx ? onnxFile(choice, root, opts.cwd ?? process.cwd()) : ({ missing: `not tried: detect.backend is ${backend}` } as const);
  if (backend === 'onnx' && 'missing' in onnx) throw fieldError('model_missing', 'detect.model.path', onnx.missing);
  const tfjs = backend === 'onnx' || !type.tfjs ? null : tfjsModel(root, inputSize, 'file' in onnx);
  return {
    modelType: type.name,
    inputSize,
    labels,
    iouThreshold: type.iouThreshold,
    onnx,
    wide: 'file' in onnx ? wideTwin(choice, inputSize, root) : null,
    tfjs: tfjs?.init ?? null,
    sources: { onnx: 'file' in onnx ? onnx.file : null, tfjs: tfjs?.source ?? null },
  };
}

/** The ONNX file for this type, or why there is none (CenterNet's default may not be built yet). */
function onnxFile(choice: ModelChoice, root: string, cwd: string): { file: string } | { missing: string } {
  const type = MODEL_REGISTRY[choice.type];
  if (!choice.path && !type.defaultOnnxFile) {
    throw fieldError(
      'model_missing',
      'detect.model.path',
      `model type ${type.name} needs an ONNX file: set detect.model.path (the product ships no ${type.name} weights)`,
    );
  }
  const file = choice.path ? path.resolve(cwd, choice.path) : path.join(root, type.defaultOnnxFile!);
  if (!existsSync(file)) {
    if (!choice.path) return { missing: `${file} not found (the CenterNet ONNX converter writes it)` };
    throw fieldError('model_missing', 'detect.model.path', `${file} not found`);
  }
  try {
    if (!statSync(file).isFile()) throw new Error('not a regular file');
    accessSync(file, constants.R_OK);
  } catch (err) {
    throw fieldError('model_unreadable', 'detect.model.path', `${file} cannot be read: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (choice.sha256) {
    const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
    if (sha !== choice.sha256.toLowerCase()) {
      throw fieldError('model_invalid', 'detect.model.sha256', `${file} has SHA-256 ${sha}, not the configured ${choice.sha256}: wrong or damaged model file`);
    }
  }
  return { file };
}

/**
 * The type's wide twin, built beside its default ONNX file: only for the default model at its
 * default size (a custom file has no twin), and only when built (otherwise every region takes
 * the square input, as before).
 */
function wideTwin(choice: ModelChoice, inputSize: number, root: string): WorkerInit['wide'] {
  const type = MODEL_REGISTRY[choice.type];
  if (!type.wide || choice.wide === false || choice.path || inputSize !== type.defaultInputSize) return null;
  const file = path.join(root, type.wide.onnxFile);
  return existsSync(file) ? { file, ...type.wide.shape } : null;
}

/**
 * CenterNet's tfjs graph from its npm package. Under `auto` with an ONNX file present it is
 * only the fallback, so its absence is not fatal there.
 */
function tfjsModel(root: string, inputSize: number, optional: boolean): { init: TfjsModelInit; source: string } | null {
  try {
    const files = resolveModelFiles(readModelManifest(DEFAULT_MODEL, root), root);
    if (inputSize !== files.inputSize)
      throw fieldError('config_invalid', 'detect.model.inputSize', `the CenterNet tfjs graph takes ${files.inputSize}, not ${inputSize}`);
    return {
      init: { modelJson: files.modelJson, weights: files.weights, inputName: files.inputName, outputName: files.outputName, wasmDir: resolveWasmDir(root) },
      source: files.source,
    };
  } catch (err) {
    if (optional) return null;
    throw err;
  }
}

/** Per-label minimum scores must name labels the model has (a typo would silently do nothing). */
export function checkMinScores(minScores: Readonly<Record<string, number>>, labels: readonly string[]): void {
  for (const label of Object.keys(minScores)) {
    if (!labels.includes(label)) throw fieldError('config_invalid', `detect.minScores.${label}`, `the model has no label "${label}"`);
  }
}

/** The lowest score any label keeps: the workers drop candidates below it. */
export const scoreFloor = (minScore: number, minScores: Readonly<Record<string, number>>): number => Math.min(minScore, ...Object.values(minScores));

/** The detector pool's options from the validated config (main server and `binhyen detect`). */
export function detectorOptions(d: DetectConfig): {
  backend: ObjectBackendChoice;
  workers: number;
  minScore: number;
  minScores: Record<string, number>;
  model: ModelChoice;
} {
  return { backend: d.backend, workers: d.workers, minScore: d.minScore, minScores: d.minScores, model: d.model };
}
