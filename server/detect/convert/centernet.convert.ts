import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type ModelFiles } from '../object.model.js';
import { encodeModel } from './onnx.proto.js';
import { parseTfGraph, weightPaths } from './tfjs.graph.js';
import { convertTfGraph, type ConvertResult } from './tfjs.onnx.js';

/**
 * CenterNet (the tfjs graph model shipped by @vladmandic/human) → ONNX. The result keeps the
 * tfjs model's contract so the decoder is unchanged: input `tower_0/images` NHWC float32
 * [1, 512, 512, 3] in 0–255, output `tower_0/detections` [1, 100, 6] (x1, y1, x2, y2 in input
 * pixels, score, class index), both computed exactly as the tfjs graph computes them.
 */

/** Bump when the conversion changes, so cached builds are redone. */
export const CONVERTER_VERSION = 1;

/** Opset 18: Resize takes per-axis sizes (no need to know N and C), ReduceMean takes axes as an input. */
export const OPSET = 18;
const IR_VERSION = 8;

export interface ConvertedModel extends Omit<ConvertResult, 'graph'> {
  bytes: Uint8Array;
  inputName: string;
  outputName: string;
}

/** Converts the verified model files (see resolveModelFiles); reads them from disk. */
export function convertCenternet(files: Pick<ModelFiles, 'modelJson' | 'weights' | 'inputName' | 'outputName' | 'source'>): ConvertedModel {
  const json: unknown = JSON.parse(readFileSync(files.modelJson, 'utf8'));
  const byName = new Map(files.weights.map((p) => [path.basename(p), p]));
  for (const p of weightPaths(json).flat()) {
    if (!byName.has(path.basename(p))) throw new Error(`weights file ${p} named by ${files.modelJson} is not in the model manifest`);
  }
  const graph = parseTfGraph(json, (p) => readFileSync(byName.get(path.basename(p))!));
  const result = convertTfGraph(graph, { outputs: [files.outputName], name: 'centernet' });
  if (!result.graph.inputs.some((i) => i.name === files.inputName)) {
    throw new Error(`converted graph has inputs ${result.graph.inputs.map((i) => i.name).join(', ')}, expected ${files.inputName}`);
  }
  const bytes = encodeModel({
    graph: result.graph,
    opset: OPSET,
    irVersion: IR_VERSION,
    producerName: 'binhyen tfjs-to-onnx',
    producerVersion: String(CONVERTER_VERSION),
    docString: `Converted from the TensorFlow.js graph model ${path.basename(files.modelJson)} (${files.source}).`,
    metadata: { source: files.source },
  });
  return { bytes, tfOps: result.tfOps, onnxOps: result.onnxOps, inputName: files.inputName, outputName: files.outputName };
}
