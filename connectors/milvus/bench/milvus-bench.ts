/**
 * bench/milvus (`pnpm bench:milvus`), on the same 768-d rows:
 * (a) writing Milvus import files: sluice's encoder on the task pool into Parquet against the
 *     SDK's own BulkWriter (Parquet), both read back by DuckDB to check they hold every row;
 * (b) streaming upsert into the Milvus stand-in (in a process of its own): milvusSink against
 *     the SDK's plain loop of `upsert` calls with the same batches, each followed by one flush;
 *     the stand-in's row count checks both.
 *
 * Each contender runs MILVUS_BENCH_REPS rounds (interleaved) in this process; the best round counts.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BulkWriter, DataType, MilvusClient, type FieldType, type RowData } from '@zilliz/milvus2-sdk-node';
import { fromItems, seededRandom } from 'sluice';
import { milvusSink } from '../dist/src/index.js';
import { envInt, fmt, printMachine } from '../../../dist/bench/bench-utils.js';
import { importEncoderUdf } from '../dist/src/import/import-batch-udf.js';
import type { ImportSchema } from '../dist/src/import/import-fields.js';
import { parquetRows } from '../dist/test/fixtures/import-file-rows.js';

const ROWS = envInt('MILVUS_BENCH_ROWS', 40_000);
const UPSERT_ROWS = envInt('MILVUS_BENCH_UPSERT_ROWS', 20_000);
/** Rows per request in (b): about 3 MiB of vectors, as milvusSink cuts them with batchBytes below. */
const UPSERT_BATCH = 1000;
const REPS = envInt('MILVUS_BENCH_REPS', 3);
const DIM = 768;
const CPUS = Math.min(2, os.availableParallelism());

interface Doc {
  id: number;
  vector: Float32Array;
  title: string;
}

function docs(): Doc[] {
  const random = seededRandom(1);
  const next = () => random() - 0.5;
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

/** The stand-in in a child process, with a collection per contender and round; resolves to its address and a stop function. */
async function startStandIn(names: string[]): Promise<{ uri: string; stop: () => void }> {
  const script = new URL('../dist/test/fixtures/stand-in-process.js', import.meta.url);
  const simple = [
    { name: 'id', type: 'Int64', primary: true },
    { name: 'vector', type: 'FloatVector', dim: DIM },
    { name: 'title', type: 'VarChar', maxLength: 512 },
  ];
  const child = spawn(process.execPath, [script.pathname, JSON.stringify(Object.fromEntries(names.map((n) => [n, simple])))], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const uri = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (s: string) => {
      out += s;
      const line = /URI (\S+)/.exec(out);
      if (line) resolve(line[1]);
    });
    child.on('exit', (code) => reject(new Error(`the stand-in exited with ${code}`)));
  });
  return { uri, stop: () => child.stdin.end() };
}

async function countOf(client: MilvusClient, collection: string): Promise<number> {
  const result = await client.query({ collection_name: collection, filter: '', output_fields: ['count(*)'] });
  return Number(result.data[0]['count(*)']);
}

async function sluiceUpsert(rows: Doc[], uri: string, collection: string): Promise<void> {
  const bytes = UPSERT_BATCH * (DIM * 4 + 48);
  await fromItems(rows).write(milvusSink({ uri, collection, batchBytes: bytes, inFlight: 4 }), { cpus: CPUS, progress: 'off' });
}

async function sdkUpsert(batches: RowData[][], client: MilvusClient, collection: string): Promise<void> {
  for (const data of batches) {
    const result = await client.upsert({ collection_name: collection, data });
    if (result.status.error_code !== 'Success') throw new Error(`upsert failed: ${result.status.reason}`);
  }
  await client.flushSync({ collection_names: [collection] });
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
const line = (name: string, xs: number[]) =>
  console.log(`  ${name.padEnd(48)}${fmt(best(xs)).padStart(9)}  (rounds: ${xs.map((r) => fmt(r)).join(', ')})`);
line(`sluice (encoder on ${CPUS} workers → writeParquet)`, rates.sluice);
line('SDK BulkWriter (format: parquet)', rates.bulkWriter);
const ratioA = best(rates.sluice) / best(rates.bulkWriter);
console.log(`  sluice / BulkWriter: ${fmt(ratioA, 1)}x (goal >= 5)\n`);

console.log(`(b) streaming upsert of ${fmt(UPSERT_ROWS)} rows into the stand-in (${UPSERT_BATCH} rows a request), rows/s`);
const upsertRows = rows.slice(0, UPSERT_ROWS);
// The SDK takes number[] vectors: converted before the clock starts, in the baseline's favour.
const sdkBatches: RowData[][] = [];
for (let i = 0; i < upsertRows.length; i += UPSERT_BATCH)
  sdkBatches.push(upsertRows.slice(i, i + UPSERT_BATCH).map((r) => ({ ...r, vector: Array.from(r.vector) })));
const names = Array.from({ length: REPS }, (_, r) => [`sluice_${r}`, `sdk_${r}`]).flat();
const standIn = await startStandIn(names);
const client = new MilvusClient({ address: standIn.uri, maxRetries: 0, telemetry: { enabled: false } });
await client.connectPromise;
const upserts = { sluice: [] as number[], sdk: [] as number[] };
try {
  for (let round = 0; round < REPS; round++) {
    for (const [name, run] of [
      ['sluice', () => sluiceUpsert(upsertRows, standIn.uri, `sluice_${round}`)],
      ['sdk', () => sdkUpsert(sdkBatches, client, `sdk_${round}`)],
    ] as const) {
      const started = performance.now();
      await run();
      const seconds = (performance.now() - started) / 1000;
      const count = await countOf(client, `${name}_${round}`);
      if (count !== UPSERT_ROWS) throw new Error(`${name} left ${count} rows of ${UPSERT_ROWS}`);
      upserts[name].push(UPSERT_ROWS / seconds);
    }
  }
} finally {
  await client.closeConnection();
  standIn.stop();
}
line('sluice milvusSink (inFlight 4)', upserts.sluice);
line('SDK upsert loop, then flush', upserts.sdk);
const ratioB = best(upserts.sluice) / best(upserts.sdk);
console.log(`  sluice / SDK loop: ${fmt(ratioB, 2)}x (goal >= 1.5)\n`);

console.log(`  case                                     sluice   baseline   ratio`);
console.log(
  `  (a) import files, rows/s          ${fmt(best(rates.sluice)).padStart(13)}${fmt(best(rates.bulkWriter)).padStart(11)}${`${fmt(ratioA, 1)}x`.padStart(8)}`,
);
console.log(
  `  (b) streaming upsert, rows/s      ${fmt(best(upserts.sluice)).padStart(13)}${fmt(best(upserts.sdk)).padStart(11)}${`${fmt(ratioB, 2)}x`.padStart(8)}`,
);
