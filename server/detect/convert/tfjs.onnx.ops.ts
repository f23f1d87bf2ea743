import { int, ints, str } from './onnx.builder.js';
import { floatTensor, type OnnxAttribute } from './onnx.proto.js';
import { attr, type TfNode, type TfTensor } from './tfjs.graph.js';
import { ConvertError, NHWC_TO_NCHW_AXIS, ONNX_DTYPE, type OpContext, type OpHandler, type Value, type ValueDtype } from './tfjs.onnx.types.js';

/**
 * One handler per tfjs op the supported graphs use (default ONNX domain, opset 18). Each
 * reproduces TensorFlow's semantics exactly, including the integer post-processing of
 * CenterNet; ops or attribute values not listed here fail the conversion with a message
 * naming the node, never silently.
 */

const TF_DTYPE: Record<string, ValueDtype> = { DT_FLOAT: 'float32', DT_INT32: 'int32', DT_BOOL: 'bool', DT_INT64: 'int64' };

function tfDtype(n: TfNode, key: string): ValueDtype {
  const t = attr.type(n, key);
  const d = TF_DTYPE[t];
  if (!d) throw new ConvertError(`${n.op} ${n.name}: dtype ${t} is not supported`);
  return d;
}

function checkNhwc(n: TfNode): void {
  const f = attr.str(n, 'data_format', 'NHWC');
  if (f !== 'NHWC') throw new ConvertError(`${n.op} ${n.name}: data_format ${f} is not supported (NHWC only)`);
}

/** TensorFlow's SAME puts the odd padding pixel after, as ONNX SAME_UPPER does. */
function padding(n: TfNode): OnnxAttribute {
  const p = attr.str(n, 'padding');
  if (p === 'SAME') return str('auto_pad', 'SAME_UPPER');
  if (p === 'VALID') return str('auto_pad', 'VALID');
  throw new ConvertError(`${n.op} ${n.name}: padding ${p} is not supported`);
}

/** [1, h, w, 1] NHWC window attributes → [h, w]. */
function spatial(n: TfNode, key: string, fallback?: number[]): number[] {
  const v = attr.ints(n, key, fallback);
  if (v.length !== 4 || v[0] !== 1 || v[3] !== 1) throw new ConvertError(`${n.op} ${n.name}: ${key} ${v.join(',')} is not [1,h,w,1]`);
  return [v[1]!, v[2]!];
}

/** TF filter [kh, kw, in, out] → ONNX [out, in, kh, kw]; depthwise [kh, kw, c, m] → [c·m, 1, kh, kw] (same channel order). */
function convWeights(f: TfTensor, depthwise: boolean): { dims: number[]; values: Float32Array } {
  if (f.shape.length !== 4 || !(f.values instanceof Float32Array)) throw new ConvertError('convolution filter must be a float32 [kh,kw,in,out] constant');
  const [kh, kw, ci, co] = f.shape as [number, number, number, number];
  const src = f.values;
  const out = new Float32Array(src.length);
  // Depthwise output channel c·m + k reads input channel c, exactly like a grouped conv with `ci` groups.
  const [outCh, inCh] = depthwise ? [ci * co, 1] : [co, ci];
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < ci; i++)
        for (let o = 0; o < co; o++) {
          const from = ((y * kw + x) * ci + i) * co + o;
          const to = depthwise ? ((i * co + o) * kh + y) * kw + x : ((o * ci + i) * kh + y) * kw + x;
          out[to] = src[from]!;
        }
  return { dims: [outCh, inCh, kh, kw], values: out };
}

function activation(ctx: OpContext, op: string, x: string): string {
  if (op === 'Relu') return ctx.b.add1('Relu', [x], { base: ctx.base });
  if (op === 'Relu6') return ctx.b.add1('Clip', [x, ctx.b.float([0], []), ctx.b.float([6], [])], { base: ctx.base });
  throw new ConvertError(`${ctx.node.op} ${ctx.node.name}: fused activation ${op} is not supported`);
}

