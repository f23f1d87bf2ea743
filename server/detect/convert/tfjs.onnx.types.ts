import type { OnnxGraphBuilder } from './onnx.builder.js';
import { DataType, type DataTypeCode } from './onnx.proto.js';
import type { TfNode, TfTensor } from './tfjs.graph.js';

/** What the tfjs → ONNX converter (tfjs.onnx.ts) and its op handlers (tfjs.onnx.ops.ts) share. */

export type ValueDtype = 'float32' | 'int32' | 'int64' | 'bool';

export interface Value {
  name: string;
  dtype: ValueDtype;
  /** A 4-D NHWC tensor of the tfjs graph held transposed to NCHW. */
  nchw: boolean;
  /** Set when the value is a tfjs Const (its initializer is created on first use). */
  constant?: TfTensor;
}

export const ONNX_DTYPE: Record<ValueDtype, DataTypeCode> = { float32: DataType.FLOAT, int32: DataType.INT32, int64: DataType.INT64, bool: DataType.BOOL };

/** NHWC axis → NCHW axis. */
export const NHWC_TO_NCHW_AXIS = [0, 2, 3, 1] as const;

export interface OpContext {
  node: TfNode;
  b: OnnxGraphBuilder;
  /** The converted value of input `i` (converting its producer first). */
  input(i: number): Value;
  /** Input `i` as a Const tensor, or a clear error. */
  constant(i: number): TfTensor;
  /** Input `i` in the tfjs (NHWC) element order. */
  plain(i: number): string;
  /** Input `i` (a 4-D NHWC tensor) as NCHW. */
  nchw(i: number): string;
  /** Makes a value usable next to an NCHW one in a broadcasting element-wise op, or null when it cannot be. */
  broadcastNchw(v: Value): string | null;
  /** Base for the names of the values this node produces. */
  base: string;
}

/** A handler returns one Value per tfjs output of the node. */
export type OpHandler = (ctx: OpContext) => Value[];

export class ConvertError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConvertError';
  }
}
