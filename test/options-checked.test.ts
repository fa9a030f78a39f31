/**
 * Every options object is checked by name: an option a call does not take is refused with an
 * InvalidOptionError naming it, the accepted names and the nearest one, before anything runs
 * (no directory made, no row read, no setting changed). And every documented option is still
 * accepted.
 */
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import {
  chunkText,
  configure,
  InvalidOptionError,
  range,
  readJson,
  readParquet,
  splitText,
  udf,
  type ChunkTextOptions,
  type Datasink,
  type ExecutionOptions,
  type FileWriteOptions,
  type ParquetWriteOptions,
  type SinkWriteOptions,
  type SplitTextOptions,
  type TextSpan,
} from '../src/index.js';

/** A token counter that workers can load: chunkText's tokenizer option takes one. */
export function countWords(text: string): number {
  return (text.match(/\S+/g) ?? []).length;
}

/** Matches an InvalidOptionError for `option`, with the suggestion `near` when given (and none when null). */
function refused(option: string, where: string, near: string | null): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof InvalidOptionError, `expected an InvalidOptionError, got ${String(error)}`);
    assert.equal(error.option, option);
    assert.match(error.message, new RegExp(`^option '${option}' must be one of .*\\(the options of ${escape(where)}`));
    if (near === null) assert.doesNotMatch(error.message, /did you mean/);
    else assert.match(error.message, new RegExp(`did you mean '${near}'\\?`));
    return true;
  };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-options-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A dataset whose rows count themselves as they are mapped on the main thread: `ran()` stays 0 when nothing ran. */
function counted(n = 10) {
  let mapped = 0;
  const dataset = range(n).map((row) => {
    mapped++;
    return row;
  });
  return { dataset, ran: () => mapped };
}

/** A sink that records whether any of its methods was called. */
function recordingSink(): Datasink<{ id: number }, number> & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    onWriteStart: () => void calls.push('start'),
    write: (batch) => (calls.push('write'), batch.length),
    onWriteComplete: () => void calls.push('complete'),
    onWriteFailed: () => void calls.push('failed'),
  };
}

test('writeParquet: a misspelled option is refused with the nearest name, and no directory is made', async () => {
  await withTempDir(async (root) => {
    const dir = join(root, 'out');
    const { dataset, ran } = counted();
    await assert.rejects(
      dataset.writeParquet(dir, { targetRowPerFile: 3 } as never),
      refused('targetRowPerFile', 'writeParquet', 'targetRowsPerFile'),
    );
    await assert.rejects(dataset.writeParquet(dir, { compresion: 'zstd' } as never), refused('compresion', 'writeParquet', 'compression'));
    assert.equal(existsSync(dir), false, 'no directory was made');
    assert.equal(ran(), 0);
  });
});

test('writeJson and writeCsv: misspelled options, and an option only Parquet takes, are refused before the directory is made', async () => {
  await withTempDir(async (root) => {
    const dir = join(root, 'out');
    const { dataset, ran } = counted();
    await assert.rejects(
      dataset.writeJson(dir, { targetBytesPerFlie: 100 } as never),
      refused('targetBytesPerFlie', 'writeJson', 'targetBytesPerFile'),
    );
    await assert.rejects(dataset.writeCsv(dir, { preserveOrdr: true } as never), refused('preserveOrdr', 'writeCsv', 'preserveOrder'));
    await assert.rejects(dataset.writeCsv(dir, { compression: 'zstd' } as never), refused('compression', 'writeCsv', null));
    assert.equal(existsSync(dir), false, 'no directory was made');
    assert.equal(ran(), 0);
  });
});

test('write(sink): a misspelled option is refused before the sink is started', async () => {
  const sink = recordingSink();
  const { dataset, ran } = counted();
  await assert.rejects(dataset.write(sink, { concurency: 2 } as never), refused('concurency', 'write', 'concurrency'));
  await assert.rejects(dataset.write(sink, { batchSize: 2 } as never), refused('batchSize', 'write', null));
  assert.deepEqual(sink.calls, []);
  assert.equal(ran(), 0);
});

