import { blockToBatch, BATCH_FORMATS, type BatchFormat } from '../blocks/batch-format.js';
import { blockBytes, type Block } from '../blocks/block.js';
import { bundleBySize } from '../blocks/bundler.js';
import { ClusterError, InvalidOptionError, UdfError, WriteError, causeMessage } from '../errors.js';
import { whileInterruptible } from '../exec/interrupt.js';
import { checkStorageOptions, isS3Url, objectStoreFor, type ObjectStore } from '../io/storage/index.js';
import {
  committedTasks,
  completeRun,
  dataFiles,
  markComplete,
  newWriteId,
  prepareRunRecords,
  recordCommitted,
  recordPartitions,
  runKeyOf,
  runRecorded,
  runWriteId,
  removeWriteFiles,
  SUCCESS_MARKER,
  unmarkComplete,
  WRITE_FORMATS,
  type Datasink,
  type FileSinkArgs,
  type FileWriteResult,
  type SinkBatch,
  type WriteFormat,
  type WriteResult,
  type WrittenFile,
} from '../io/write/index.js';
import { resolveSettings, type Shard } from '../exec/settings.js';
import { DatasetStats } from '../observe/stats.js';
import { logical, type LogicalNode } from '../plan/logical.js';
import { insideSluiceWorker, parkJobInWorker } from '../tasks/job-in-worker.js';
import type { Transform } from '../tasks/transform.js';
import { execute, iterRows, refuseUnpartitionedRun } from './consume.js';
import { SinkRun } from './sink-run.js';
import { checkedColumnTypes, DEFAULT_MAX_RETRIES, positiveInteger } from './map-options.js';
import {
  checkFileWriteOptions,
  checkSinkWriteOptions,
  DEFAULT_SINK_CONCURRENCY,
  fileTargets,
  parquetEncoding,
  type FileWriteOptions,
  type ParquetWriteOptions,
  type SinkWriteOptions,
  type WriteMode,
  writeRun,
} from './write-options.js';

const OPERATORS: Readonly<Record<WriteFormat, string>> = { parquet: 'WriteParquet', json: 'WriteJson', csv: 'WriteCsv' };

/**
 * Writes a plan's rows as files into `dir` (a local directory, or an `s3://bucket/prefix`). The write is one more task-pool step of the plan
 * (it fuses with the task-pool maps before it): each task encodes its bundle and commits
 * files under names carrying the write id, and answers one row per file. All or nothing:
 * when the run fails, the main thread removes every file of this write id, committed or not.
 * A complete write leaves `_SUCCESS`, last. Ctrl-C (SIGINT) or SIGTERM fails the write's job
 * (exec/interrupt.ts): the write rolls back as on any failure, then the process exits.
 */
