import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { encodeModel } from '../../../../server/detect/convert/onnx.proto.js';
import { parseTfGraph } from '../../../../server/detect/convert/tfjs.graph.js';
import { convertTfGraph } from '../../../../server/detect/convert/tfjs.onnx.js';

/**
 * The op mapping on small hand-written tfjs graphs, run by onnxruntime-node and checked
 * against TensorFlow's semantics computed by hand: the layout bookkeeping (NCHW inside,
 * NHWC at the edges), and the integer corners CenterNet never reaches (negative floor
 * division, shrinking slices).
 */

const b64 = (s: string) => Buffer.from(s).toString('base64');
type Const = { name: string; dtype: 'float32' | 'int32'; shape: number[]; values: number[] };

function tfModel(nodes: unknown[], consts: Const[], input: { name: string; shape: number[] }) {
  const json = {
    format: 'graph-model',
    signature: { inputs: { [input.name]: { name: input.name, dtype: 'DT_FLOAT', tensorShape: { dim: input.shape.map((size) => ({ size: String(size) })) } } } },
    modelTopology: {
      node: [
        { name: input.name, op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' } } },
        ...consts.map((c) => ({ name: c.name, op: 'Const', attr: {} })),
        ...nodes,
      ],
    },
    weightsManifest: [{ paths: ['w.bin'], weights: consts.map(({ name, dtype, shape }) => ({ name, dtype, shape })) }],
  };
  const bin = Buffer.concat(consts.map((c) => Buffer.from((c.dtype === 'float32' ? Float32Array.from(c.values) : Int32Array.from(c.values)).buffer)));
  return parseTfGraph(json, () => bin);
}

async function run(graph: ReturnType<typeof tfModel>, outputs: string[], feeds: Record<string, ort.Tensor>) {
  const converted = convertTfGraph(graph, { outputs, name: 'test' });
  const bytes = encodeModel({ graph: converted.graph, opset: 18, irVersion: 8, producerName: 'test', producerVersion: '0' });
  const s = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  try {
    return { converted, out: await s.run(feeds) };
  } finally {
    await s.release();
  }
}

const NHWC = { data_format: { s: b64('NHWC') }, strides: { list: { i: ['1', '1', '1', '1'] } }, padding: { s: b64('VALID') } };

describe('convertTfGraph', () => {
  it('keeps activations NCHW between spatial ops and returns NHWC: depthwise conv, per-channel Add, Mean over H and W, Relu6', async () => {
    // x: [1, 2, 2, 3] NHWC; channel c of pixel p holds 10·p + c.
    const x = Float32Array.from({ length: 12 }, (_, i) => 10 * Math.floor(i / 3) + (i % 3));
    const graph = tfModel(
      [
        { name: 'dw', op: 'DepthwiseConv2dNative', input: ['x', 'dw/w'], attr: NHWC },
        { name: 'add', op: 'Add', input: ['dw', 'bias'] },
        { name: 'mean', op: 'Mean', input: ['add', 'axes'], attr: { keep_dims: { b: true } } },
        { name: 'act', op: 'Relu6', input: ['add'] },
        { name: 'out', op: 'Identity', input: ['act'] },
      ],
      [
        { name: 'dw/w', dtype: 'float32', shape: [1, 1, 3, 1], values: [1, 2, -1] },
        { name: 'bias', dtype: 'float32', shape: [3], values: [0, 1, 30] },
        { name: 'axes', dtype: 'int32', shape: [2], values: [1, 2] },
      ],
      { name: 'x', shape: [1, 2, 2, 3] },
    );
    const { converted, out } = await run(graph, ['mean', 'out'], { x: new ort.Tensor('float32', x, [1, 2, 2, 3]) });
    const y = [...x].map((v, i) => v * [1, 2, -1][i % 3]! + [0, 1, 30][i % 3]!);
    const means = [0, 1, 2].map((c) => (y[c]! + y[3 + c]! + y[6 + c]! + y[9 + c]!) / 4);
    expect(out.mean!.dims).toEqual([1, 1, 1, 3]);
    expect([...(out.mean!.data as Float32Array)]).toEqual(means);
    expect(out.out!.dims).toEqual([1, 2, 2, 3]);
    expect([...(out.out!.data as Float32Array)]).toEqual(y.map((v) => Math.min(6, Math.max(0, v))));
    // One Transpose in, one per output back to NHWC: none around the element-wise ops.
    expect(converted.onnxOps.Transpose).toBe(3);
  });

  it("turns MobileNetV3's hard-swish and squeeze-excite gate into HardSwish and HardSigmoid where a Conv can take the 1/6 rounding, with the same values", async () => {
    const x = Float32Array.from({ length: 12 }, (_, i) => i - 5.5);
    // As the CenterNet graph stores it: 1/6 in half precision.
    const sixth = 0.16662598;
    const chain = (p: string, gate = false) => [
      { name: `${p}/add`, op: 'AddV2', input: ['pre', 'three'] },
      { name: `${p}/Relu6`, op: 'Relu6', input: [`${p}/add`] },
      ...(gate
        ? [{ name: `${p}/out`, op: 'Mul', input: [`${p}/Relu6`, 'sixth'] }]
        : [
            { name: `${p}/mul`, op: 'Mul', input: ['sixth', 'pre'] },
            { name: `${p}/out`, op: 'Mul', input: [`${p}/mul`, `${p}/Relu6`] },
          ]),
    ];
    const graph = tfModel(
      [
        // A Conv first, as in the model: the chains then run on NCHW values, the Convs read them directly.
        { name: 'pre', op: 'DepthwiseConv2dNative', input: ['x', 'w0'], attr: NHWC },
        ...chain('hs'),
        { name: 'hs/dw', op: 'DepthwiseConv2dNative', input: ['hs/out', 'w1'], attr: NHWC },
        ...chain('se', true),
        { name: 'se/scaled', op: 'Mul', input: ['pre', 'se/out'] },
        { name: 'se/dw', op: 'DepthwiseConv2dNative', input: ['se/scaled', 'w2'], attr: NHWC },
        // Read by a residual Add: no Conv to take the rounding, so the chain stays.
        ...chain('kept'),
        { name: 'kept/res', op: 'AddV2', input: ['kept/out', 'pre'] },
      ],
      [
        { name: 'sixth', dtype: 'float32', shape: [], values: [sixth] },
        { name: 'three', dtype: 'float32', shape: [], values: [3] },
        { name: 'w0', dtype: 'float32', shape: [1, 1, 3, 1], values: [1, 1, 1] },
        { name: 'w1', dtype: 'float32', shape: [1, 1, 3, 1], values: [1, 2, -1] },
        { name: 'w2', dtype: 'float32', shape: [1, 1, 3, 1], values: [0.5, -3, 1] },
      ],
      { name: 'x', shape: [1, 2, 2, 3] },
    );
    const { converted, out } = await run(graph, ['hs/dw', 'se/dw', 'kept/res'], { x: new ort.Tensor('float32', x, [1, 2, 2, 3]) });
    expect(converted.onnxOps).toMatchObject({ HardSwish: 1, HardSigmoid: 1, Clip: 1 });
    const relu6 = (v: number) => Math.min(6, Math.max(0, v + 3));
    const close = (got: ort.Tensor, want: number[]) =>
      [...(got.data as Float32Array)].forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want[i]!))));
    close(
      out['hs/dw']!,
      [...x].map((v, i) => v * sixth * relu6(v) * [1, 2, -1][i % 3]!),
    );
    close(
      out['se/dw']!,
      [...x].map((v, i) => v * relu6(v) * sixth * [0.5, -3, 1][i % 3]!),
    );
    close(
      out['kept/res']!,
      [...x].map((v) => v * sixth * relu6(v) + v),
    );
  });

  it('floors integer division and modulo like TensorFlow for negative operands, and shrinks sliced axes', async () => {
    const x = Float32Array.from([-7, -4, -1, 0, 3, 9]);
    const graph = tfModel(
      [
        { name: 'flat', op: 'Reshape', input: ['x', 'shape'] },
        { name: 'ints', op: 'Cast', input: ['flat'], attr: { DstT: { type: 'DT_INT32' }, SrcT: { type: 'DT_FLOAT' } } },
        { name: 'div', op: 'FloorDiv', input: ['ints', 'd'], attr: { T: { type: 'DT_INT32' } } },
        { name: 'mod', op: 'FloorMod', input: ['ints', 'd'], attr: { T: { type: 'DT_INT32' } } },
        {
          name: 'col',
          op: 'StridedSlice',
          input: ['x', 'begin', 'end', 'step'],
          attr: { begin_mask: { i: '1' }, end_mask: { i: '1' }, shrink_axis_mask: { i: '2' } },
        },
      ],
      [
        { name: 'shape', dtype: 'int32', shape: [1], values: [-1] },
        { name: 'd', dtype: 'int32', shape: [], values: [-4] },
        { name: 'begin', dtype: 'int32', shape: [2], values: [0, -1] },
        { name: 'end', dtype: 'int32', shape: [2], values: [0, 0] },
        { name: 'step', dtype: 'int32', shape: [2], values: [1, 1] },
      ],
      { name: 'x', shape: [2, 3] },
    );
    const { out } = await run(graph, ['div', 'mod', 'col'], { x: new ort.Tensor('float32', x, [2, 3]) });
    expect([...(out.div!.data as Int32Array)]).toEqual([...x].map((v) => Math.floor(v / -4) || 0));
    expect([...(out.mod!.data as Int32Array)]).toEqual([...x].map((v) => v - Math.floor(v / -4) * -4 || 0));
    expect(out.col!.dims).toEqual([2]);
    expect([...(out.col!.data as Float32Array)]).toEqual([-1, 9]);
  });

  it('refuses a graph with an op it cannot map, naming the op', () => {
    const graph = tfModel([{ name: 'sm', op: 'Softmax', input: ['x'] }], [], { name: 'x', shape: [1, 4] });
    expect(() => convertTfGraph(graph, { outputs: ['sm'], name: 't' })).toThrow(/no ONNX mapping for tfjs op\(s\) Softmax/);
  });
});
