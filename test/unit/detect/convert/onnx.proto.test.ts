import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { DataType, encodeModel, floatTensor, int64Tensor, ProtoWriter, type OnnxGraph } from '../../../../server/detect/convert/onnx.proto.js';

/**
 * The protobuf writer on its own (bytes checked against the protobuf encoding rules) and
 * through onnxruntime-node: if a field number or wire type were wrong, the runtime would
 * refuse the model or compute something else.
 */

const model = (graph: OnnxGraph) =>
  encodeModel({ graph, opset: 18, irVersion: 8, producerName: 'test', producerVersion: '0', metadata: { source: 'unit test' } });

async function session(bytes: Uint8Array) {
  return ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
}

describe('ProtoWriter', () => {
  it('encodes varints, negative int64 as ten bytes, floats as little-endian fixed32 and nested messages length-prefixed', () => {
    expect([...new ProtoWriter().int(1, 300).finish()]).toEqual([0x08, 0xac, 0x02]);
    expect([...new ProtoWriter().int(2, -1).finish()]).toEqual([0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect([...new ProtoWriter().int(1, 2 ** 40).finish()]).toEqual([0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20]);
    expect([...new ProtoWriter().float(2, 1.5).finish()]).toEqual([0x15, 0x00, 0x00, 0xc0, 0x3f]);
    expect([...new ProtoWriter().message(3, new ProtoWriter().string(1, 'ab')).finish()]).toEqual([0x1a, 0x04, 0x0a, 0x02, 0x61, 0x62]);
  });

  it('rejects a non-integer where protobuf wants an integer', () => {
    expect(() => new ProtoWriter().int(1, 1.5)).toThrow(/not an integer/);
  });
});

describe('ONNX model writer, run by onnxruntime-node', () => {
  it('runs a one-node Add graph with a graph input and an initializer', async () => {
    const s = await session(
      model({
        name: 'add',
        nodes: [{ opType: 'Add', inputs: ['x', 'bias'], outputs: ['y'], name: 'add0' }],
        initializers: [floatTensor('bias', [3], [10, 20, 30])],
        inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: ['batch', 3] }],
        outputs: [{ name: 'y', elemType: DataType.FLOAT, shape: ['batch', 3] }],
      }),
    );
    expect(s.inputNames).toEqual(['x']);
    expect(s.outputNames).toEqual(['y']);
    const out = await s.run({ x: new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]) });
    expect(out.y!.dims).toEqual([2, 3]);
    expect([...(out.y!.data as Float32Array)]).toEqual([11, 22, 33, 14, 25, 36]);
    await s.release();
  });

  it('carries int, ints and negative attributes and int64 initializers (Transpose, Concat axis -1, Reshape to -1)', async () => {
    const s = await session(
      model({
        name: 'attrs',
        nodes: [
          { opType: 'Transpose', inputs: ['x'], outputs: ['t'], attributes: [{ name: 'perm', kind: 'ints', value: [1, 0] }] },
          { opType: 'Concat', inputs: ['t', 't'], outputs: ['c'], attributes: [{ name: 'axis', kind: 'int', value: -1 }] },
          { opType: 'Reshape', inputs: ['c', 'shape'], outputs: ['y'] },
        ],
        initializers: [int64Tensor('shape', [2], [1, -1])],
        inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: [2, 3] }],
        outputs: [{ name: 'y', elemType: DataType.FLOAT, shape: [1, 12] }],
      }),
    );
    const out = await s.run({ x: new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]) });
    expect(out.y!.dims).toEqual([1, 12]);
    expect([...(out.y!.data as Float32Array)]).toEqual([1, 4, 1, 4, 2, 5, 2, 5, 3, 6, 3, 6]);
    await s.release();
  });
});