export async function writeFiles(
  plan: LogicalNode,
  format: WriteFormat,
  dir: string,
  options: ParquetWriteOptions = {},
  onStats: (stats: DatasetStats) => void,
): Promise<FileWriteResult> {
  if (typeof dir !== 'string' || dir === '') throw new InvalidOptionError(`${OPERATORS[format]} dir`, dir, 'a directory path');
  checkFileWriteOptions(format, options);
  const { encoding, rest } = format === 'parquet' ? parquetEncoding(options) : { encoding: {}, rest: options as FileWriteOptions };
  const { types, storage: given, runId: givenRunId, mode: givenMode, ...sizes } = rest;
  const { runId, mode } = writeRun({ runId: givenRunId, mode: givenMode });
  const { targets, execution } = fileTargets(sizes);
  const { shard, cluster } = resolveSettings(execution);
  if (runId === null && (shard !== null || cluster !== null))
    throw new WriteError(
      `${OPERATORS[format]}(${dir})`,
      `${shard !== null ? `shard ${shard.index}/${shard.count}` : 'cluster mode'} runs a write's partitions by their names, ` +
        'which come from its run id: give the write a runId (or set SLUICE_RUN_ID)',
    );
  const oneSchema = types === undefined ? {} : checkedColumnTypes('types', types);
  const storage = checkStorageOptions(given);
  const store = objectStoreFor(dir, storage);
  const absolute = store.normalize(dir);
  // A run's files are named by the run, so that a resumed run writes the same names again.
  const writeId = runId === null ? newWriteId() : runWriteId(runId);
  const name = `${OPERATORS[format]}(${dir})`;
  const spec = WRITE_FORMATS[format];
  const args: FileSinkArgs = { dir: absolute, writeId, encoding: { ...encoding }, storage };
  const before = await beforeWrite(name, store, absolute, runId, mode, shard);
  if (before === 'skip') return emptyResult(writeId);
  const transform: Transform = {
    op: 'blocks',
    name,
    fn: { kind: 'module', moduleUrl: spec.moduleUrl, exportName: spec.exportName },
    args,
    onError: 'fail',
    ...targets,
    timeoutMsPerRow: undefined,
    inputs: 'rows',
    outputs: 'files',
    oneSchema,
    ...(runId === null ? {} : { partitioned: { runId, runKey: before.runKey } }),
    ...(before.done.size > 0
      ? { doneTasks: [...before.done].map(([task, file]) => ({ task, rows: file === null ? [] : [{ ...file }] })) }
      : {}),
  };
  const node = logical.map(
    plan,
    transform,
    { kind: 'tasks', numCpus: 1, concurrency: undefined },
    { maxRetries: DEFAULT_MAX_RETRIES, retryExceptions: false },
  );
  if (runId !== null) refuseUnpartitionedRun(node);
  let stats: DatasetStats | undefined;
  // Planned before the directory is made: invalid execution options fail without touching the disk.
  const blocks = execute(node, execution, (s) => {
    stats = s;
    onStats(s);
  });
  // A worker importing the user's script for its UDFs reaches this write: it must not touch the directory (nor its _SUCCESS).
  if (insideSluiceWorker()) await parkJobInWorker();
  return whileInterruptible(async (interrupt) => {
    await store.prepareDir(absolute).catch((error: unknown) => {
      const what = isS3Url(absolute)
        ? `cannot write under ${absolute}`
        : `cannot create the directory ${absolute}; check the path and its permissions`;
      throw new WriteError(name, what, error);
    });
    // A record being written when an earlier process of the run was killed goes: its task is redone, and records it again.
    if (runId !== null)
      await prepareRunRecords(store, absolute, runId, before.runKey, shard !== null).catch((error: unknown) => {
        throw new WriteError(name, `cannot make the record of run '${runId}' in ${absolute}; check its permissions`, error);
      });
    const marker = store.join(absolute, SUCCESS_MARKER);
    // Files are about to be added: an earlier write's marker goes until this write is complete (a rollback puts it back).
    const hadMarker = await unmarkComplete(store, absolute).catch((error: unknown) => {
      throw new WriteError(name, `cannot remove ${marker} before writing; check its permissions`, error);
    });
    const files: WrittenFile[] = [];
    try {
      for await (const file of iterRows<WrittenFile & { partition?: number }>(blocks)) {
        // A partition without rows (see exec/partition-chain.ts): done, with no file.
        if (file.path === '') {
          await recordCommitted(store, absolute, runId!, { task: file.partition!, file: null });
          continue;
        }
        files.push(file);
        if (runId === null) continue;
        const task = taskOfFile(store, writeId, file.path);
        if (!before.done.has(task)) await recordCommitted(store, absolute, runId, { task, file: { ...file } });
      }
      // Interrupted before its marker: not complete, so rolled back like a failed write.
      if (interrupt.interrupted) throw interrupt.interrupted;
      if (runId === null) {
        // Attempts of tasks whose worker died leave temporary files; their retries committed the data.
        await removeWriteFiles(store, absolute, writeId, { committed: false });
        await markComplete(store, absolute).catch((error: unknown) => {
          throw new WriteError(name, `cannot write ${marker}, the mark of a complete write`, error);
        });
      } else {
        // A run is complete once all its partitions are committed, which a shard's own share is not yet.
        await recordPartitions(store, absolute, runId, partitionsOf(stats!, name));
        await completeRun(store, absolute, runId).catch((error: unknown) => {
          throw new WriteError(name, `cannot write ${marker}, the mark of a complete write`, error);
        });
      }
      // Overwrite: what was there goes once this write is complete (a failed overwrite leaves it as it was).
      for (const path of before.existing) if (!files.some((f) => f.path === path)) await store.remove(path);
    } catch (error) {
      if (runId !== null) {
        // A run keeps what it committed, for mode 'resume' to finish: only unfinished files go (not while other shards write theirs).
        if (shard === null) await removeWriteFiles(store, absolute, writeId, { committed: false }).catch(() => undefined);
        // Refused before any task ran (no partitions to keep): said as it is.
        if (error instanceof WriteError && error.sink === name) throw error;
        throw new WriteError(
          name,
          `run '${runId}' failed; what it committed stays in ${absolute}: rerun with mode 'resume' and the same runId to write only the rest`,
          error,
        );
      }
      await rollBack(name, store, absolute, writeId, error, hadMarker);
      throw error instanceof UdfError && error.operator === name
        ? new WriteError(
            name,
            `task ${error.input.taskIndex} could not write its files into ${absolute}; ` +
              (isS3Url(absolute)
                ? 'check the bucket, the storage option and the credentials'
                : 'check that the directory is writable and has room') +
              ' (nothing of this write was kept)',
            error.cause,
          )
        : error;
    }
    files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return {
      writeId,
      files: files.map((f) => f.path),
      rows: sum(files, 'rows'),
      bytes: sum(files, 'bytes'),
      returns: files,
      stats: stats!,
    };
  });
}

