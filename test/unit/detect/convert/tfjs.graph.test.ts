import { describe, expect, it } from 'vitest';
import { attr, float16ToFloat32, parseTfGraph, weightPaths } from '../../../../server/detect/convert/tfjs.graph.js';

/** Reading a tfjs graph model: weights decoded as tfjs-core decodes them, attributes as TensorFlow wrote them. */

const b64 = (s: string) => Buffer.from(s).toString('base64');
const bytes = (...arrays: ArrayBufferView[]) => Buffer.concat(arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)));

function model(weightsManifest: unknown[], nodes: unknown[]) {
  return { format: 'graph-model', modelTopology: { node: nodes }, weightsManifest };
}

const constNode = (name: string) => ({ name, op: 'Const', attr: {} });

describe('float16ToFloat32', () => {
  it('converts normals, subnormals, the largest half, signed zero and infinities exactly', () => {
    const half = Uint16Array.from([0x3c00, 0xc000, 0x3555, 0x7bff, 0x0001, 0x8000, 0x7c00, 0xfc00]);
    expect([...float16ToFloat32(half)]).toEqual([1, -2, 0.333251953125, 65504, 2 ** -24, -0, Infinity, -Infinity]);
    expect(float16ToFloat32(Uint16Array.from([0x7e00]))[0]).toBeNaN();
  });
});

describe('parseTfGraph', () => {
  it('decodes float32, int32, float16, uint8 and uint16 quantized weights across groups and split files', () => {
    const files: Record<string, Uint8Array> = {
      'a1.bin': bytes(Float32Array.from([1.5, -2]), Int32Array.from([7])),
      'a2.bin': bytes(Uint16Array.from([0x3c00, 0xc000])),
      'b.bin': bytes(Uint8Array.from([0, 255]), Uint16Array.from([1, 3])),
    };
    const json = model(
      [
        {
          paths: ['a1.bin', 'a2.bin'],
          weights: [
            { name: 'f', shape: [2], dtype: 'float32' },
            { name: 'i', shape: [], dtype: 'int32' },
            { name: 'h', shape: [1, 2], dtype: 'float32', quantization: { dtype: 'float16', original_dtype: 'float32' } },
          ],
        },
        {
          paths: ['b.bin'],
          weights: [
            { name: 'q8', shape: [2], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.1, min: -1 } },
            { name: 'q16', shape: [2], dtype: 'int32', quantization: { dtype: 'uint16', scale: 0.5, min: 0 } },
          ],
        },
      ],
      ['f', 'i', 'h', 'q8', 'q16'].map(constNode),
    );
    expect(weightPaths(json)).toEqual([['a1.bin', 'a2.bin'], ['b.bin']]);
    const g = parseTfGraph(json, (p) => files[p]!);
    const v = (n: string) => [...g.consts.get(n)!.values];
    expect(v('f')).toEqual([1.5, -2]);
    expect(v('i')).toEqual([7]);
    expect(g.consts.get('h')).toMatchObject({ dtype: 'float32', shape: [1, 2] });
    expect(v('h')).toEqual([1, -2]);
    // tfjs: v * scale + min in double precision, stored as float32.
    expect(v('q8')).toEqual([-1, Math.fround(255 * 0.1 - 1)]);
    // int32 from uint16: Math.round(v * scale + min); 1.5 rounds up.
    expect(v('q16')).toEqual([1, 2]);
  });

  it('fails clearly when the manifest and the weight bytes disagree, or a Const has no weight', () => {
    const json = model([{ paths: ['w.bin'], weights: [{ name: 'c', shape: [2], dtype: 'float32' }] }], [constNode('c')]);
    expect(() => parseTfGraph(json, () => new Uint8Array(4))).toThrow(/weight c runs past the end of the weight data \(4 bytes\)/);
    expect(() => parseTfGraph(json, () => new Uint8Array(12))).toThrow(/describes 8 bytes but the weight files hold 12/);
    const orphan = model([], [constNode('lost')]);
    expect(() => parseTfGraph(orphan, () => new Uint8Array())).toThrow(/Const node lost has no value/);
    expect(() => parseTfGraph({ modelTopology: {} }, () => new Uint8Array())).toThrow(/not a tfjs graph model/);
  });

  it('reads the signature, drops control inputs and decodes attributes', () => {
    const json = {
      ...model(
        [],
        [
          {
            name: 'y',
            op: 'MaxPool',
            input: ['x', '^init'],
            attr: {
              padding: { s: b64('SAME') },
              ksize: { list: { i: ['1', '3', '3', '1'] } },
              fused_ops: { list: { s: [b64('BiasAdd'), b64('Relu')] } },
              keep_dims: { b: true },
              T: { type: 'DT_FLOAT' },
              num_args: { i: '1' },
            },
          },
        ],
      ),
      signature: { inputs: { 'x:0': { name: 'x:0', dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '1' }, { size: '-1' }] } } } },
    };
    const g = parseTfGraph(json, () => new Uint8Array());
    const n = g.nodes.get('y')!;
    expect(n.inputs).toEqual(['x']);
    expect(g.inputs['x:0']).toEqual({ name: 'x', dtype: 'DT_FLOAT', shape: [1, -1] });
    expect(attr.str(n, 'padding')).toBe('SAME');
    expect(attr.ints(n, 'ksize')).toEqual([1, 3, 3, 1]);
    expect(attr.strs(n, 'fused_ops')).toEqual(['BiasAdd', 'Relu']);
    expect(attr.bool(n, 'keep_dims')).toBe(true);
    expect(attr.int(n, 'num_args')).toBe(1);
    expect(attr.type(n, 'T')).toBe('DT_FLOAT');
    expect(attr.str(n, 'data_format', 'NHWC')).toBe('NHWC');
    expect(() => attr.int(n, 'group')).toThrow(/MaxPool node y: attribute group is missing/);
  });
});