function conv(depthwise: boolean): OpHandler {
  return (ctx) => {
    const n = ctx.node;
    checkNhwc(n);
    const x = ctx.nchw(0);
    const filter = ctx.constant(1);
    const w = convWeights(filter, depthwise);
    const inputs = [x, ctx.b.initializer(floatTensor(ctx.b.unique(`${n.name}/weights`), w.dims, w.values))];
    const fused = n.op.includes('Fused') ? attr.strs(n, 'fused_ops') : [];
    if (fused.length && fused[0] !== 'BiasAdd') throw new ConvertError(`${n.op} ${n.name}: fused ops ${fused.join('+')} are not supported`);
    if (fused.length) inputs.push(ctx.plain(2));
    if (fused.length > 2) throw new ConvertError(`${n.op} ${n.name}: fused ops ${fused.join('+')} are not supported`);
    const attributes = [
      ints('kernel_shape', w.dims.slice(2)),
      ints('strides', spatial(n, 'strides')),
      ints('dilations', spatial(n, 'dilations', [1, 1, 1, 1])),
      int('group', depthwise ? filter.shape[2]! : 1),
      padding(n),
    ];
    const act = fused[1];
    let y = ctx.b.add1('Conv', inputs, { attributes, base: act ? `${ctx.base}/conv` : ctx.base });
    if (act) y = activation(ctx, act, y);
    return [{ name: y, dtype: 'float32', nchw: true }];
  };
}

const unary =
  (op: string): OpHandler =>
  (ctx) => {
    const v = ctx.input(0);
    const x = v.nchw ? v.name : ctx.plain(0);
    return [{ name: ctx.b.add1(op, [x], { base: ctx.base }), dtype: v.dtype, nchw: v.nchw }];
  };

/** Element-wise with broadcasting: stays NCHW when every operand can follow (an NCHW value, a scalar or a broadcastable Const). */
const binary =
  (op: string, dtype?: ValueDtype): OpHandler =>
  (ctx) => {
    const a = ctx.input(0);
    const b = ctx.input(1);
    if (a.nchw || b.nchw) {
      const na = ctx.broadcastNchw(a);
      const nb = ctx.broadcastNchw(b);
      if (na && nb) return [{ name: ctx.b.add1(op, [na, nb], { base: ctx.base }), dtype: dtype ?? a.dtype, nchw: true }];
    }
    return [{ name: ctx.b.add1(op, [ctx.plain(0), ctx.plain(1)], { base: ctx.base }), dtype: dtype ?? a.dtype, nchw: false }];
  };

/** Integer floor division and modulo (TF FloorDiv/FloorMod); ONNX integer Div truncates toward zero instead. */
function integerOnly(ctx: OpContext): [string, string] {
  const t = tfDtype(ctx.node, 'T');
  if (t !== 'int32') throw new ConvertError(`${ctx.node.op} ${ctx.node.name}: only int32 is supported, got ${t}`);
  return [ctx.plain(0), ctx.plain(1)];
}

const floorMod: OpHandler = (ctx) => {
  const [a, b] = integerOnly(ctx);
  // fmod=0: the remainder takes the divisor's sign, which is floor modulo.
  return [{ name: ctx.b.add1('Mod', [a, b], { attributes: [int('fmod', 0)], base: ctx.base }), dtype: 'int32', nchw: false }];
};

const floorDiv: OpHandler = (ctx) => {
  const [a, b] = integerOnly(ctx);
  // (a − a mod b) is an exact multiple of b, so truncating division of it is floor division.
  const m = ctx.b.add1('Mod', [a, b], { attributes: [int('fmod', 0)], base: `${ctx.base}/mod` });
  const d = ctx.b.add1('Sub', [a, m], { base: `${ctx.base}/sub` });
  return [{ name: ctx.b.add1('Div', [d, b], { base: ctx.base }), dtype: 'int32', nchw: false }];
};

const intValues = (t: TfTensor): number[] => {
  if (!(t.values instanceof Int32Array)) throw new ConvertError('expected an int32 constant');
  return [...t.values];
};

const scalarInt = (ctx: OpContext, i: number): number => {
  const v = intValues(ctx.constant(i));
  if (v.length !== 1) throw new ConvertError(`${ctx.node.op} ${ctx.node.name}: input ${i} must be one integer`);
  return v[0]!;
};

