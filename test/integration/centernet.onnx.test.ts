import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFrameYuv420 } from '../../server/bench/model.bench.js';
import { ensureSampleFootage } from '../../server/demo/footage.js';
import { convertCenternet, type ConvertedModel } from '../../server/detect/convert/centernet.convert.js';
import { createTfjsRuntime, type TfjsRuntime } from '../../server/detect/object.backend.tfjs.js';
import { readModelManifest, resolveModelFiles, type ModelFiles } from '../../server/detect/object.model.js';
import { resolveWasmDir } from '../../server/detect/object.model.resolve.js';
import { LetterboxScratch } from '../../server/detect/object.preprocess.js';
import { silentLogger } from '../../server/shared/log.js';

/**
 * The converted model against the original: the tfjs graph on the wasm backend (as the
 * detector workers run it) and the ONNX conversion on onnxruntime-node, fed the same real
 * frames, pre-processed exactly as the product does (yuv420p → RGB, letterboxed to 512).
 */

const TIMES = [5, 20, 30, 45, 60];
const MIN_SCORE = 0.05;
const BOX_TOLERANCE_PX = 0.01;
const SCORE_TOLERANCE = 1e-3;

interface Row {
  box: [number, number, number, number];
  score: number;
  cls: number;
}

const rowsOf = (raw: Float32Array): Row[] =>
  Array.from({ length: raw.length / 6 }, (_, r) => ({
    box: [raw[r * 6]!, raw[r * 6 + 1]!, raw[r * 6 + 2]!, raw[r * 6 + 3]!],
    score: raw[r * 6 + 4]!,
    cls: raw[r * 6 + 5]!,
  }));

const boxDiff = (a: Row, b: Row): number => Math.max(...a.box.map((v, i) => Math.abs(v - b.box[i]!)));

/**
 * Pairs every row above MIN_SCORE in `from` with a row of `to` of the same class, box and
 * score within tolerance (each used once; matching, not row index, so two near-equal scores
 * listed in swapped order still pass). A row is excused only when its score is within the
 * score tolerance of the 100th (last) score: which of two equal peaks makes the top 100 is arbitrary.
 */
function unmatched(from: Row[], to: Row[]): { missing: Row[]; worstBox: number; worstScore: number } {
  const used = new Set<number>();
  const cutoff = Math.min(...to.map((r) => r.score));
  const missing: Row[] = [];
  let worstBox = 0;
  let worstScore = 0;
  for (const r of from.filter((x) => x.score > MIN_SCORE)) {
    let best = -1;
    for (let j = 0; j < to.length; j++) {
      const c = to[j]!;
      if (used.has(j) || c.cls !== r.cls || boxDiff(r, c) > BOX_TOLERANCE_PX || Math.abs(c.score - r.score) > SCORE_TOLERANCE) continue;
      if (best < 0 || boxDiff(r, c) < boxDiff(r, to[best]!)) best = j;
    }
    if (best < 0) {
      if (r.score - cutoff > SCORE_TOLERANCE) missing.push(r);
      continue;
    }
    used.add(best);
    worstBox = Math.max(worstBox, boxDiff(r, to[best]!));
    worstScore = Math.max(worstScore, Math.abs(r.score - to[best]!.score));
  }
  return { missing, worstBox, worstScore };
}

describe('CenterNet converted to ONNX gives the tfjs model’s detections (vtest.avi frames)', () => {
  let files: ModelFiles;
  let converted: ConvertedModel;
  let session: ort.InferenceSession;
  let tfjs: TfjsRuntime;
  const inputs = new Map<number, Float32Array>();

  beforeAll(async () => {
    const video = await ensureSampleFootage(silentLogger);
    if (!video) throw new Error('vtest.avi is missing and scripts/fetch-sample-footage could not fetch it (it needs apt and the Debian mirror once)');
    const scratch = new LetterboxScratch(512);
    for (const t of TIMES) {
      scratch.fill(await readFrameYuv420(video, t));
      inputs.set(t, scratch.input.slice());
    }
    files = resolveModelFiles(readModelManifest());
    converted = convertCenternet(files);
    session = await ort.InferenceSession.create(converted.bytes, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    });
    tfjs = await createTfjsRuntime({
      backend: 'wasm',
      inputSize: files.inputSize,
      model: { modelJson: files.modelJson, weights: files.weights, inputName: files.inputName, outputName: files.outputName, wasmDir: resolveWasmDir() },
    });
  });
  afterAll(async () => {
    tfjs?.dispose();
    await session?.release();
  });

  const runOnnx = async (input: Float32Array): Promise<{ dims: readonly number[]; data: Float32Array }> => {
    const out = await session.run({ [converted.inputName]: new ort.Tensor('float32', input, [1, 512, 512, 3]) });
    const t = out[converted.outputName]!;
    return { dims: t.dims, data: t.data as Float32Array };
  };

  it('keeps the tfjs model’s input and output names and shapes', async () => {
    expect(session.inputNames).toEqual([files.inputName]);
    expect(session.outputNames).toEqual([files.outputName]);
    const out = await runOnnx(inputs.get(TIMES[0]!)!);
    expect(out.dims).toEqual([1, files.maxDetections, 6]);
  });

  it.each(TIMES)('frame at %ss: every detection above 0.05 has the same class, box within 0.01 px and score within 1e-3', async (t) => {
    const input = inputs.get(t)!;
    const tfRows = rowsOf(await tfjs.infer(input));
    const onnxRows = rowsOf((await runOnnx(input)).data);
    // The frames show people: the comparison is not vacuous.
    expect(tfRows.filter((r) => r.score > 0.4 && r.cls === 0).length).toBeGreaterThan(0);
    const there = unmatched(tfRows, onnxRows);
    const back = unmatched(onnxRows, tfRows);
    const detail = `worst box ${there.worstBox} px, worst score ${there.worstScore}`;
    expect(there.missing, `tfjs rows with no ONNX counterpart (${detail})`).toEqual([]);
    expect(back.missing, `ONNX rows with no tfjs counterpart (${detail})`).toEqual([]);
    expect(there.worstBox).toBeLessThanOrEqual(BOX_TOLERANCE_PX);
    expect(there.worstScore).toBeLessThanOrEqual(SCORE_TOLERANCE);
  });
});
