/**
 * Vector columns encoded straight to protobuf bytes (milvus.proto.schema.FieldData), the
 * vectors' own memory laid out as the wire wants it: a float vector column is copied once,
 * instead of becoming a JS array of numbers that the SDK's encoder then writes float by float.
 */
import { endianness } from 'node:os';

/** Milvus's DataType numbers of the vector types the sink writes. */
const VECTOR_TYPE_NUMBERS: Readonly<Record<string, number>> = {
  BinaryVector: 100,
  FloatVector: 101,
  Float16Vector: 102,
  BFloat16Vector: 103,
};
/** The field of VectorField that carries each type's data. */
const VECTOR_DATA_FIELDS: Readonly<Record<string, number>> = { BinaryVector: 3, FloatVector: 2, Float16Vector: 4, BFloat16Vector: 5 };

const LITTLE_ENDIAN = endianness() === 'LE';

function varint(value: number): Uint8Array {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
  return Uint8Array.from(out);
}

/** A length-delimited field: its tag, the length of `parts`, then `parts`. */
function delimited(field: number, parts: readonly Uint8Array[]): Uint8Array[] {
  const length = parts.reduce((n, p) => n + p.byteLength, 0);
  return [Uint8Array.of((field << 3) | 2), varint(length), ...parts];
}

/** Float32 values as little-endian bytes: a view when the machine is little-endian. */
export function floatBytes(values: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return out;
}

/**
 * One FieldData of a vector type: `data` is the rows' vectors (little-endian floats for
 * FloatVector, bytes for the others), `valid` the per-row flags of a nullable field.
 */
export function vectorFieldData(type: string, name: string, dim: number, data: Uint8Array, valid: readonly boolean[]): Uint8Array[] {
  const inner = type === 'FloatVector' ? delimited(1, [data]) : [data];
  const vectorField = [Uint8Array.of(0x08), varint(dim), ...delimited(VECTOR_DATA_FIELDS[type], inner)];
  return [
    Uint8Array.of(0x08),
    varint(VECTOR_TYPE_NUMBERS[type]),
    ...delimited(2, [Buffer.from(name)]),
    ...delimited(4, vectorField),
    ...(valid.length ? delimited(7, [Uint8Array.from(valid, (v) => (v ? 1 : 0))]) : []),
  ];
}

/** FieldData parts as entries of a request's `fields_data` (field 5 of InsertRequest and UpsertRequest). */
export function fieldsDataEntry(parts: readonly Uint8Array[]): Uint8Array[] {
  return delimited(5, parts);
}
