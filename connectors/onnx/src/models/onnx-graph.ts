/**
 * Small builders over onnx-proto (protobufjs classes generated from onnx.proto) for writing
 * real ONNX models from code: the package ships models without downloading any.
 */
import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** The opset the writers target: axes are attributes of Reduce* and inputs of Unsqueeze. */
export const OPSET = 13;

export type ElemType = 'float32' | 'int64';

const ELEM_TYPES: Record<ElemType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int64: onnx.TensorProto.DataType.INT64,
};

/** A dimension: a fixed size, or a name for a size chosen at run time (a dynamic batch). */
export type Dim = number | string;

export function valueInfo(name: string, type: ElemType, dims: readonly Dim[]): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ELEM_TYPES[type],
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/** A float32 initializer, stored as raw little-endian bytes (compact for large weights). */
export function floatTensor(name: string, dims: readonly number[], values: Float32Array): onnxProto.onnx.ITensorProto {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  return { name, dims: [...dims], dataType: ELEM_TYPES.float32, rawData: bytes };
}

export function int64Tensor(name: string, dims: readonly number[], values: readonly number[]): onnxProto.onnx.ITensorProto {
  return { name, dims: [...dims], dataType: ELEM_TYPES.int64, int64Data: [...values] };
}

type AttributeValue = number | readonly number[];

export function node(
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  attributes: Record<string, AttributeValue> = {},
): onnxProto.onnx.INodeProto {
  const Kind = onnx.AttributeProto.AttributeType;
  const attribute = Object.entries(attributes).map(([name, value]): onnxProto.onnx.IAttributeProto =>
    typeof value !== 'number'
      ? { name, type: Kind.INTS, ints: [...value] }
      : Number.isInteger(value)
        ? { name, type: Kind.INT, i: value }
        : { name, type: Kind.FLOAT, f: value },
  );
  return { opType, input: [...inputs], output: [...outputs], attribute, name: `${opType}_${outputs[0]}` };
}

export interface GraphSpec {
  readonly name: string;
  readonly inputs: readonly onnxProto.onnx.IValueInfoProto[];
  readonly outputs: readonly onnxProto.onnx.IValueInfoProto[];
  readonly initializers: readonly onnxProto.onnx.ITensorProto[];
  readonly nodes: readonly onnxProto.onnx.INodeProto[];
}

/** Serialises a graph as an ONNX model (IR version 8, default domain at OPSET). */
export function encodeModel(graph: GraphSpec): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: '@sluice/onnx',
    opsetImport: [{ domain: '', version: OPSET }],
    graph: {
      name: graph.name,
      input: [...graph.inputs],
      output: [...graph.outputs],
      initializer: [...graph.initializers],
      node: [...graph.nodes],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Writes model bytes to `file`, creating its directory; returns the path. */
export async function writeModelFile(file: string, bytes: Uint8Array): Promise<string> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writeFile(file, bytes);
  return file;
}

/**
 * Deterministic weights from a seed (mulberry32), uniform in [-scale, scale): the same seed
 * gives the same model on every machine, so the TypeScript reference can rebuild them.
 */
export function seededUniform(seed: number, length: number, scale: number): Float32Array {
  let state = seed >>> 0;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    out[i] = (2 * u - 1) * scale;
  }
  return out;
}