test('iterBatches and takeBatch: their own options and the execution options, misspelled, are refused', async () => {
  const { dataset, ran } = counted();
  assert.throws(() => dataset.iterBatches({ batch_size: 10 } as never), refused('batch_size', 'iterBatches', 'batchSize'));
  assert.throws(() => dataset.iterBatches({ cpu: 1 } as never), refused('cpu', 'iterBatches', 'cpus'));
  await assert.rejects(dataset.takeBatch(5, { batch_format: 'arrow' } as never), refused('batch_format', 'takeBatch', 'batchFormat'));
  await assert.rejects(dataset.takeBatch(5, { batchSize: 2 } as never), refused('batchSize', 'takeBatch', null));
  assert.equal(ran(), 0);
});

test('count and the other consumers: a misspelled execution option is refused before the plan runs', async () => {
  const { dataset, ran } = counted();
  const bad = { memory_budget: 1 } as never;
  await assert.rejects(dataset.count(bad), refused('memory_budget', 'count', 'memoryBudget'));
  await assert.rejects(dataset.take(5, bad), refused('memory_budget', 'take', 'memoryBudget'));
  await assert.rejects(dataset.takeAll(bad), refused('memory_budget', 'takeAll', 'memoryBudget'));
  await assert.rejects(dataset.show(5, bad), refused('memory_budget', 'show', 'memoryBudget'));
  await assert.rejects(dataset.schema(bad), refused('memory_budget', 'schema', 'memoryBudget'));
  await assert.rejects(dataset.toArrow(bad), refused('memory_budget', 'toArrow', 'memoryBudget'));
  await assert.rejects(dataset.materialize(bad), refused('memory_budget', 'materialize', 'memoryBudget'));
  await assert.rejects(dataset.stats(bad), refused('memory_budget', 'stats', 'memoryBudget'));
  assert.throws(() => dataset.iterRows(bad), refused('memory_budget', 'iterRows', 'memoryBudget'));
  assert.equal(ran(), 0);
});

test('sort and randomShuffle: a misspelled option is refused', () => {
  const { dataset } = counted();
  assert.throws(() => dataset.sort('id', { descnding: true } as never), refused('descnding', 'sort', 'descending'));
  assert.throws(() => dataset.randomShuffle({ sed: 1 } as never), refused('sed', 'randomShuffle', 'seed'));
});

test('configure: a misspelled setting is refused and the settings stay as they were', () => {
  const before = configure({});
  assert.throws(() => configure({ cpu: 1, preserveOrder: !before.preserveOrder } as never), refused('cpu', 'configure', 'cpus'));
  assert.deepEqual(configure({}), before, 'nothing of the refused call was applied');
});

test('map and mapBatches: a misspelled option gets the nearest name', () => {
  const double = (row: { id: number }) => ({ id: row.id * 2 });
  assert.throws(() => range(3).map(double, { concurency: 2 } as never), refused('concurency', 'Map(double)', 'concurrency'));
  assert.throws(
    () => range(3).mapBatches(double as never, { batchsize: 2 } as never),
    refused('batchsize', 'MapBatches(double)', 'batchSize'),
  );
});

test('readers: a misspelled option gets the nearest name', () => {
  assert.throws(() => readParquet('/nowhere', { column: ['a'] } as never), refused('column', 'readParquet', 'columns'));
});

test("chunkText and splitText: a misspelled option is named, not reported as 'size' undefined", () => {
  assert.throws(() => chunkText({ sz: 10 } as never), refused('sz', 'chunkText', null));
  assert.throws(() => chunkText({ size: 10, overlp: 2 } as never), refused('overlp', 'chunkText', 'overlap'));
  assert.throws(() => splitText('some text', { sz: 10 } as never), refused('sz', 'splitText', null));
  assert.throws(() => splitText('some text', { size: 10, seperators: [' '] } as never), refused('seperators', 'splitText', 'separators'));
  // chunkText's own options are not splitText's.
  assert.throws(() => splitText('some text', { size: 10, textColumn: 'body' } as never), refused('textColumn', 'splitText', null));
});

// ---- every documented option is accepted --------------------------------------------------

