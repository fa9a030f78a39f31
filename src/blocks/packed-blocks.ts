import { RecordBatch, Table, type DataType, type Schema } from 'apache-arrow';
import type { Block } from './block.js';
import { sameType } from './concat.js';
import { blockFromIpc, blockToIpc, ipcKeepsBatches } from './ipc.js';

/** Where one block is in packed streams: `batches` record batches of stream `stream` from `first`, or the whole stream (-1). */
export interface PackedPart {
  readonly stream: number;
  readonly first: number;
  readonly batches: number;
}

/** Several blocks as Arrow IPC streams that can move to another thread, and where each block is in them. */
export interface PackedBlocks {
  readonly streams: ArrayBuffer[];
  readonly parts: PackedPart[];
}

/**
 * Several blocks in as few Arrow IPC streams as their schemas allow: consecutive blocks of one
 * schema share a stream (one schema message, then their record batches in order), so that a
 * message with many small batches costs one encoding and one decoding, not one per batch. A block
 * whose batches a stream would not keep one for one (empty, dictionaries) gets a stream of its own.
 */
export function packBlocks(blocks: readonly Block[]): PackedBlocks {
  const streams: ArrayBuffer[] = [];
  const parts: PackedPart[] = [];
  let run: Block[] = [];
  const endRun = () => {
    if (run.length === 0) return;
    const schema = run[0].schema;
    const stream = streams.length;
    let first = 0;
    for (const block of run) {
      parts.push({ stream, first, batches: block.batches.length });
      first += block.batches.length;
    }
    const batches = run.flatMap((block) =>
      block.schema === schema ? block.batches : block.batches.map((batch) => new RecordBatch(schema, batch.data)),
    );
    streams.push(blockToIpc(run.length === 1 ? run[0] : new Table(schema, batches)));
    run = [];
  };
  for (const block of blocks) {
    if (!ipcKeepsBatches(block)) {
      endRun();
      parts.push({ stream: streams.length, first: 0, batches: -1 });
      streams.push(blockToIpc(block));
    } else {
      if (run.length > 0 && !sameSchema(run[0].schema, block.schema)) endRun();
      run.push(block);
    }
  }
  endRun();
  return { streams, parts };
}

/** The blocks packBlocks packed, each stream decoded once. */
export function unpackBlocks(streams: readonly ArrayBuffer[], parts: readonly PackedPart[]): Block[] {
  const tables = streams.map((stream) => blockFromIpc(stream));
  return parts.map(({ stream, first, batches }) =>
    batches < 0 ? tables[stream] : new Table(tables[stream].schema, tables[stream].batches.slice(first, first + batches)),
  );
}

/** Field for field the same names, types and nullability, and the same metadata: one schema message serves both. */
function sameSchema(a: Schema, b: Schema): boolean {
  if (a === b) return true;
  if (a.fields.length !== b.fields.length || !sameMetadata(a.metadata, b.metadata)) return false;
  return a.fields.every((field, i) => {
    const other = b.fields[i];
    return (
      field.name === other.name &&
      field.nullable === other.nullable &&
      sameMetadata(field.metadata, other.metadata) &&
      sameType(field.type as DataType, other.type as DataType)
    );
  });
}

function sameMetadata(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [key, value] of a) if (b.get(key) !== value) return false;
  return true;
}
