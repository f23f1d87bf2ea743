import { floatTensor, int32Tensor, int64Tensor, type OnnxAttribute, type OnnxNode, type OnnxTensor } from './onnx.proto.js';

/**
 * Collects the nodes and initializers of an ONNX graph under construction and hands out
 * unique value names (ONNX needs every value produced exactly once).
 */
export class OnnxGraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private readonly names = new Set<string>();
  private readonly constants = new Map<string, string>();

  /** Keeps a name (a graph input or output) from being handed out for anything else. */
  reserve(name: string): void {
    if (this.names.has(name)) throw new Error(`ONNX value name ${name} is used twice`);
    this.names.add(name);
  }

  unique(base: string): string {
    let name = base;
    for (let i = 1; this.names.has(name); i++) name = `${base}_${i}`;
    this.names.add(name);
    return name;
  }

  /** Adds one node; returns its output names (fresh unique ones unless `outputs` is given). */
  add(
    opType: string,
    inputs: readonly string[],
    opts: { attributes?: OnnxAttribute[]; outputs?: string[]; base?: string; outputCount?: number } = {},
  ): string[] {
    const outputs = opts.outputs ?? Array.from({ length: opts.outputCount ?? 1 }, (_, i) => this.unique(`${opts.base ?? opType}${i ? `:${i}` : ''}`));
    this.nodes.push({ opType, inputs, outputs, name: outputs[0], attributes: opts.attributes });
    return outputs;
  }

  /** One output, as a string. */
  add1(opType: string, inputs: readonly string[], opts: { attributes?: OnnxAttribute[]; base?: string } = {}): string {
    return this.add(opType, inputs, opts)[0]!;
  }

  initializer(t: OnnxTensor): string {
    this.initializers.push(t);
    return t.name;
  }

  /** Small constants (shapes, axes, clip bounds), shared by value. */
  int64(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.shared(`i64:${dims.join('x')}:${values.join(',')}`, (name) => int64Tensor(name, dims, values));
  }

  float(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.shared(`f32:${dims.join('x')}:${values.join(',')}`, (name) => floatTensor(name, dims, values));
  }

  int32(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.shared(`i32:${dims.join('x')}:${values.join(',')}`, (name) => int32Tensor(name, dims, values));
  }

  private shared(key: string, make: (name: string) => OnnxTensor): string {
    const known = this.constants.get(key);
    if (known) return known;
    const name = this.initializer(make(this.unique(`const/${this.constants.size}`)));
    this.constants.set(key, name);
    return name;
  }
}

export const ints = (name: string, value: readonly number[]): OnnxAttribute => ({ name, kind: 'ints', value });
export const int = (name: string, value: number): OnnxAttribute => ({ name, kind: 'int', value });
export const str = (name: string, value: string): OnnxAttribute => ({ name, kind: 'string', value });