/** The read task a run's file came from: its name is `<writeId>_<task>_<part>.<ext>` (atomic-file.ts). */
function taskOfFile(store: ObjectStore, writeId: string, path: string): number {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return Number(name.slice(writeId.length + 1, writeId.length + 7));
}

interface BeforeWrite {
  /** A resumed run's tasks already committed, with their files (null: a partition without rows). */
  readonly done: ReadonlyMap<number, WrittenFile | null>;
  /** The run's key (see BlocksTransform.partitioned); '' without a run id. */
  readonly runKey: string;
  /** Files to remove once the write is complete (mode 'overwrite'). */
  readonly existing: readonly string[];
}

/** What the mode makes of the directory as it is, before anything runs: go on (with what to skip or replace), or skip the write. */
async function beforeWrite(
  name: string,
  store: ObjectStore,
  dir: string,
  runId: string | null,
  mode: WriteMode,
  shard: Shard | null,
): Promise<BeforeWrite | 'skip'> {
  if (shard !== null && mode !== 'resume' && mode !== 'append')
    throw new WriteError(
      name,
      `shard ${shard.index}/${shard.count} shares ${dir} with the run's other shards, so mode '${mode}' (which looks at what ` +
        "is there) cannot apply; use mode 'resume' (each shard then also skips its partitions a killed attempt committed)",
    );
  const existing = mode === 'append' || mode === 'resume' ? [] : await dataFiles(store, dir);
  if (mode === 'ignore' && existing.length > 0) return 'skip';
  if (mode === 'error' && existing.length > 0)
    throw new WriteError(
      name,
      `${dir} already holds ${existing.length} file(s) (mode 'error'); choose mode 'overwrite', 'append', 'ignore' or 'resume'`,
    );
  if (runId === null) return { done: new Map(), runKey: '', existing: mode === 'overwrite' ? existing : [] };
  // Shards of one run start side by side: each finds the others' records.
  const resuming = mode === 'resume' || shard !== null;
  if (!resuming && (await runRecorded(store, dir, runId)))
    throw new WriteError(name, `run '${runId}' already wrote into ${dir}; finish it with mode 'resume', or give this write another runId`);
  const done = resuming ? await committedTasks(store, dir, runId) : new Map<number, WrittenFile | null>();
  return { done, runKey: await runKeyOf(store, dir, runId), existing: mode === 'overwrite' ? existing : [] };
}

/** The partitions of a run's write, as its operator counted them. */
function partitionsOf(stats: DatasetStats, name: string): number {
  const partitions = stats.operators.find((op) => op.partitions !== undefined)?.partitions;
  if (partitions === undefined) throw new Error(`internal: ${name} ran without counting its partitions`);
  return partitions;
}

