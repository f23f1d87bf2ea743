import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_MODEL, readModelManifest, resolveModelFiles } from '../object.model.js';
import { PROJECT_ROOT } from '../../version.js';
import { CENTERNET_SQUARE, CENTERNET_WIDE, shapeName } from '../object.models.js';
import type { InputShape } from '../object.preprocess.js';
import { CONVERTER_VERSION, convertCenternet, OPSET } from './centernet.convert.js';

/**
 * The build step that writes models/build/centernet.onnx (512×512) and its 16:9 twin
 * centernet-512x288.onnx from the tfjs model in the installed npm package, each with a
 * .json record of what it was made from. A rebuild is skipped
 * when the recorded input hashes, converter version and output hash all still hold, so
 * `npm run build` stays cheap. Offline by construction: it only reads local files.
 */

const fileRecord = z.object({ name: z.string(), bytes: z.number(), sha256: z.string() });

const buildRecordSchema = z.object({
  model: z.string(),
  converterVersion: z.number(),
  opset: z.number(),
  source: z.string(),
  /** Input shape, width x height. */
  input: z.string(),
  inputs: z.array(fileRecord),
  output: fileRecord,
  inputName: z.string(),
  outputName: z.string(),
  tfOps: z.record(z.string(), z.number()),
  onnxOps: z.record(z.string(), z.number()),
  builtAt: z.string(),
});

export type BuildRecord = z.infer<typeof buildRecordSchema>;

export interface BuildOptions {
  root?: string;
  /** Default: <root>/models/build. */
  outDir?: string;
  /** Convert even when the cache says the output is current. */
  force?: boolean;
  /** Input shape; default the package's 512×512. */
  shape?: InputShape;
}

/** The file name of the CenterNet ONNX model for an input shape (the square one keeps its plain name). */
export const centernetFileName = (name: string, shape: InputShape): string =>
  shapeName(shape) === shapeName(CENTERNET_SQUARE) ? `${name}.onnx` : `${name}-${shapeName(shape)}.onnx`;

/** Both shapes the product runs (see CENTERNET_WIDE): what `npm run build:models` writes. */
export function buildCenternetModels(opts: Omit<BuildOptions, 'shape'> = {}): BuildOutcome[] {
  return [CENTERNET_SQUARE, CENTERNET_WIDE].map((shape) => buildCenternetOnnx({ ...opts, shape }));
}

export interface BuildOutcome {
  status: 'built' | 'cached';
  onnxPath: string;
  recordPath: string;
  record: BuildRecord;
  ms: number;
}

const sha256 = (buf: Uint8Array): string => createHash('sha256').update(buf).digest('hex');

function describeFile(file: string): z.infer<typeof fileRecord> {
  const buf = readFileSync(file);
  return { name: path.basename(file), bytes: buf.length, sha256: sha256(buf) };
}

export function defaultOutDir(root = PROJECT_ROOT): string {
  return path.join(root, 'models', 'build');
}

/** Throws an AppError (model_missing / model_invalid) with a readable message when the package or its files are absent or changed. */
export function buildCenternetOnnx(opts: BuildOptions = {}): BuildOutcome {
  const started = performance.now();
  const root = opts.root ?? PROJECT_ROOT;
  const outDir = opts.outDir ?? defaultOutDir(root);
  const files = resolveModelFiles(readModelManifest(DEFAULT_MODEL, root), root);
  const shape = opts.shape ?? CENTERNET_SQUARE;
  const onnxPath = path.join(outDir, centernetFileName(files.name, shape));
  const recordPath = `${onnxPath}.json`;
  const inputs = [files.modelJson, ...files.weights].map(describeFile);
  const previous = opts.force ? null : readRecord(recordPath);
  if (previous && previous.input === shapeName(shape) && upToDate(previous, inputs, onnxPath)) {
    return { status: 'cached', onnxPath, recordPath, record: previous, ms: performance.now() - started };
  }
  const converted = convertCenternet(files, shape);
  mkdirSync(outDir, { recursive: true });
  writeAtomic(onnxPath, converted.bytes);
  const record: BuildRecord = {
    model: files.name,
    converterVersion: CONVERTER_VERSION,
    opset: OPSET,
    source: files.source,
    input: shapeName(shape),
    inputs,
    output: { name: path.basename(onnxPath), bytes: converted.bytes.length, sha256: sha256(converted.bytes) },
    inputName: converted.inputName,
    outputName: converted.outputName,
    tfOps: converted.tfOps,
    onnxOps: converted.onnxOps,
    builtAt: new Date().toISOString(),
  };
  writeAtomic(recordPath, new TextEncoder().encode(JSON.stringify(record, null, 2) + '\n'));
  return { status: 'built', onnxPath, recordPath, record, ms: performance.now() - started };
}

function readRecord(file: string): BuildRecord | null {
  if (!existsSync(file)) return null;
  try {
    const parsed = buildRecordSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    // A half-written or hand-edited record only means "rebuild".
    return null;
  }
}

function upToDate(rec: BuildRecord, inputs: z.infer<typeof fileRecord>[], onnxPath: string): boolean {
  if (rec.converterVersion !== CONVERTER_VERSION || rec.inputs.length !== inputs.length) return false;
  if (!rec.inputs.every((r, i) => r.name === inputs[i]!.name && r.sha256 === inputs[i]!.sha256)) return false;
  // The output is hashed too (8 MB, ~20 ms): a truncated or edited .onnx is rebuilt, not trusted.
  return existsSync(onnxPath) && sha256(readFileSync(onnxPath)) === rec.output.sha256;
}

/** Write then rename, so a reader (or an interrupted build) never sees half a file. */
function writeAtomic(file: string, bytes: Uint8Array): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, file);
}
