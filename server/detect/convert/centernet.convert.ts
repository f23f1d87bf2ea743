import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type ModelFiles } from '../object.model.js';
import { CENTERNET_SQUARE, shapeName } from '../object.models.js';
import type { InputShape } from '../object.preprocess.js';
import { encodeModel } from './onnx.proto.js';
import { parseTfGraph, weightPaths, type TfGraph } from './tfjs.graph.js';
import { convertTfGraph, ConvertError, type ConvertResult } from './tfjs.onnx.js';

/**
 * CenterNet (the tfjs graph model shipped by @vladmandic/human) → ONNX. The result keeps the
 * tfjs model's contract so the decoder is unchanged: input `tower_0/images` NHWC float32
 * [1, 512, 512, 3] in 0–255, output `tower_0/detections` [1, 100, 6] (x1, y1, x2, y2 in input
 * pixels, score, class index), both computed exactly as the tfjs graph computes them.
 */

/** Bump when the conversion changes, so cached builds are redone. */
export const CONVERTER_VERSION = 3;

/** Opset 18: Resize takes per-axis sizes (no need to know N and C), ReduceMean takes axes as an input. */
export const OPSET = 18;
const IR_VERSION = 8;

export interface ConvertedModel extends Omit<ConvertResult, 'graph'> {
  bytes: Uint8Array;
  inputName: string;
  outputName: string;
}

/** Converts the verified model files (see resolveModelFiles); reads them from disk. */
export function convertCenternet(
  files: Pick<ModelFiles, 'modelJson' | 'weights' | 'inputName' | 'outputName' | 'source'>,
  shape: InputShape = CENTERNET_SQUARE,
): ConvertedModel {
  const json: unknown = JSON.parse(readFileSync(files.modelJson, 'utf8'));
  const byName = new Map(files.weights.map((p) => [path.basename(p), p]));
  for (const p of weightPaths(json).flat()) {
    if (!byName.has(path.basename(p))) throw new Error(`weights file ${p} named by ${files.modelJson} is not in the model manifest`);
  }
  const graph = parseTfGraph(json, (p) => readFileSync(byName.get(path.basename(p))!));
  reshapeCenternet(graph, files.inputName, shape);
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
    docString: `Converted from the TensorFlow.js graph model ${path.basename(files.modelJson)} (${files.source}), input ${shapeName(shape)}.`,
    metadata: { source: files.source, input: shapeName(shape) },
  });
  return { bytes, tfOps: result.tfOps, onnxOps: result.onnxOps, inputName: files.inputName, outputName: files.outputName };
}

/**
 * The graph is fully convolutional except for constants that spell out its 512×512 export:
 * the three upsampling sizes of the head (1/16, 1/8, 1/4 of the input), the heatmap's pixel
 * count and row width in the top-k decoding. Rewriting them (and the input's shape) gives the
 * same weights at another input size. Each constant is checked to hold its 512×512 value first,
 * so a changed graph fails the build instead of decoding boxes wrongly.
 */
function reshapeCenternet(graph: TfGraph, inputName: string, shape: InputShape): void {
  if (shape.width % 32 || shape.height % 32 || shape.width <= 0 || shape.height <= 0)
    throw new ConvertError(`CenterNet input ${shapeName(shape)}: both sides must be positive multiples of 32`);
  const { width: W, height: H } = shape;
  const { width: W0, height: H0 } = CENTERNET_SQUARE;
  const head = 'tower_0/CenternetHead';
  const rewrites: [string, number[], number[]][] = [
    [`${head}/c5_upsample/up_sampling2d/mul`, [H0 / 16, W0 / 16], [H / 16, W / 16]],
    [`${head}/c4_upsample/up_sampling2d_1/mul`, [H0 / 8, W0 / 8], [H / 8, W / 8]],
    [`${head}/c3_upsample/up_sampling2d_2/mul`, [H0 / 4, W0 / 4], [H / 4, W / 4]],
    ['tower_0/BatchGather/concat', [(H0 / 4) * (W0 / 4), 4], [(H / 4) * (W / 4), 4]],
    ['tower_0/strided_slice_6', [W0 / 4], [W / 4]],
  ];
  for (const [name, was, now] of rewrites) {
    const c = graph.consts.get(name);
    if (!c || !(c.values instanceof Int32Array) || c.values.join() !== was.join())
      throw new ConvertError(`CenterNet graph constant ${name} is not [${was.join(', ')}]: cannot convert to input ${shapeName(shape)}`);
    c.values = Int32Array.from(now);
  }
  const input = graph.inputs[inputName];
  if (!input || input.shape?.join() !== [1, H0, W0, 3].join()) throw new ConvertError(`CenterNet input ${inputName} is not [1, ${H0}, ${W0}, 3]`);
  input.shape = [1, H, W, 3];
}
