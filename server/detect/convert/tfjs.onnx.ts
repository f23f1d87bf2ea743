import { fuseHardActivations } from './onnx.fuse.js';
import { OnnxGraphBuilder, ints } from './onnx.builder.js';
import { DataType, floatTensor, int32Tensor, type OnnxGraph, type OnnxValueInfo } from './onnx.proto.js';
import type { TfGraph, TfNode } from './tfjs.graph.js';
import { OP_HANDLERS } from './tfjs.onnx.ops.js';
import { ConvertError, ONNX_DTYPE, type OpContext, type Value } from './tfjs.onnx.types.js';

export { ConvertError } from './tfjs.onnx.types.js';

/**
 * Walks a tfjs graph back from the requested outputs and emits the equivalent ONNX graph.
 *
 * Layout: TensorFlow graphs are NHWC, ONNX Conv/MaxPool/Resize are NCHW. Rather than wrap
 * every spatial op in a pair of Transposes, a 4-D value is kept channels-first ("nchw")
 * from the first spatial op on, through element-wise ops, concatenations and reductions
 * (whose axes are remapped); it is transposed back to NHWC only where an op needs the
 * original element order (Reshape, slicing, TopK…). For CenterNet that is one Transpose
 * after the input and one per head before the post-processing.
 */

export interface ConvertResult {
  graph: OnnxGraph;
  /** tfjs op → count, over the nodes the outputs depend on. */
  tfOps: Record<string, number>;
  /** ONNX op → count in the result. */
  onnxOps: Record<string, number>;
}

export function convertTfGraph(tf: TfGraph, opts: { outputs: string[]; name: string }): ConvertResult {
  const reachable = reachableNodes(tf, opts.outputs);
  const tfOps = countBy(reachable.map((n) => n.op));
  const unsupported = Object.keys(tfOps).filter((op) => !(op in OP_HANDLERS) && op !== 'Const' && op !== 'Placeholder');
  if (unsupported.length) throw new ConvertError(`no ONNX mapping for tfjs op(s) ${unsupported.join(', ')}`);
  const conv = new Converter(tf);
  for (const n of reachable) if (n.op === 'Placeholder') conv.b.reserve(n.name);
  for (const o of opts.outputs) conv.b.reserve(o);
  const outputs = opts.outputs.map((o) => conv.emitOutput(o));
  const { graph } = fuseHardActivations({ name: opts.name, nodes: conv.b.nodes, initializers: conv.b.initializers, inputs: conv.graphInputs, outputs });
  return { graph, tfOps, onnxOps: countBy(graph.nodes.map((n) => n.opType)) };
}

function reachableNodes(tf: TfGraph, outputs: string[]): TfNode[] {
  const seen = new Set<string>();
  const order: TfNode[] = [];
  const stack = outputs.map((o) => nodeName(o));
  while (stack.length) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const n = tf.nodes.get(name);
    if (!n) throw new ConvertError(`tensor ${name} is not in the graph`);
    order.push(n);
    for (const i of n.inputs) stack.push(nodeName(i));
  }
  return order;
}

const nodeName = (ref: string): string => ref.split(':')[0]!;
const outputIndex = (ref: string): number => Number(ref.split(':')[1] ?? 0);

function countBy(items: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items.sort()) out[i] = (out[i] ?? 0) + 1;
  return out;
}

class Converter {
  readonly b = new OnnxGraphBuilder();
  readonly graphInputs: OnnxValueInfo[] = [];
  private readonly done = new Map<string, Value[]>();
  private readonly toPlain = new Map<string, string>();
  private readonly toNchw = new Map<string, string>();
  private readonly initializers = new Map<string, string>();

  constructor(private readonly tf: TfGraph) {}

  value(ref: string): Value {
    const name = nodeName(ref);
    let values = this.done.get(name);
    if (!values) {
      values = this.convertNode(this.tf.nodes.get(name)!);
      this.done.set(name, values);
    }
    const v = values[outputIndex(ref)];
    if (!v) throw new ConvertError(`${ref}: node has no output ${outputIndex(ref)}`);
    return v;
  }

  private convertNode(node: TfNode): Value[] {
    if (node.op === 'Const') {
      const c = this.tf.consts.get(node.name)!;
      return [{ name: node.name, dtype: c.dtype, nchw: false, constant: c }];
    }
    if (node.op === 'Placeholder') return [this.placeholder(node)];
    return OP_HANDLERS[node.op]!(this.context(node));
  }

