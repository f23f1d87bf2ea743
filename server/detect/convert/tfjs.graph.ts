/**
 * Reads a TensorFlow.js graph model (model.json + its weight files) into plain data: the
 * nodes with their attributes, and every weight decoded to the values tfjs itself would
 * compute at load time (float16 and uint8/uint16 affine quantization undone the same way as
 * tfjs-core's io_utils, so a converted model starts from bit-identical weights). Pure: the
 * caller reads the files.
 */

export type TfDtype = 'float32' | 'int32' | 'bool';

export interface TfTensor {
  dtype: TfDtype;
  shape: number[];
  values: Float32Array | Int32Array | Uint8Array;
}

/** One attribute value as tfjs's JSON holds it (a protobuf AttrValue in JSON form). */
export interface TfAttr {
  s?: string;
  i?: string | number;
  f?: number;
  b?: boolean;
  type?: string;
  list?: { s?: string[]; i?: (string | number)[]; f?: number[]; b?: boolean[]; type?: string[] };
  shape?: unknown;
  tensor?: unknown;
}

export interface TfNode {
  name: string;
  op: string;
  /** Tensor references: "node", "node:1"; control inputs ("^node") are dropped. */
  inputs: string[];
  attr: Record<string, TfAttr>;
}

export interface TfSignatureEntry {
  name: string;
  dtype?: string;
  shape: number[] | null;
}

export interface TfGraph {
  nodes: Map<string, TfNode>;
  /** Const node values, by node name. */
  consts: Map<string, TfTensor>;
  inputs: Record<string, TfSignatureEntry>;
  outputs: Record<string, TfSignatureEntry>;
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number; original_dtype?: string };
}

interface ModelJson {
  format?: string;
  modelTopology?: { node?: { name: string; op: string; input?: string[]; attr?: Record<string, TfAttr> }[] };
  signature?: { inputs?: Record<string, SignatureJson>; outputs?: Record<string, SignatureJson> };
  weightsManifest?: { paths: string[]; weights: WeightSpec[] }[];
}

interface SignatureJson {
  name?: string;
  dtype?: string;
  tensorShape?: { dim?: { size?: string | number }[]; unknownRank?: boolean };
}

export class TfGraphError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TfGraphError';
  }
}

/** The weight file names, per manifest group, in the order their bytes concatenate. */
export function weightPaths(json: unknown): string[][] {
  return ((json as ModelJson).weightsManifest ?? []).map((g) => g.paths);
}

/**
 * @param readWeights returns the bytes of one weight file named in the manifest.
 */
export function parseTfGraph(json: unknown, readWeights: (path: string) => Uint8Array): TfGraph {
  const model = json as ModelJson;
  const rawNodes = model.modelTopology?.node;
  if (!Array.isArray(rawNodes)) throw new TfGraphError('not a tfjs graph model: modelTopology.node is missing');
  const weights = new Map<string, TfTensor>();
  for (const group of model.weightsManifest ?? []) {
    const bytes = concat(group.paths.map(readWeights));
    decodeGroup(group.weights, bytes, weights);
  }
  const nodes = new Map<string, TfNode>();
  const consts = new Map<string, TfTensor>();
  for (const n of rawNodes) {
    nodes.set(n.name, { name: n.name, op: n.op, inputs: (n.input ?? []).filter((i) => !i.startsWith('^')), attr: n.attr ?? {} });
    if (n.op === 'Const') {
      const w = weights.get(n.name);
      if (!w) throw new TfGraphError(`Const node ${n.name} has no value in the weights manifest`);
      consts.set(n.name, w);
    }
  }
  return { nodes, consts, inputs: signature(model.signature?.inputs), outputs: signature(model.signature?.outputs) };
}

