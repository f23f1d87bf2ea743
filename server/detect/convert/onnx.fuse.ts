import { DataType, type OnnxAttribute, type OnnxGraph, type OnnxNode, type OnnxTensor } from './onnx.proto.js';

/**
 * MobileNetV3's activations reach us from TensorFlow as chains of elementwise ops: hard-swish
 * x·c·relu6(x + 3) (Mul, Add, Clip, Mul) and the squeeze-excite gate c·relu6(x + 3) (Add, Clip,
 * Mul), c = 1/6. onnxruntime runs one HardSwish or HardSigmoid op (opset 14) inside its blocked
 * (NCHWc) layout, where the chains made it convert the layout back and forth around every block.
 *
 * The graph stores c in half precision (0.166626, not 1/6), and the ops compute with 1/6
 * exactly: the chain is the op times 6c. That factor is moved into the weights of the Convs the
 * result reaches through linear steps (Mul, ReduceMean), as a Conv is linear in its input; so
 * the converted model still gives the tfjs graph's numbers up to float rounding
 * (centernet.onnx.test.ts: boxes within 0.01 px, scores within 1e-3 on real frames). A chain
 * whose result reaches anything else (a residual Add) is left as it is.
 */
export interface FuseResult {
  graph: OnnxGraph;
  fused: { HardSwish: number; HardSigmoid: number };
}

/** 1/6, 3 and 6 as the graph stores them (half-precision 1/6 is 4e-5 off). */
const near = (v: number | undefined, want: number) => v !== undefined && Math.abs(v - want) < 1e-4;
const HALF_SIXTH: OnnxAttribute[] = [
  { name: 'alpha', kind: 'float', value: 1 / 6 },
  { name: 'beta', kind: 'float', value: 0.5 },
];

interface Chain {
  op: 'HardSwish' | 'HardSigmoid';
  x: string;
  c: number;
  nodes: OnnxNode[];
  /** The last Mul: its output is the chain's result. */
  out: OnnxNode;
}

interface Index {
  scalars: Map<string, number>;
  weights: Map<string, OnnxTensor>;
  producer: Map<string, OnnxNode>;
  readers(value: string): OnnxNode[];
  soleUser(value: string): OnnxNode | undefined;
}

export function fuseHardActivations(graph: OnnxGraph): FuseResult {
  const g = index(graph);
  const removed = new Set<OnnxNode>();
  const replaced = new Map<OnnxNode, OnnxNode>();
  /** Weight name → the factor it is multiplied by (a Conv behind two chains takes both). */
  const factors = new Map<string, number>();
  const fused = { HardSwish: 0, HardSigmoid: 0 };
  for (const clip of graph.nodes) {
    const chain = matchChain(clip, g);
    const convs = chain && absorbingConvs(chain.out.outputs[0]!, g);
    if (!chain || !convs) continue;
    for (const conv of convs) factors.set(conv.inputs[1]!, (factors.get(conv.inputs[1]!) ?? 1) * 6 * chain.c);
    const attributes = chain.op === 'HardSigmoid' ? HALF_SIXTH : undefined;
    replaced.set(chain.out, { opType: chain.op, inputs: [chain.x], outputs: chain.out.outputs, name: chain.out.name, attributes });
    for (const n of chain.nodes) if (n !== chain.out) removed.add(n);
    fused[chain.op]++;
  }
  const nodes = graph.nodes.filter((n) => !removed.has(n)).map((n) => replaced.get(n) ?? n);
  const used = new Set(nodes.flatMap((n) => n.inputs));
  const initializers = graph.initializers.filter((t) => used.has(t.name)).map((t) => (factors.has(t.name) ? scaled(t, factors.get(t.name)!) : t));
  return { graph: { ...graph, nodes, initializers }, fused };
}