const mean: OpHandler = (ctx) => {
  const v = ctx.input(0);
  const keep = attr.bool(ctx.node, 'keep_dims', false);
  let axes = intValues(ctx.constant(1));
  const nchw = v.nchw && keep;
  if (nchw) axes = axes.map((a) => NHWC_TO_NCHW_AXIS[a < 0 ? a + 4 : a]!);
  const x = nchw ? v.name : ctx.plain(0);
  const y = ctx.b.add1('ReduceMean', [x, ctx.b.int64(axes)], { attributes: [int('keepdims', keep ? 1 : 0)], base: ctx.base });
  return [{ name: y, dtype: v.dtype, nchw }];
};

const concat: OpHandler = (ctx) => {
  const count = ctx.node.inputs.length - 1;
  const values = Array.from({ length: count }, (_, i) => ctx.input(i));
  let axis = scalarInt(ctx, count);
  const nchw = values.every((v) => v.nchw);
  if (nchw) axis = NHWC_TO_NCHW_AXIS[axis < 0 ? axis + 4 : axis]!;
  const inputs = values.map((v, i) => (nchw ? v.name : ctx.plain(i)));
  return [{ name: ctx.b.add1('Concat', inputs, { attributes: [int('axis', axis)], base: ctx.base }), dtype: values[0]!.dtype, nchw }];
};

const resizeBilinear: OpHandler = (ctx) => {
  const n = ctx.node;
  // TF's default sampling (out · in/out, no pixel-centre shift) is ONNX "asymmetric"; the other modes are unverified here.
  for (const a of ['align_corners', 'half_pixel_centers']) if (attr.bool(n, a, false)) throw new ConvertError(`${n.op} ${n.name}: ${a} is not supported`);
  const size = intValues(ctx.constant(1));
  // Opset 18 Resize takes sizes for the listed axes only, so N and C need not be known.
  const y = ctx.b.add1('Resize', [ctx.nchw(0), '', '', ctx.b.int64(size)], {
    attributes: [str('mode', 'linear'), str('coordinate_transformation_mode', 'asymmetric'), ints('axes', [2, 3])],
    base: ctx.base,
  });
  return [{ name: y, dtype: 'float32', nchw: true }];
};

const maxPool: OpHandler = (ctx) => {
  const n = ctx.node;
  checkNhwc(n);
  const attributes = [ints('kernel_shape', spatial(n, 'ksize')), ints('strides', spatial(n, 'strides')), padding(n)];
  return [{ name: ctx.b.add1('MaxPool', [ctx.nchw(0)], { attributes, base: ctx.base }), dtype: 'float32', nchw: true }];
};

const reshape: OpHandler = (ctx) => {
  const shape = intValues(ctx.constant(1));
  // ONNX reads 0 as "copy this dimension", TensorFlow as an empty axis.
  if (shape.includes(0)) throw new ConvertError(`Reshape ${ctx.node.name}: a 0 in the target shape is not supported`);
  return [{ name: ctx.b.add1('Reshape', [ctx.plain(0), ctx.b.int64(shape)], { base: ctx.base }), dtype: ctx.input(0).dtype, nchw: false }];
};

const cast: OpHandler = (ctx) => {
  const to = tfDtype(ctx.node, 'DstT');
  const v = ctx.input(0);
  const x = v.nchw ? v.name : ctx.plain(0);
  return [{ name: ctx.b.add1('Cast', [x], { attributes: [int('to', ONNX_DTYPE[to])], base: ctx.base }), dtype: to, nchw: v.nchw }];
};

const expandDims: OpHandler = (ctx) => {
  // Negative axes count from the end of the result in both TF and ONNX.
  const y = ctx.b.add1('Unsqueeze', [ctx.plain(0), ctx.b.int64([scalarInt(ctx, 1)])], { base: ctx.base });
  return [{ name: y, dtype: ctx.input(0).dtype, nchw: false }];
};

const BIG = Number.MAX_SAFE_INTEGER;