/** The result of a write that wrote nothing (mode 'ignore' on a directory with files). */
function emptyResult(writeId: string): FileWriteResult {
  return { writeId, files: [], rows: 0, bytes: 0, returns: [], stats: new DatasetStats([], 0, 0) };
}

/** Removes every file of the write; puts back the marker of an earlier complete write, if there was one. */
async function rollBack(
  name: string,
  store: ObjectStore,
  dir: string,
  writeId: string,
  failure: unknown,
  hadMarker: boolean,
): Promise<void> {
  try {
    await removeWriteFiles(store, dir, writeId, { committed: true });
    if (hadMarker) await markComplete(store, dir);
  } catch (error) {
    throw new WriteError(
      name,
      `the write failed (${causeMessage(failure)}) and its files could not all be removed; ` +
        (isS3Url(dir)
          ? `delete the objects named ${store.join(dir, `${writeId}_*`)} and abort the multipart uploads of those keys`
          : `delete the files named ${writeId}_* and .sluice-tmp-${writeId}_* in ${dir}`),
      error,
    );
  }
}

/**
 * Runs a plan into a Datasink on the main thread: `onWriteStart` (while the plan starts), then
 * `write` per batch with up to `concurrency` calls in flight, then `onWriteComplete`; on any
 * failure, `onWriteFailed` with the error the write rejects with (an InterruptedError after
 * Ctrl-C or SIGTERM).
 */
export async function writeToSink<T extends object, R, F extends BatchFormat>(
  plan: LogicalNode,
  sink: Datasink<T, R, F>,
  options: SinkWriteOptions = {},
  onStats: (stats: DatasetStats) => void,
): Promise<WriteResult<R>> {
  checkSinkWriteOptions(options);
  const { concurrency = DEFAULT_SINK_CONCURRENCY, runId: givenRunId, mode: givenMode, runDir, ...execution } = options;
  positiveInteger('concurrency', concurrency);
  const format = checkSink(sink);
  const name = sinkName(sink);
  const { runId, mode } = writeRun({ runId: givenRunId, mode: givenMode });
  if (mode !== 'append' && mode !== 'resume') throw new InvalidOptionError('mode', mode, "'append' or 'resume' for a write to a sink");
  // Cluster mode: the partitions are written on the workers, each into a sink a worker makes.
  const onWorkers = resolveSettings(execution).cluster !== null;
  if (onWorkers && (sink.onWorkers === undefined || runId === null))
    throw new ClusterError(
      sink.onWorkers === undefined
        ? `${name} cannot run on cluster workers: it does not say how a worker makes it (Datasink.onWorkers); write it here with the option cluster: null`
        : `${name} in cluster mode writes partitions by their run: give the write a runId (or set SLUICE_RUN_ID)`,
    );
  if (runDir !== undefined && (typeof runDir !== 'string' || runDir === ''))
    throw new InvalidOptionError('runDir', runDir, 'a directory path');
  const writeId = newWriteId();
  const returns: R[] = [];
  let rows = 0;
  let bytes = 0;
  let stats: DatasetStats | undefined;
  // A worker importing the user's script for its UDFs reaches this write: the sink's hooks must not run there.
  if (insideSluiceWorker()) await parkJobInWorker();
  // Ctrl-C (exec/interrupt.ts) fails the job: onWriteFailed gets the InterruptedError, then the process exits.
  return whileInterruptible(async (interrupt) => {
    // The plan starts while the sink does (a connection, a collection to create): no batch is
    // written before onWriteStart has finished, and one that fails fails the plan at once.
    const startFailed = new AbortController();
    const started = step(name, 'onWriteStart', () => sink.onWriteStart?.({ writeId }));
    const startSettled = started.then(
      () => undefined,
      (error: unknown) => startFailed.abort(error),
    );
    try {
      const workers = onWorkers ? { name, sink: sink.onWorkers!, writeId, format, rowsPerWrite: sink.rowsPerWrite } : null;
      const run = runId === null ? null : await SinkRun.start(sink, plan, name, runId, mode, runDir, workers);
      // The workers' sinks start on their first partition: the driver's (a collection to create) goes first.
      if (onWorkers) await started;
      const blocks = execute(
        run?.plan ?? plan,
        execution,
        (s) => {
          stats = s;
          onStats(s);
        },
        startFailed.signal,
      );
      if (onWorkers) {
        for await (const written of iterRows<{ partition: number; rows: number }>(blocks)) {
          await run!.record(written.partition);
          rows += written.rows;
        }
      } else {
        const batches =
          run !== null
            ? run.batches(blocks, sink.rowsPerWrite)
            : sink.rowsPerWrite === undefined
              ? blocks
              : bundleBySize(blocks, sink.rowsPerWrite, Infinity);
        await forEachConcurrently(batches, concurrency, async (block, taskIndex) => {
          await started;
          const batch = blockToBatch(block, format) as SinkBatch<T, F>;
          returns[taskIndex] = await step(name, `write (task ${taskIndex}, ${block.numRows} rows)`, () =>
            sink.write(batch, { writeId, taskIndex }),
          );
          rows += block.numRows;
          bytes += blockBytes(block);
          await run?.written(block);
        });
      }
      await started;
      // Interrupted after the last batch but before onWriteComplete: a failure too.
      if (interrupt.interrupted) throw interrupt.interrupted;
      const result: WriteResult<R> = { writeId, rows, bytes, returns, stats: stats! };
      await step(name, 'onWriteComplete', () => sink.onWriteComplete?.(result));
      await run?.finish(stats!);
      return result;
    } catch (error) {
      const failure = error instanceof Error ? error : new WriteError(name, 'the write failed', error);
      // onWriteFailed follows onWriteStart, never runs beside it.
      await startSettled;
      await step(name, `onWriteFailed (called for: ${failure.message})`, () => sink.onWriteFailed?.(failure));
      throw failure;
    }
  });
}