  private placeholder(node: TfNode): Value {
    const sig = Object.values(this.tf.inputs).find((s) => s.name === node.name);
    const attrDims = (node.attr.shape?.shape as { dim?: { size?: string }[] } | undefined)?.dim;
    const dims = sig?.shape ?? attrDims?.map((d) => Number(d.size ?? -1));
    const shape = dims ? dims.map((d, i) => (d >= 0 ? d : `d${i}`)) : null;
    const dtype = node.attr.dtype?.type;
    if (dtype !== 'DT_FLOAT' || !shape) throw new ConvertError(`input ${node.name}: only float32 inputs of known rank are supported (got ${dtype ?? '?'})`);
    this.graphInputs.push({ name: node.name, elemType: DataType.FLOAT, shape });
    return { name: node.name, dtype: 'float32', nchw: false };
  }

  /** Graph output `ref` under its own tfjs name, in NHWC order. */
  emitOutput(ref: string): OnnxValueInfo {
    const v = this.value(ref);
    const name = nodeName(ref);
    if (v.nchw) this.b.add('Transpose', [v.name], { attributes: [ints('perm', [0, 2, 3, 1])], outputs: [name] });
    else this.b.add('Identity', [this.materialise(v)], { outputs: [name] });
    const sig = Object.values(this.tf.outputs).find((s) => s.name === name);
    return { name, elemType: ONNX_DTYPE[v.dtype], shape: sig?.shape?.map((d, i) => (d >= 0 ? d : `d${i}`)) ?? [] };
  }

  /** The ONNX name of a value, creating the initializer of a Const on first use. */
  materialise(v: Value): string {
    const c = v.constant;
    if (!c) return v.name;
    let name = this.initializers.get(v.name);
    if (!name) {
      // unique(): a tfjs name may clash with a name made up for a helper value.
      const unique = this.b.unique(v.name);
      if (c.values instanceof Float32Array) name = this.b.initializer(floatTensor(unique, c.shape, c.values));
      else if (c.values instanceof Int32Array) name = this.b.initializer(int32Tensor(unique, c.shape, c.values));
      else throw new ConvertError(`const ${v.name}: ${c.dtype} constants are not supported as data`);
      this.initializers.set(v.name, name);
    }
    return name;
  }

  private plain(v: Value): string {
    if (!v.nchw) return this.materialise(v);
    let t = this.toPlain.get(v.name);
    if (!t) {
      t = this.b.add1('Transpose', [v.name], { attributes: [ints('perm', [0, 2, 3, 1])], base: `${v.name}/nhwc` });
      this.toPlain.set(v.name, t);
    }
    return t;
  }

  private nchw(v: Value): string {
    if (v.nchw) return v.name;
    if (v.constant) throw new ConvertError(`const ${v.name} used where an activation map is expected`);
    let t = this.toNchw.get(v.name);
    if (!t) {
      t = this.b.add1('Transpose', [v.name], { attributes: [ints('perm', [0, 3, 1, 2])], base: `${v.name}/nchw` });
      this.toNchw.set(v.name, t);
    }
    return t;
  }

  /** A Const broadcast against NHWC [N,H,W,C] becomes its NCHW counterpart: padded to rank 4 and transposed. */
  private broadcastNchw(v: Value): string | null {
    if (v.nchw) return v.name;
    const c = v.constant;
    if (!c || c.shape.length > 4 || !(c.values instanceof Float32Array)) return null;
    if (c.shape.length === 0) return this.materialise(v);
    const s = [...Array(4 - c.shape.length).fill(1), ...c.shape] as [number, number, number, number];
    const out = new Float32Array(c.values.length);
    const [n, h, w, ch] = s;
    for (let a = 0; a < n; a++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++)
          for (let k = 0; k < ch; k++) {
            out[((a * ch + k) * h + y) * w + x] = c.values[((a * h + y) * w + x) * ch + k]!;
          }
    return this.b.initializer(floatTensor(this.b.unique(`${v.name}/nchw`), [n, ch, h, w], out));
  }

  private context(node: TfNode): OpContext {
    return {
      node,
      b: this.b,
      base: node.name,
      input: (i) => this.value(this.inputRef(node, i)),
      constant: (i) => {
        const v = this.value(this.inputRef(node, i));
        if (!v.constant) throw new ConvertError(`${node.op} ${node.name}: input ${i} must be a constant`);
        return v.constant;
      },
      plain: (i) => this.plain(this.value(this.inputRef(node, i))),
      nchw: (i) => this.nchw(this.value(this.inputRef(node, i))),
      broadcastNchw: (v) => this.broadcastNchw(v),
    };
  }

  private inputRef(node: TfNode, i: number): string {
    const ref = node.inputs[i];
    if (ref === undefined) throw new ConvertError(`${node.op} ${node.name}: input ${i} is missing`);
    return ref;
  }
}