function signature(entries: Record<string, SignatureJson> | undefined): Record<string, TfSignatureEntry> {
  const out: Record<string, TfSignatureEntry> = {};
  for (const [key, e] of Object.entries(entries ?? {})) {
    const dims = e.tensorShape?.dim;
    out[key] = {
      name: (e.name ?? key).replace(/:0$/, ''),
      dtype: e.dtype,
      shape: e.tensorShape?.unknownRank || !dims ? null : dims.map((d) => Number(d.size ?? -1)),
    };
  }
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

function decodeGroup(specs: WeightSpec[], bytes: Uint8Array, out: Map<string, TfTensor>): void {
  let offset = 0;
  for (const spec of specs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const stored = spec.quantization?.dtype ?? spec.dtype;
    const width = BYTES[stored];
    if (!width) throw new TfGraphError(`weight ${spec.name}: unsupported stored dtype ${stored}`);
    const byteLength = size * width;
    if (offset + byteLength > bytes.length) throw new TfGraphError(`weight ${spec.name} runs past the end of the weight data (${bytes.length} bytes)`);
    // Copy so the typed array is aligned and owns its buffer.
    const chunk = bytes.slice(offset, offset + byteLength);
    out.set(spec.name, { dtype: dtypeOf(spec), shape: spec.shape, values: decodeValues(spec, chunk, size) });
    offset += byteLength;
  }
  if (offset !== bytes.length) throw new TfGraphError(`weights manifest describes ${offset} bytes but the weight files hold ${bytes.length}`);
}

function dtypeOf(spec: WeightSpec): TfDtype {
  if (spec.dtype === 'float32' || spec.dtype === 'int32' || spec.dtype === 'bool') return spec.dtype;
  throw new TfGraphError(`weight ${spec.name}: unsupported dtype ${spec.dtype}`);
}

function decodeValues(spec: WeightSpec, chunk: Uint8Array, size: number): TfTensor['values'] {
  const q = spec.quantization;
  if (!q) {
    if (spec.dtype === 'float32') return new Float32Array(chunk.buffer, 0, size);
    if (spec.dtype === 'int32') return new Int32Array(chunk.buffer, 0, size);
    return chunk;
  }
  if (q.dtype === 'float16') {
    if (spec.dtype !== 'float32') throw new TfGraphError(`weight ${spec.name}: float16 quantization of ${spec.dtype}`);
    return float16ToFloat32(new Uint16Array(chunk.buffer, 0, size));
  }
  if (q.dtype !== 'uint8' && q.dtype !== 'uint16') throw new TfGraphError(`weight ${spec.name}: unknown quantization ${q.dtype}`);
  if (q.scale === undefined || q.min === undefined) throw new TfGraphError(`weight ${spec.name}: ${q.dtype} quantization without scale and min`);
  const quantized = q.dtype === 'uint8' ? chunk : new Uint16Array(chunk.buffer, 0, size);
  const { scale, min } = q;
  // Same arithmetic as tfjs-core (double precision, then stored as float32 / rounded int32).
  if (spec.dtype === 'float32') return Float32Array.from(quantized, (v) => v * scale + min);
  if (spec.dtype === 'int32') return Int32Array.from(quantized, (v) => Math.round(v * scale + min));
  throw new TfGraphError(`weight ${spec.name}: ${q.dtype} quantization of ${spec.dtype}`);
}

/** IEEE half to single precision; exact for every half value (normals, subnormals, ±inf, NaN). */
export function float16ToFloat32(half: Uint16Array): Float32Array {
  const out = new Float32Array(half.length);
  for (let i = 0; i < half.length; i++) {
    const h = half[i]!;
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) out[i] = sign * frac * 2 ** -24;
    else if (exp === 0x1f) out[i] = frac ? NaN : sign * Infinity;
    else out[i] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  return out;
}

/** Attribute readers; `s` values are base64 in tfjs's JSON. */
export const attr = {
  str(n: TfNode, key: string, fallback?: string): string {
    const v = n.attr[key]?.s;
    if (v === undefined) return required(n, key, fallback);
    return Buffer.from(v, 'base64').toString('utf8');
  },
  strs(n: TfNode, key: string): string[] {
    return (n.attr[key]?.list?.s ?? []).map((s) => Buffer.from(s, 'base64').toString('utf8'));
  },
  int(n: TfNode, key: string, fallback?: number): number {
    const v = n.attr[key]?.i;
    return v === undefined ? required(n, key, fallback) : Number(v);
  },
  ints(n: TfNode, key: string, fallback?: number[]): number[] {
    const v = n.attr[key]?.list?.i;
    return v === undefined ? required(n, key, fallback) : v.map(Number);
  },
  bool(n: TfNode, key: string, fallback?: boolean): boolean {
    const v = n.attr[key]?.b;
    return v === undefined ? required(n, key, fallback) : v;
  },
  type(n: TfNode, key: string, fallback?: string): string {
    const v = n.attr[key]?.type;
    return v === undefined ? required(n, key, fallback) : v;
  },
};

function required<T>(n: TfNode, key: string, fallback: T | undefined): T {
  if (fallback === undefined) throw new TfGraphError(`${n.op} node ${n.name}: attribute ${key} is missing`);
  return fallback;
}
