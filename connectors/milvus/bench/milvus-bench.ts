/**
 * bench/milvus (`pnpm bench:milvus`): (a) writing Milvus import files — sluice's encoder on
 * the task pool into Parquet against the SDK's own BulkWriter (Parquet), on the same 768-d
 * rows, both read back by DuckDB to check they hold every row.
 *
 * Each contender runs MILVUS_BENCH_REPS rounds (interleaved) in this process; the best round counts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BulkWriter, DataType, type FieldType } from '@zilliz/milvus2-sdk-node';
import { fromItems } from 'sluice';
import { envInt, fmt, printMachine } from '../../../dist/bench/bench-utils.js';
import { importEncoderUdf } from '../dist/src/import/import-batch-udf.js';
import type { ImportSchema } from '../dist/src/import/import-fields.js';
import { parquetRows } from '../dist/test/fixtures/import-file-rows.js';

const ROWS = envInt('MILVUS_BENCH_ROWS', 40_000);
const REPS = envInt('MILVUS_BENCH_REPS', 3);
const DIM = 768;
const CPUS = Math.min(2, os.availableParallelism());

interface Doc {
  id: number;
  vector: Float32Array;
  title: string;
}

function docs(): Doc[] {
  let seed = 1;
  const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5;
  return Array.from({ length: ROWS }, (_, id) => ({
    id,
    vector: Float32Array.from({ length: DIM }, next),
    title: `chunk ${id} of a document`,
  }));
}

const fields: FieldType[] = [
  { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
  { name: 'vector', data_type: DataType.FloatVector, type_params: { dim: DIM } },
  { name: 'title', data_type: DataType.VarChar, type_params: { max_length: 512 } },
];

const schema: ImportSchema = {
  collection: 'bench',
  primaryKey: 'id',
  dynamic: false,
  generated: [],
  fields: [
    { name: 'id', type: 'Int64', nullable: false, hasDefault: false },
    { name: 'vector', type: 'FloatVector', dim: DIM, nullable: false, hasDefault: false },
    { name: 'title', type: 'VarChar', nullable: false, hasDefault: false },
  ],
};

async function sluiceFiles(rows: Doc[], dir: string): Promise<string> {
  await fromItems(rows)
    .mapBatches(importEncoderUdf(schema), { batchFormat: 'arrow', name: 'ImportColumns' })
    .writeParquet(dir, { cpus: CPUS, progress: 'off' });
  return path.join(dir, '*.parquet');
}

async function bulkWriterFiles(rows: Doc[], dir: string): Promise<string> {
  // BulkWriter takes number[] vectors (its documented input): converting is part of its job here, as building Arrow is part of sluice's.
  const writer = new BulkWriter({ schema: { fields }, format: 'parquet', localPath: dir });
  for (const row of rows) await writer.append({ ...row, vector: Array.from(row.vector) });
  await writer.close();
  return path.join(dir, '**', '*.parquet');
}

async function timed(name: string, rows: Doc[], run: (rows: Doc[], dir: string) => Promise<string>): Promise<number> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `sluice-milvus-bench-${name}-`));
  try {
    const started = performance.now();
    const glob = await run(rows, dir);
    const seconds = (performance.now() - started) / 1000;
    const back = await parquetRows(glob);
    if (back.rows.length !== rows.length) throw new Error(`${name} wrote ${back.rows.length} rows of ${rows.length}`);
    if ((back.rows[7].vector as number[]).length !== DIM)
      throw new Error(`${name} wrote vectors of ${(back.rows[7].vector as number[]).length} values`);
    return rows.length / seconds;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

printMachine('bench/milvus');
const rows = docs();
console.log(`rows:     ${fmt(ROWS)} × {id: int64, vector: ${DIM} float32, title: varchar}; ${REPS} interleaved rounds, best round each\n`);
console.log('(a) writing import files (Parquet, local disk), rows/s');
const rates = { sluice: [] as number[], bulkWriter: [] as number[] };
for (let round = 0; round < REPS; round++) {
  rates.sluice.push(await timed('sluice', rows, sluiceFiles));
  rates.bulkWriter.push(await timed('bulkwriter', rows, bulkWriterFiles));
}
const best = (xs: number[]) => Math.max(...xs);
console.log(
  `  sluice (encoder on ${CPUS} workers → writeParquet)   ${fmt(best(rates.sluice)).padStart(9)}  (rounds: ${rates.sluice.map((r) => fmt(r)).join(', ')})`,
);
console.log(
  `  SDK BulkWriter (format: parquet)              ${fmt(best(rates.bulkWriter)).padStart(9)}  (rounds: ${rates.bulkWriter.map((r) => fmt(r)).join(', ')})`,
);
console.log(`  sluice / BulkWriter: ${fmt(best(rates.sluice) / best(rates.bulkWriter), 1)}x (goal >= 5)`);