/** Every execution option, with a valid value that leaves the run as it would be by default. */
function allExecutionOptions(root: string): Required<ExecutionOptions> {
  return {
    cpus: 2,
    gpus: 0,
    memoryBudget: 64 * 1024 ** 2,
    workerHeapMb: 512,
    actorThreadKeepMs: 1000,
    preserveOrder: true,
    errorLog: join(root, 'errors.jsonl'),
    progress: 'off',
    progressIntervalMs: 1000,
    progressStream: new Writable({ write: (_chunk, _encoding, done) => done() }),
    onEvent: () => {},
    middleware: [],
    // Cluster mode and shards change where partitions run: off, as by default (test/cluster.test.ts and write-shards.test.ts run them).
    cluster: null,
    shard: null,
    // The dashboard serves a page of the process (test/dashboard.test.ts runs it): off, as by default.
    dashboard: null,
    report: join(root, 'report.html'),
    stuckTaskMs: 60_000,
    stallTimeoutMs: 600_000,
  };
}

test('every documented option of the writes and consumers is accepted', async () => {
  await withTempDir(async (root) => {
    const execution = allExecutionOptions(root);
    const file: Required<FileWriteOptions> = {
      ...execution,
      targetRowsPerFile: 5,
      targetBytesPerFile: 1024 ** 2,
      types: { id: 'int64' },
      // Used only by s3:// directories.
      storage: { region: 'eu-west-1' },
      runId: 'all-options',
      mode: 'append',
    };
    const parquet: Required<ParquetWriteOptions> = { ...file, compression: 'zstd', rowGroupSize: 2 };
    const sinkOptions: Required<SinkWriteOptions> = {
      ...execution,
      concurrency: 2,
      runId: 'all-sink-options',
      mode: 'append',
      runDir: join(root, 'runs'),
    };
    const dataset = range(10);
    // A write with a runId writes a file per read task: its input is read from files.
    const source = join(root, 'source.jsonl');
    writeFileSync(source, Array.from({ length: 10 }, (_, id) => JSON.stringify({ id })).join('\n'));
    const read = readJson(source);
    assert.equal((await read.writeParquet(join(root, 'parquet'), parquet)).rows, 10);
    assert.equal((await read.writeJson(join(root, 'json'), file)).rows, 10);
    assert.equal((await read.writeCsv(join(root, 'csv'), file)).rows, 10);
    assert.equal((await read.write(recordingSink(), sinkOptions)).rows, 10);
    assert.equal(await dataset.count(execution), 10);
    assert.equal((await dataset.take(3, execution)).length, 3);
    assert.equal((await dataset.takeBatch(3, { ...execution, batchFormat: 'arrow' })).numRows, 3);
    const batches: number[][] = [];
    for await (const batch of dataset.iterBatches({ ...execution, batchSize: 4, batchFormat: 'rows' }))
      batches.push(batch.map((r) => r.id));
    assert.deepEqual(batches, [
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    assert.equal((await dataset.sort('id', { descending: true }).take(1))[0].id, 9);
    assert.equal(await dataset.randomShuffle({ seed: 7 }).count(), 10);
  });
});

test('every documented setting of configure is accepted', () => {
  const before = configure({});
  try {
    // No job runs under these settings, so the error log's directory need not exist.
    const settings = configure(allExecutionOptions(tmpdir()));
    assert.equal(settings.cpus, 2);
    assert.equal(settings.preserveOrder, true);
  } finally {
    configure(before);
  }
});

test('every documented option of chunkText and splitText is accepted', () => {
  const split: Required<SplitTextOptions> = { size: 3, overlap: 1, separators: [' ', ''], length: countWords };
  const spans: TextSpan[] = splitText('one two three four five', split);
  assert.ok(spans.length > 1);
  const chunk: Required<ChunkTextOptions<'body'>> = {
    size: 3,
    overlap: 1,
    separators: [' ', ''],
    textColumn: 'body',
    tokenizer: udf(import.meta.url, countWords),
    pathRoot: tmpdir(),
  };
  assert.ok(chunkText(chunk));
});