function index(graph: OnnxGraph): Index {
  const producer = new Map<string, OnnxNode>();
  const users = new Map<string, OnnxNode[]>();
  for (const n of graph.nodes) {
    for (const o of n.outputs) producer.set(o, n);
    for (const i of n.inputs) users.set(i, [...(users.get(i) ?? []), n]);
  }
  const graphOutputs = new Set(graph.outputs.map((o) => o.name));
  const readers = (value: string) => (graphOutputs.has(value) ? [] : (users.get(value) ?? []));
  return {
    scalars: scalarConstants(graph.initializers),
    weights: new Map(graph.initializers.map((t) => [t.name, t])),
    producer,
    readers,
    soleUser: (value) => {
      const u = readers(value);
      return u.length === 1 ? u[0]! : undefined;
    },
  };
}

/** From a Clip(Add(x, 3), 0, 6): hard-swish (·Mul(c, x)) or the gate (·c); undefined for anything else. */
function matchChain(clip: OnnxNode, g: Index): Chain | undefined {
  if (clip.opType !== 'Clip' || clip.inputs.length !== 3) return undefined;
  if (!near(g.scalars.get(clip.inputs[1]!), 0) || !near(g.scalars.get(clip.inputs[2]!), 6)) return undefined;
  const add = g.producer.get(clip.inputs[0]!);
  if (add?.opType !== 'Add' || add.inputs.length !== 2 || g.soleUser(add.outputs[0]!) !== clip) return undefined;
  const three = add.inputs.findIndex((i) => near(g.scalars.get(i), 3));
  if (three < 0) return undefined;
  const x = add.inputs[1 - three]!;
  const out = g.soleUser(clip.outputs[0]!);
  if (out?.opType !== 'Mul' || out.inputs.length !== 2) return undefined;
  const other = out.inputs.find((i) => i !== clip.outputs[0]) ?? '';
  const gate = g.scalars.get(other);
  if (near(gate, 1 / 6)) return { op: 'HardSigmoid', x, c: gate!, nodes: [add, clip, out], out };
  const scaledX = g.producer.get(other);
  if (scaledX?.opType !== 'Mul' || g.soleUser(other) !== out || !scaledX.inputs.includes(x)) return undefined;
  const c = g.scalars.get(scaledX.inputs.find((i) => i !== x) ?? '');
  if (!near(c, 1 / 6)) return undefined;
  return { op: 'HardSwish', x, c: c!, nodes: [add, clip, scaledX, out], out };
}

/**
 * The Convs that `value` reaches through linear steps (a Mul by another value, a ReduceMean),
 * each as its data input with float weights of its own; undefined when some path reaches
 * anything else, so a factor on `value` can move into exactly those weights.
 */
function absorbingConvs(value: string, g: Index, depth = 0): OnnxNode[] | undefined {
  const readers = g.readers(value);
  if (!readers.length || depth > 3) return undefined;
  const convs: OnnxNode[] = [];
  for (const n of readers) {
    const once = n.inputs.filter((i) => i === value).length === 1;
    if (n.opType === 'Conv' && n.inputs[0] === value && ownsWeights(n, g)) convs.push(n);
    else if (once && (n.opType === 'Mul' || (n.opType === 'ReduceMean' && n.inputs[0] === value))) {
      const further = absorbingConvs(n.outputs[0]!, g, depth + 1);
      if (!further) return undefined;
      convs.push(...further);
    } else return undefined;
  }
  return new Set(convs).size === convs.length ? convs : undefined;
}

const ownsWeights = (conv: OnnxNode, g: Index) =>
  conv.inputs[1] !== undefined && g.weights.get(conv.inputs[1])?.dataType === DataType.FLOAT && g.readers(conv.inputs[1]).length === 1;

/** A copy of float tensor `t` with every element multiplied by `k`. */
function scaled(t: OnnxTensor, k: number): OnnxTensor {
  const values = new Float32Array(t.raw.buffer.slice(t.raw.byteOffset, t.raw.byteOffset + t.raw.byteLength)).map((v) => v * k);
  return { ...t, raw: new Uint8Array(values.buffer) };
}

/** Float initializers holding one value (any rank), by name. */
function scalarConstants(initializers: readonly OnnxTensor[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of initializers) {
    if (t.dataType !== DataType.FLOAT || t.raw.byteLength !== 4) continue;
    out.set(t.name, new DataView(t.raw.buffer, t.raw.byteOffset, 4).getFloat32(0, true));
  }
  return out;
}