function checkSink<T extends object, R, F extends BatchFormat>(sink: Datasink<T, R, F>): BatchFormat {
  if (typeof sink !== 'object' || sink === null || typeof sink.write !== 'function') {
    throw new InvalidOptionError('sink', sink, 'a Datasink: an object with a write(batch, ctx) method');
  }
  const format = sink.batchFormat ?? 'rows';
  if (!BATCH_FORMATS.includes(format)) throw new InvalidOptionError('batchFormat', format, BATCH_FORMATS.map((f) => `'${f}'`).join(', '));
  if (sink.rowsPerWrite !== undefined) positiveInteger('rowsPerWrite', sink.rowsPerWrite);
  return format;
}

function sinkName(sink: object & { name?: string }): string {
  if (typeof sink.name === 'string' && sink.name) return sink.name;
  const constructorName = sink.constructor?.name;
  return constructorName && constructorName !== 'Object' ? constructorName : 'Datasink';
}

/** Runs a sink method; what it throws becomes a WriteError naming the sink and the method. */
async function step<V>(name: string, method: string, run: () => V | Promise<V>): Promise<V> {
  try {
    return await run();
  } catch (error) {
    throw new WriteError(name, `${method} failed`, error);
  }
}

/**
 * Calls `fn` for each non-empty block with up to `limit` calls in flight; stops taking blocks
 * (which cancels the plan upstream) at the first failure, and waits for the calls in flight.
 */
async function forEachConcurrently(
  blocks: AsyncIterable<Block>,
  limit: number,
  fn: (block: Block, index: number) => Promise<void>,
): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | null = null;
  let index = 0;
  try {
    for await (const block of blocks) {
      if (block.numRows === 0) continue;
      while (inFlight.size >= limit && failure === null) await Promise.race(inFlight);
      if (failure !== null) break;
      const call: Promise<void> = fn(block, index++)
        .catch((error: unknown) => void (failure ??= { error }))
        .finally(() => inFlight.delete(call));
      inFlight.add(call);
    }
  } finally {
    await Promise.all(inFlight);
  }
  if (failure !== null) throw (failure as { error: unknown }).error;
}

function sum(files: readonly WrittenFile[], key: 'rows' | 'bytes'): number {
  return files.reduce((total, file) => total + file[key], 0);
}
