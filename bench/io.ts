/**
 * bench/io: Parquet write and read throughput of sluice (parquet-wasm on the task pool) against
 * DuckDB's own COPY on the same table in the same run, and against parquetjs-lite, the Parquet
 * library the design card first named (measured on fewer rows: it is ~100x slower).
 *
 *   npx -y pnpm@10.34.8 bench:io        (pnpm build && node dist/bench/io.js)
 *
 * Environment: BENCH_IO_ROWS (default 200000), BENCH_IO_REPS (default 3),
 * BENCH_IO_LITE_ROWS (default 5000).
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { FixedSizeList, Field, Float32, Int64, Table, Utf8, makeData, vectorFromArray, RecordBatch, Schema, Struct } from 'apache-arrow';
import { fromArrow, readParquet } from '../src/index.js';
import { CORES, envInt, fmt, lpad, median, pad, printMachine } from './bench-utils.js';

const ROWS = envInt('BENCH_IO_ROWS', 200_000);
const REPS = envInt('BENCH_IO_REPS', 3);
const LITE_ROWS = envInt('BENCH_IO_LITE_ROWS', 5_000);
const DIM = 384;
const TEXT_CHARS = 200;

// ---- the table -----------------------------------------------------------------------------

const WORDS = ['arrow', 'parquet', 'stream', 'vector', 'embed', 'milvus', 'block', 'worker', 'thread', 'query', 'index', 'chunk'];

/** Deterministic text of exactly TEXT_CHARS characters for row i. */
function textOf(i: number): string {
  let s = `doc ${i}:`;
  let x = Math.imul(i + 1, 0x9e3779b1);
  while (s.length < TEXT_CHARS) {
    x = Math.imul(x ^ (x >>> 13), 0x5bd1e995);
    s += ' ' + WORDS[(x >>> 0) % WORDS.length];
  }
  return s.slice(0, TEXT_CHARS);
}

/** The columns of makeTable's table. */
type BenchColumns = { id: Int64; text: Utf8; vector: FixedSizeList<Float32> };

/** id int64, text utf8 (200 chars), vector FixedSizeList<384, float32>. */
function makeTable(rows: number): Table<BenchColumns> {
  const ids = new BigInt64Array(rows);
  const values = new Float32Array(rows * DIM);
  let seed = 7;
  for (let i = 0; i < rows; i++) {
    ids[i] = BigInt(i);
    for (let d = 0; d < DIM; d++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      values[i * DIM + d] = seed / 2 ** 32 - 0.5;
    }
  }
  const text = vectorFromArray(
    Array.from({ length: rows }, (_, i) => textOf(i)),
    new Utf8(),
  );
  const vectorType = new FixedSizeList(DIM, new Field('item', new Float32(), false));
  const vector = makeData({
    type: vectorType,
    length: rows,
    nullCount: 0,
    child: makeData({ type: new Float32(), length: rows * DIM, data: values }),
  });
  const fields = [new Field('id', new Int64(), false), new Field('text', new Utf8(), false), new Field('vector', vectorType, false)];
  const struct = makeData({
    type: new Struct<BenchColumns>(fields),
    length: rows,
    nullCount: 0,
    children: [makeData({ type: new Int64(), length: rows, data: ids }), text.data[0], vector],
  });
  return new Table(new RecordBatch(new Schema<BenchColumns>(fields), struct));
}

// ---- timing --------------------------------------------------------------------------------

async function timed(fn: () => Promise<number>): Promise<{ ms: number; rows: number }> {
  const t0 = performance.now();
  const rows = await fn();
  return { ms: performance.now() - t0, rows };
}

