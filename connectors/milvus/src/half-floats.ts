/**
 * Float32 to the two 16-bit float formats Milvus stores (Float16Vector, BFloat16Vector), as the
 * little-endian bytes its import files carry (`list<uint8>` of 2 × dim). Both round to nearest,
 * ties to even, as numpy's and PyTorch's casts do; the SDK's BulkWriter truncated to integers.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 binary16 bits of `value` (overflow to ±Infinity, subnormals kept, NaN stays NaN). */
export function float16Bits(value: number): number {
  f32[0] = value;
  const bits = u32[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 | (mantissa >>> 13) : 0);
  // The exponent re-biased from 127 to 15.
  const halfExponent = exponent - 112;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    // Subnormal in half precision (or zero): the implicit 1 joins the mantissa, shifted into place.
    if (halfExponent < -10) return sign;
    const full = mantissa | 0x800000;
    const shift = 14 - halfExponent;
    return sign | roundShift(full, shift);
  }
  // Rounding may carry into the exponent, and from the largest finite value into Infinity: both come out right.
  return sign | ((halfExponent << 10) + roundShift(mantissa, 13));
}

/** bfloat16 bits of `value`: the high half of its float32 bits, rounded (NaN kept quiet). */
export function bfloat16Bits(value: number): number {
  f32[0] = value;
  const bits = u32[0];
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0) return (bits >>> 16) | 0x40;
  return (bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16;
}

/** `value >> shift`, rounded to nearest with ties to even. */
function roundShift(value: number, shift: number): number {
  const kept = value >>> shift;
  const rest = value & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  return rest > half || (rest === half && (kept & 1) === 1) ? kept + 1 : kept;
}

/** The little-endian bytes of `values` as 16-bit floats, into `out` at `offset` (2 bytes a value). */
export function writeHalfFloats(values: ArrayLike<number>, kind: 'float16' | 'bfloat16', out: Uint8Array, offset: number): void {
  const bitsOf = kind === 'float16' ? float16Bits : bfloat16Bits;
  for (let i = 0; i < values.length; i++) {
    const bits = bitsOf(values[i]);
    out[offset + 2 * i] = bits & 0xff;
    out[offset + 2 * i + 1] = bits >>> 8;
  }
}

/** `values` as the bytes of a Float16Vector or BFloat16Vector (2 per value). */
export function halfFloatBytes(values: ArrayLike<number>, type: 'Float16Vector' | 'BFloat16Vector'): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  writeHalfFloats(values, type === 'Float16Vector' ? 'float16' : 'bfloat16', out, 0);
  return out;
}
