/**
 * Float16 and BFloat16 bytes of import files: every float16 encoding equals an independent
 * implementation's (@petamoriken/float16), and every bfloat16 is the nearest one (ties to even).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getFloat16, setFloat16 } from '@petamoriken/float16';
import { seededRandom } from 'sluice';
import { bfloat16Bits, float16Bits, writeHalfFloats } from '../src/half-floats.js';

/** Values that reach every branch: zeros, subnormals, the rounding boundaries, overflow, NaN, and a spread of ordinary numbers. */
function samples(): number[] {
  const values = [
    0,
    -0,
    1,
    -1,
    0.1,
    1 / 3,
    65504,
    65519.99,
    65520,
    -65520,
    1e-8,
    5.96e-8,
    2.98e-8,
    2.99e-8,
    6.1e-5,
    6.09e-5,
    Infinity,
    -Infinity,
    NaN,
    3.4e38,
  ];
  const next = seededRandom(7);
  for (let i = 0; i < 20000; i++) values.push((next() - 0.5) * 2 ** Math.floor(next() * 60 - 30));
  // Exact halfway points between neighbouring float16 values, where ties-to-even decides.
  for (let m = 0; m < 2048; m += 7) values.push((1024 + m + 0.5) * 2 ** -10, (m + 0.5) * 2 ** -24);
  return values.map((v) => Math.fround(v));
}

test('float16 bits equal an independent encoder for every sample', () => {
  const view = new DataView(new ArrayBuffer(2));
  for (const value of samples()) {
    setFloat16(view, 0, value, true);
    const expected = view.getUint16(0, true);
    const actual = float16Bits(value);
    if (Number.isNaN(value)) assert.ok((actual & 0x7c00) === 0x7c00 && (actual & 0x3ff) !== 0, 'NaN stays NaN');
    else assert.equal(actual, expected, `float16 of ${value}`);
  }
});

/** The float32 a bfloat16 stands for. */
function bfloat16Value(bits: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, bits << 16);
  return view.getFloat32(0);
}

test('bfloat16 bits are the nearest bfloat16, ties to even', () => {
  for (const value of samples()) {
    const bits = bfloat16Bits(value);
    const decoded = bfloat16Value(bits);
    if (Number.isNaN(value)) {
      assert.ok(Number.isNaN(decoded));
      continue;
    }
    if (!Number.isFinite(decoded)) {
      assert.ok(Math.abs(value) >= 3.3895313892515355e38, `${value} overflows only past the largest bfloat16`);
      continue;
    }
    // Neighbours one unit below and above the chosen value.
    const [below, above] = [bfloat16Value(bits - 1), bfloat16Value(bits + 1)];
    const error = Math.abs(value - decoded);
    for (const other of [below, above])
      if (Number.isFinite(other) && Math.sign(other) === Math.sign(decoded))
        assert.ok(error < Math.abs(value - other) || (error === Math.abs(value - other) && (bits & 1) === 0), `${value} -> ${decoded}`);
  }
});

test('writeHalfFloats writes little-endian pairs that decode to the rounded values', () => {
  const values = Float32Array.from([1, -2.5, 0.333, 1000]);
  const out = new Uint8Array(2 + 2 * values.length);
  writeHalfFloats(values, 'float16', out, 2);
  const view = new DataView(out.buffer);
  assert.deepEqual(
    [...values].map((_, i) => getFloat16(view, 2 + 2 * i, true)),
    [1, -2.5, 0.3330078125, 1000],
  );
  writeHalfFloats(values, 'bfloat16', out, 2);
  assert.deepEqual(
    [...values].map((_, i) => bfloat16Value(view.getUint16(2 + 2 * i, true))),
    [1, -2.5, 0.33203125, 1000],
  );
});