function dirBytes(dir: string): number {
  return readdirSync(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
}

interface Measure {
  readonly label: string;
  readonly rows: number;
  readonly times: number[];
}

const rowsPerSec = (m: Measure) => m.rows / (median(m.times) / 1000);

// ---- contenders ----------------------------------------------------------------------------

async function sluiceWrite(table: Table, dir: string): Promise<number> {
  rmSync(dir, { recursive: true, force: true });
  const result = await fromArrow(table).writeParquet(dir, { progress: 'off' });
  return result.rows;
}

async function sluiceRead(dir: string): Promise<number> {
  let rows = 0;
  for await (const batch of readParquet(dir).iterBatches({ batchFormat: 'arrow', batchSize: null, progress: 'off' })) rows += batch.numRows;
  return rows;
}

async function duckCount(db: DuckDBConnection, sql: string): Promise<number> {
  const reader = await db.runAndReadAll(sql);
  return Number(reader.getRows()[0][0]);
}

async function duckWrite(db: DuckDBConnection, file: string): Promise<number> {
  rmSync(file, { force: true });
  await db.run(`COPY source TO '${file}' (FORMAT parquet, COMPRESSION snappy)`);
  return duckCount(db, `SELECT count(*) FROM read_parquet('${file}')`);
}

async function duckRead(db: DuckDBConnection, file: string): Promise<number> {
  await db.run(`CREATE OR REPLACE TABLE readback AS SELECT * FROM read_parquet('${file}')`);
  return duckCount(db, 'SELECT count(*) FROM readback');
}

// parquetjs-lite has no types; the slice of its API the bench uses.
interface LiteModule {
  ParquetSchema: new (fields: Record<string, unknown>) => unknown;
  ParquetWriter: {
    openFile(
      schema: unknown,
      path: string,
      opts?: Record<string, unknown>,
    ): Promise<{ appendRow(row: object): Promise<void>; close(): Promise<void> }>;
  };
  ParquetReader: { openFile(path: string): Promise<{ getCursor(): { next(): Promise<object | null> }; close(): Promise<void> }> };
}
const lite = createRequire(import.meta.url)('parquetjs-lite') as LiteModule;

async function liteWrite(table: Table<BenchColumns>, file: string): Promise<number> {
  rmSync(file, { force: true });
  const schema = new lite.ParquetSchema({
    id: { type: 'INT64', compression: 'SNAPPY' },
    text: { type: 'UTF8', compression: 'SNAPPY' },
    vector: { type: 'FLOAT', repeated: true, compression: 'SNAPPY' },
  });
  const writer = await lite.ParquetWriter.openFile(schema, file);
  for (let i = 0; i < table.numRows; i++) {
    const row = table.get(i)!;
    await writer.appendRow({ id: Number(row.id), text: row.text, vector: Array.from(row.vector) });
  }
  await writer.close();
  return table.numRows;
}

async function liteRead(file: string): Promise<number> {
  const reader = await lite.ParquetReader.openFile(file);
  const cursor = reader.getCursor();
  let rows = 0;
  while (await cursor.next()) rows++;
  await reader.close();
  return rows;
}

async function measure(label: string, expectRows: number, fn: () => Promise<number>): Promise<Measure> {
  const times: number[] = [];
  for (let rep = 0; rep < REPS; rep++) {
    const { ms, rows } = await timed(fn);
    if (rows !== expectRows) throw new Error(`${label}: ${rows} rows, expected ${expectRows}`);
    times.push(ms);
  }
  return { label, rows: expectRows, times };
}

async function main(): Promise<void> {
  printMachine('bench/io');
  console.log(
    `table:    ${fmt(ROWS)} rows of id int64, text utf8 (${TEXT_CHARS} chars), vector float32[${DIM}]; Snappy; ${REPS} runs each, median`,
  );
  console.log(
    `threads:  sluice ${CORES} worker threads; DuckDB threads = ${CORES}; parquetjs-lite on the main thread (${fmt(LITE_ROWS)} rows)\n`,
  );

  const work = mkdtempSync(join(os.tmpdir(), 'sluice-bench-io-'));
  try {
    const table = makeTable(ROWS);
    const sluiceDir = join(work, 'sluice');
    const duckFile = join(work, 'duckdb.parquet');
    const instance = await DuckDBInstance.create(':memory:', { threads: String(CORES) });
    const db = await instance.connect();

    // A warm-up write also gives DuckDB the same rows: it loads sluice's files into its table.
    await sluiceWrite(table, sluiceDir);
    await db.run(`CREATE TABLE source AS SELECT * FROM read_parquet('${sluiceDir}/*.parquet')`);
    const sourceRows = await duckCount(db, 'SELECT count(*) FROM source');
    if (sourceRows !== ROWS) throw new Error(`DuckDB read ${sourceRows} rows of sluice's files, expected ${ROWS}`);

    const sw = await measure('sluice writeParquet', ROWS, () => sluiceWrite(table, sluiceDir));
    const dw = await measure('DuckDB COPY TO parquet', ROWS, () => duckWrite(db, duckFile));
    const sr = await measure('sluice readParquet', ROWS, () => sluiceRead(sluiceDir));
    const dr = await measure('DuckDB read_parquet', ROWS, () => duckRead(db, duckFile));
    const srd = await measure("sluice readParquet of DuckDB's file", ROWS, () => sluiceRead(duckFile));

    const liteTable = table.slice(0, LITE_ROWS);
    const liteDir = join(work, 'lite');
    mkdirSync(liteDir);
    const liteFile = join(liteDir, 'lite.parquet');
    const lw = await measure('parquetjs-lite write', LITE_ROWS, () => liteWrite(liteTable, liteFile));
    const lr = await measure('parquetjs-lite read', LITE_ROWS, () => liteRead(liteFile));
    const sluiceFile = join(
      sluiceDir,
      readdirSync(sluiceDir)
        .filter((f) => f.endsWith('.parquet'))
        .sort()[0],
    );
    const liteReadsSluice = await liteRead(sluiceFile).then(
      (rows) => `yes (${fmt(rows)} rows)`,
      (error: unknown) => `no: ${error instanceof Error ? error.message : String(error)}`,
    );
    const sluiceReadsLite = await sluiceRead(liteFile).then(
      (rows) => `yes (${fmt(rows)} rows)`,
      (error: unknown) => `no: ${error instanceof Error ? error.message : String(error)}`,
    );
    db.closeSync();
    instance.closeSync();

    console.log(`${pad('contender', 40)}${lpad('median ms', 11)}${lpad('rows/s', 11)}   all runs (ms)`);
    for (const m of [sw, dw, sr, dr, srd, lw, lr]) {
      console.log(
        `${pad(m.label, 40)}${lpad(fmt(median(m.times)), 11)}${lpad(fmt(rowsPerSec(m)), 11)}   ${m.times.map((t) => fmt(t)).join(' ')}`,
      );
    }
    console.log(
      `\nfile sizes: sluice ${fmt(dirBytes(sluiceDir) / 1024 ** 2, 1)} MiB in ${readdirSync(sluiceDir).length} files, ` +
        `DuckDB ${fmt(statSync(duckFile).size / 1024 ** 2, 1)} MiB`,
    );
    console.log(`parquetjs-lite reads sluice's file: ${liteReadsSluice}`);
    console.log(`sluice reads parquetjs-lite's file: ${sluiceReadsLite}\n`);

    const rows: Array<[string, number, string]> = [
      ['write: sluice / DuckDB COPY', rowsPerSec(sw) / rowsPerSec(dw), 'ratio'],
      ['read: sluice / DuckDB', rowsPerSec(sr) / rowsPerSec(dr), 'ratio'],
      ['write: sluice / parquetjs-lite', rowsPerSec(sw) / rowsPerSec(lw), 'ratio'],
      ['read: sluice / parquetjs-lite', rowsPerSec(sr) / rowsPerSec(lr), 'ratio'],
    ];
    console.log(`${pad('measure', 40)}${lpad('value', 8)}`);
    for (const [label, value] of rows) console.log(`${pad(label, 40)}${lpad(fmt(value, 2), 8)}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