const stridedSlice: OpHandler = (ctx) => {
  const n = ctx.node;
  for (const m of ['ellipsis_mask', 'new_axis_mask']) if (attr.int(n, m, 0)) throw new ConvertError(`StridedSlice ${n.name}: ${m} is not supported`);
  const [begin, end, strides] = [1, 2, 3].map((i) => intValues(ctx.constant(i))) as [number[], number[], number[]];
  const bm = attr.int(n, 'begin_mask', 0);
  const em = attr.int(n, 'end_mask', 0);
  const sm = attr.int(n, 'shrink_axis_mask', 0);
  const starts: number[] = [];
  const ends: number[] = [];
  const shrink: number[] = [];
  begin.forEach((b0, i) => {
    const step = strides[i]!;
    const bit = 1 << i;
    if (sm & bit) {
      starts.push(b0);
      ends.push(b0 === -1 ? BIG : b0 + 1);
      shrink.push(i);
      return;
    }
    starts.push(bm & bit ? (step > 0 ? 0 : BIG) : b0);
    ends.push(em & bit ? (step > 0 ? BIG : -BIG) : end[i]!);
  });
  const axes = begin.map((_, i) => i);
  let y = ctx.b.add1('Slice', [ctx.plain(0), ctx.b.int64(starts), ctx.b.int64(ends), ctx.b.int64(axes), ctx.b.int64(strides)], {
    base: shrink.length ? `${ctx.base}/slice` : ctx.base,
  });
  if (shrink.length) y = ctx.b.add1('Squeeze', [y, ctx.b.int64(shrink)], { base: ctx.base });
  return [{ name: y, dtype: ctx.input(0).dtype, nchw: false }];
};

const topK: OpHandler = (ctx) => {
  if (!attr.bool(ctx.node, 'sorted', true)) throw new ConvertError(`TopKV2 ${ctx.node.name}: sorted=false is not supported`);
  const k = scalarInt(ctx, 1);
  const [values, indices] = ctx.b.add('TopK', [ctx.plain(0), ctx.b.int64([k])], {
    attributes: [int('axis', -1), int('largest', 1), int('sorted', 1)],
    base: ctx.base,
    outputCount: 2,
  }) as [string, string];
  // TF returns int32 indices; ONNX int64. Cast back so the integer ops after it match the graph's constants.
  const idx = ctx.b.add1('Cast', [indices], { attributes: [int('to', ONNX_DTYPE.int32)], base: `${ctx.base}:1` });
  return [
    { name: values, dtype: ctx.input(0).dtype, nchw: false },
    { name: idx, dtype: 'int32', nchw: false },
  ];
};

const gather: OpHandler = (ctx) => {
  if (attr.int(ctx.node, 'batch_dims', 0) !== 0) throw new ConvertError(`GatherV2 ${ctx.node.name}: batch_dims is not supported`);
  const y = ctx.b.add1('Gather', [ctx.plain(0), ctx.plain(1)], { attributes: [int('axis', scalarInt(ctx, 2))], base: ctx.base });
  return [{ name: y, dtype: ctx.input(0).dtype, nchw: false }];
};

const identity: OpHandler = (ctx): Value[] => [ctx.input(0)];

export const OP_HANDLERS: Record<string, OpHandler> = {
  Identity: identity,
  Conv2D: conv(false),
  _FusedConv2D: conv(false),
  DepthwiseConv2dNative: conv(true),
  FusedDepthwiseConv2dNative: conv(true),
  Relu: unary('Relu'),
  Relu6: (ctx) => {
    const v = ctx.input(0);
    return [{ name: activation(ctx, 'Relu6', v.nchw ? v.name : ctx.plain(0)), dtype: v.dtype, nchw: v.nchw }];
  },
  Sigmoid: unary('Sigmoid'),
  Add: binary('Add'),
  AddV2: binary('Add'),
  Sub: binary('Sub'),
  Mul: binary('Mul'),
  Equal: binary('Equal', 'bool'),
  FloorDiv: floorDiv,
  FloorMod: floorMod,
  Mean: mean,
  ConcatV2: concat,
  ResizeBilinear: resizeBilinear,
  MaxPool: maxPool,
  Reshape: reshape,
  Cast: cast,
  ExpandDims: expandDims,
  StridedSlice: stridedSlice,
  TopKV2: topK,
  GatherV2: gather,
};
