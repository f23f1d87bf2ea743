import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Box } from '../domain/frame.js';
import { AppError } from '../shared/errors.js';
import { PROJECT_ROOT } from '../version.js';
import { nms } from '../domain/geometry.js';
import { inputBoxToFrame, type Letterbox } from './object.preprocess.js';

/**
 * The model manifest (models/<name>.manifest.json) and what follows from it: where the
 * files are on disk, their integrity, and how to read the model's output. The weights come
 * from an installed npm package; nothing is ever fetched over the network.
 */

const fileSchema = z.object({ name: z.string().min(1), bytes: z.number().int().positive(), sha256: z.string().regex(/^[0-9a-f]{64}$/) });

export const modelManifestSchema = z
  .object({
    name: z.string().min(1),
    source: z.object({ package: z.string().min(1), version: z.string().min(1), dir: z.string(), licence: z.string().min(1) }).passthrough(),
    files: z.object({ model: fileSchema, weights: z.array(fileSchema).min(1) }),
    input: z
      .object({
        name: z.string().min(1),
        shape: z.tuple([z.literal(1), z.number().int(), z.number().int(), z.literal(3)]),
        dtype: z.literal('float32'),
        range: z.tuple([z.number(), z.number()]),
      })
      .passthrough(),
    output: z.object({ name: z.string().min(1), shape: z.tuple([z.literal(1), z.number().int().positive(), z.literal(6)]) }).passthrough(),
    labels: z.record(z.string().regex(/^\d+$/), z.string().min(1)),
  })
  .passthrough();

export type ModelManifest = z.infer<typeof modelManifestSchema>;

/** What a worker needs to load the model: absolute paths and the tensor names. */
export interface ModelFiles {
  name: string;
  modelJson: string;
  weights: string[];
  inputName: string;
  outputName: string;
  inputSize: number;
  maxDetections: number;
  /** Index = class index in the output; a missing index is reported as "class-<n>". */
  labels: string[];
  source: string;
}

export const DEFAULT_MODEL = 'centernet';

export function readModelManifest(name = DEFAULT_MODEL, root = PROJECT_ROOT): ModelManifest {
  const file = path.join(root, 'models', `${name}.manifest.json`);
  if (!existsSync(file)) throw new AppError('model_missing', `model manifest ${file} not found`, 500, { params: { file } });
  const parsed = modelManifestSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new AppError('model_invalid', `model manifest ${file}: ${parsed.error.message}`, 500, { params: { file } });
  return parsed.data;
}

/** Finds an installed package's folder by walking up node_modules (its `exports` may hide package.json). */
export function findPackageDir(pkg: string, from = PROJECT_ROOT): string | null {
  let dir = from;
  for (;;) {
    const candidate = path.join(dir, 'node_modules', pkg);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    const up = path.dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

/**
 * Resolves and checks the model's files (size and SHA-256, about 10 ms for CenterNet) so a
 * wrong or truncated file fails at start-up with a clear message, not as garbage boxes.
 */
export function resolveModelFiles(manifest: ModelManifest, root = PROJECT_ROOT): ModelFiles {
  const { source } = manifest;
  const pkgDir = findPackageDir(source.package, root);
  if (!pkgDir) {
    throw new AppError('model_missing', `package ${source.package} (model ${manifest.name}) is not installed; run npm install`, 500, {
      params: { package: source.package },
    });
  }
  const installed = (JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version?: string }).version;
  const check = (f: z.infer<typeof fileSchema>) => {
    const p = path.join(pkgDir, source.dir, f.name);
    if (!existsSync(p)) throw new AppError('model_missing', `model file ${p} not found (${source.package}@${installed ?? '?'})`, 500, { params: { file: p } });
    const buf = readFileSync(p);
    const sha = createHash('sha256').update(buf).digest('hex');
    if (buf.length !== f.bytes || sha !== f.sha256) {
      throw new AppError(
        'model_invalid',
        `model file ${p} differs from models/${manifest.name}.manifest.json (installed ${source.package}@${installed ?? '?'}, manifest ${source.version}): update the manifest after checking the model`,
        500,
        { params: { file: p } },
      );
    }
    return p;
  };
  const labels: string[] = [];
  for (const [k, v] of Object.entries(manifest.labels)) labels[Number(k)] = v;
  return {
    name: manifest.name,
    modelJson: check(manifest.files.model),
    weights: manifest.files.weights.map(check),
    inputName: manifest.input.name,
    outputName: manifest.output.name,
    inputSize: manifest.input.shape[1],
    maxDetections: manifest.output.shape[1],
    labels,
    source: `${source.package}@${installed ?? source.version} (${source.licence})`,
  };
}

export interface Detection {
  label: string;
  classIndex: number;
  score: number;
  /** In frame pixels. */
  box: Box;
  /** Index of the request (region) this detection came from. */
  regionIndex: number;
}

export interface DecodeOptions {
  minScore: number;
  /** Per-label minimum scores (config detect.minScores); other labels use minScore. */
  minScores?: Readonly<Record<string, number>>;
  labels: readonly string[];
  /** Same-class boxes overlapping more than this are one object (default 0.5). */
  iouThreshold?: number;
  /** Boxes of different classes this similar are one object seen as two (a van as car and truck): keep the best (default 0.8). */
  crossClassIou?: number;
}

/**
 * Reads the model output (rows of x1, y1, x2, y2, score, class in input pixels), keeps
 * rows above their label's minimum score, maps boxes to frame pixels and removes duplicates. The model emits
 * its top 100 heat-map peaks, so the same object can appear twice or under two classes.
 */
export function decodeDetections(raw: Float32Array, lb: Letterbox, region: Box, regionIndex: number, opts: DecodeOptions): Detection[] {
  const found: Detection[] = [];
  for (let r = 0; r + 6 <= raw.length; r += 6) {
    const score = raw[r + 4]!;
    const cls = raw[r + 5]!;
    if (!Number.isInteger(cls) || cls < 0) continue;
    const label = opts.labels[cls] ?? `class-${cls}`;
    const min = opts.minScores && Object.hasOwn(opts.minScores, label) ? opts.minScores[label]! : opts.minScore;
    if (!(score >= min)) continue;
    const box = inputBoxToFrame([raw[r]!, raw[r + 1]!, raw[r + 2]!, raw[r + 3]!], lb, region);
    if (box[2] - box[0] < 1 || box[3] - box[1] < 1) continue;
    found.push({ label, classIndex: cls, score, box, regionIndex });
  }
  const perClass = nms(found, opts.iouThreshold ?? 0.5, { classAware: true });
  return nms(perClass, opts.crossClassIou ?? 0.8, { classAware: false });
}
