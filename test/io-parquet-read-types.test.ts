/**
 * readParquet copies what parquet-wasm decodes out of WebAssembly memory buffer by buffer
 * (the Arrow C data interface), and through IPC for the layouts it does not copy itself (a
 * map): every type DuckDB writes comes out with the values it wrote, nulls included, in every
 * row group. A wide `pad` column makes parquet-wasm decode each row group in batches of ~1 MiB,
 * of a row count that is not a multiple of 8, which the copy joins, validity bits included.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { readParquet } from '../src/index.js';
import { duckdbRun, tempDir } from './fixtures/io-read-helpers.js';

const ROWS = 5000;
const dir = tempDir('parquet-types');
const file = join(dir, 'types.parquet');
/** Characters of the pad column: with the other columns, ~1,500 rows to a decode batch of 1 MiB. */
const PAD = 600;

before(async () => {
  // DuckDB writes row groups of 2,048 rows here: three of them.
  await duckdbRun(
    `COPY (SELECT (i % 100)::TINYINT AS i8, i::SMALLINT AS i16, (-i)::INTEGER AS i32, (i * 1000000000)::BIGINT AS i64,
                  i::UINTEGER AS u32, (i * 3)::UBIGINT AS u64, (i / 4)::FLOAT AS f32, (i / 3)::DOUBLE AS f64,
                  (i / 8)::DECIMAL(10, 3) AS dec, DATE '2020-01-01' + i::INTEGER AS day, TIMESTAMP '2020-01-01' + INTERVAL (i) SECOND AS ts,
                  CASE WHEN i % 3 = 0 THEN NULL ELSE 'text ' || i END AS s,
                  CASE WHEN i % 5 = 0 THEN NULL ELSE ('b' || i)::BLOB END AS b,
                  CASE WHEN i % 4 = 0 THEN NULL ELSE i % 2 = 0 END AS flag,
                  {'a': i, 'b': 's' || i} AS st,
                  CASE WHEN i % 7 = 0 THEN NULL ELSE [i, i + 1] END AS li,
                  [[i], [i, i]] AS nested,
                  list_transform(range(i % 3), k -> (i + k)::FLOAT)::FLOAT[] AS floats,
                  MAP {'k': i} AS m,
                  lpad(i::VARCHAR, ${PAD}, '-') AS pad
           FROM range(${ROWS}) t(i))
     TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 2048)`,
  );
});

type Row = Record<string, unknown>;

function expected(i: number): Row {
  return {
    i8: i % 100,
    i16: i,
    i32: -i || 0,
    i64: BigInt(i) * 1_000_000_000n,
    u32: i,
    u64: BigInt(i * 3),
    f32: Math.fround(i / 4),
    f64: i / 3,
    dec: String(Math.round((i / 8) * 1000)),
    day: Date.UTC(2020, 0, 1 + i),
    ts: Date.UTC(2020, 0, 1, 0, 0, i),
    s: i % 3 === 0 ? null : `text ${i}`,
    b: i % 5 === 0 ? null : [...new TextEncoder().encode(`b${i}`)],
    flag: i % 4 === 0 ? null : i % 2 === 0,
    st: { a: BigInt(i), b: `s${i}` },
    li: i % 7 === 0 ? null : [BigInt(i), BigInt(i + 1)],
    nested: [[BigInt(i)], [BigInt(i), BigInt(i)]],
    floats: Array.from({ length: i % 3 }, (_, k) => i + k),
    m: { k: BigInt(i) },
    pad: String(i).padStart(PAD, '-'),
  };
}

/** A row's values as plain data: dates as milliseconds, bytes and lists as arrays, decimals as their unscaled digits. */
function plain(row: Row): Row {
  const value = (v: unknown): unknown => {
    if (v instanceof Date) return v.getTime();
    if (v instanceof Uint8Array || v instanceof Float32Array) return [...v];
    if (Array.isArray(v)) return v.map(value);
    // A decimal (Arrow JS's DecimalBigNum, a Uint32Array) prints its unscaled digits.
    if (v instanceof Uint32Array) return String(v);
    if (v !== null && typeof v === 'object' && 'toJSON' in v) return value((v as { toJSON(): unknown }).toJSON());
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, value(x)]));
    return v;
  };
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, value(v)]));
}

const COPIED = [
  'i8',
  'i16',
  'i32',
  'i64',
  'u32',
  'u64',
  'f32',
  'f64',
  'dec',
  'day',
  'ts',
  's',
  'b',
  'flag',
  'st',
  'li',
  'nested',
  'floats',
];

test('every type DuckDB writes but a map is copied buffer by buffer, with its values and nulls, in every row group', async () => {
  const rows = await readParquet(file, { columns: COPIED }).takeAll({ preserveOrder: true });
  assert.equal(rows.length, ROWS);
  for (const [i, row] of rows.entries()) {
    const want = expected(i);
    delete want.m;
    delete want.pad;
    assert.deepEqual(plain(row), want, `row ${i}`);
  }
});

test('a table with a map column (a layout not copied buffer by buffer) goes through IPC, with the same values', async () => {
  const rows = await readParquet(file).takeAll({ preserveOrder: true });
  assert.equal(rows.length, ROWS);
  for (const [i, row] of rows.entries()) assert.deepEqual(plain(row), expected(i), `row ${i}`);
});
