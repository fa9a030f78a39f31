/** Float32 values as Float16 or BFloat16 bytes (little-endian, rounded to nearest, ties to even), as Milvus stores those vectors. */
const float = new Float32Array(1);
const bits = new Uint32Array(float.buffer);

function toFloat16(value: number): number {
  float[0] = value;
  const x = bits[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  const mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // A subnormal half: the implicit bit joins the mantissa, shifted past the exponent range.
    if (e < -10) return sign;
    const full = mantissa | 0x800000;
    const shift = 14 - e;
    let half = full >>> shift;
    const rest = full & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  // A carry out of the mantissa steps the exponent, as rounding should (up to Infinity).
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++;
  return sign | half;
}

function toBFloat16(value: number): number {
  float[0] = value;
  const x = bits[0];
  if ((x & 0x7f800000) === 0x7f800000 && x & 0x7fffff) return (x >>> 16) | 0x40;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

export function halfFloatBytes(values: ArrayLike<number>, kind: 'Float16Vector' | 'BFloat16Vector'): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  const convert = kind === 'Float16Vector' ? toFloat16 : toBFloat16;
  for (let i = 0; i < values.length; i++) view.setUint16(i * 2, convert(values[i]), true);
  return out;
}
