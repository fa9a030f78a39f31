import { Message, RecordBatch, Struct, Table, makeData, type Data, type Schema } from 'apache-arrow';
import { VectorAssembler } from 'apache-arrow/visitor/vectorassembler';
import { CompressedVectorLoader } from 'apache-arrow/visitor/vectorloader';
import type { Block } from './block.js';
import { blockFromIpc, blockToIpc, ipcKeepsBatches } from './ipc.js';
import { isMovable } from './movable-buffers.js';
import { uninitialized } from './uninitialized.js';
import { sameSchema } from './same-schema.js';

/** One record batch in a packed stream: its row count, its field nodes and where its buffers are. */
export interface PackedBatch {
  readonly length: number;
  /** Per field node, depth first as Arrow IPC lists them: length, null count. */
  readonly nodes: readonly number[];
  /** Per buffer, in Arrow IPC order: the stream it is in, its offset there, its length in bytes. */
  readonly buffers: readonly number[];
  readonly variadicBufferCounts: readonly number[];
}

/**
 * Where one block is in packed streams: `batches` laid out in stream `stream`, which starts with
 * their schema's message of `schemaBytes` bytes (a batch's moved buffers are streams of their
 * own); or, for a block the layout does not serve, the whole stream in Arrow IPC stream format.
 */
export type PackedPart =
  | { readonly stream: number; readonly schemaBytes: number; readonly batches: readonly PackedBatch[] }
  | { readonly stream: number; readonly ipc: true };

/** Several blocks as buffers for another thread (moved, or shared), and where each block is in them. */
export interface PackedBlocks {
  readonly streams: PackedStream[];
  readonly parts: PackedPart[];
}

/** A stream of packed blocks: moved to the other thread (an ArrayBuffer), or shared with it. */
export type PackedStream = ArrayBuffer | SharedArrayBuffer;

/** Where a reply's streams are laid out while the main thread takes them shared (pools/shared-replies.ts). */
export function sharedStream(bytes: number): SharedArrayBuffer {
  return new SharedArrayBuffer(bytes);
}

/** The streams a message moves (its transfer list): shared ones are not moved but shared. */
export function movedStreams(streams: readonly PackedStream[]): ArrayBuffer[] {
  return streams.filter((stream): stream is ArrayBuffer => stream instanceof ArrayBuffer);
}

/**
 * Several blocks in as few buffers as their schemas allow, for a message to another thread.
 * Consecutive blocks of one schema share a stream: the schema's Arrow IPC message, then each
 * batch's buffers laid out as an IPC body (8-byte aligned), with the batches' field nodes and
 * buffer places as plain numbers beside it, which the message's structured clone carries. That
 * is Arrow IPC without its per-batch flatbuffer headers: encoding and decoding those cost more
 * than the copy for the small batches that actors take, and the schema message is encoded once
 * per schema and decoded once per distinct schema a thread receives. With `moveMarked` (a
 * reply, whose blocks the sender gives away), a large buffer marked movable (movable-buffers.ts)
 * is not copied but becomes a stream of its own, which the message transfers; without it (a
 * task's input, which the sender keeps to send again after a crash) every buffer is copied.
 * `layIn` may give a buffer of at least the bytes asked for, for a stream to be laid out in
 * instead of a new ArrayBuffer: a spare one (spare-streams.ts), or shared memory for a reply
 * (sharedStream). Blocks the layout does not serve (dictionaries,
 * batches without rows, batch metadata) go as whole IPC streams.
 */
export function packBlocks(blocks: readonly Block[], moveMarked: boolean, layIn?: (bytes: number) => PackedStream | null): PackedBlocks {
  const streams: PackedStream[] = [];
  const parts: PackedPart[] = [];
  // A buffer is transferred once, however many batches hold it.
  const moved = new Map<ArrayBuffer, number>();
  let run: Block[] = [];
  const endRun = () => {
    if (run.length > 0) packRun(run, streams, parts, moveMarked ? moved : null, layIn);
    run = [];
  };
  for (const block of blocks) {
    if (!laidOut(block)) {
      endRun();
      parts.push({ stream: streams.length, ipc: true });
      streams.push(blockToIpc(block));
    } else {
      if (run.length > 0 && !sameSchema(run[0].schema, block.schema)) endRun();
      run.push(block);
    }
  }
  endRun();
  return { streams, parts };
}

/** The blocks packBlocks packed, each stream's schema decoded once. */
export function unpackBlocks(streams: readonly PackedStream[], parts: readonly PackedPart[]): Block[] {
  const bytes = streams.map((stream) => new Uint8Array(stream));
  return parts.map((part) => {
    if ('ipc' in part) return blockFromIpc(streams[part.stream]);
    const schema = receivedSchema(bytes[part.stream].subarray(0, part.schemaBytes));
    const batches = part.batches.map((batch) => {
      const nodes = [];
      for (let i = 0; i < batch.nodes.length; i += 2) nodes.push({ length: batch.nodes[i], nullCount: batch.nodes[i + 1] });
      const views = [];
      for (let i = 0; i < batch.buffers.length; i += 3) {
        const at = batch.buffers[i + 1];
        views.push(bytes[batch.buffers[i]].subarray(at, at + batch.buffers[i + 2]));
      }
      // apache-arrow's loader for buffers given one by one (its name is for IPC bodies it decompressed).
      const regions = views.map((view) => ({ offset: 0, length: view.byteLength }));
      const loader = new CompressedVectorLoader(views, nodes, regions, new Map(), schema.metadataVersion, [...batch.variadicBufferCounts]);
      const children = loader.visitMany(schema.fields) as Data[];
      return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: batch.length, children }));
    });
    return new Table(schema, batches);
  });
}

function laidOut(block: Block): boolean {
  return ipcKeepsBatches(block) && block.batches.every((batch) => batch.metadata.size === 0);
}

/**
 * One stream for blocks of one schema: the schema message, then every batch's buffers, each
 * 8-byte aligned (the gaps zeroed, as IPC pads them; the rest is copied over, so the stream is
 * not zeroed first), but for those that move.
 */
function packRun(
  run: readonly Block[],
  streams: PackedStream[],
  parts: PackedPart[],
  moved: Map<ArrayBuffer, number> | null,
  layIn: ((bytes: number) => PackedStream | null) | undefined,
): void {
  const schema = encodedSchema(run[0].schema);
  const bodies = run.map((block) => block.batches.map((batch) => VectorAssembler.assemble(batch)));
  const moves = (buffer: ArrayBufferView) => moved !== null && buffer.byteLength >= MOVE_MIN_BYTES && isMovable(buffer);
  let size = padded(schema.byteLength);
  for (const body of bodies.flat()) for (const buffer of body.buffers) if (!moves(buffer)) size += padded(buffer.byteLength);
  const buffer: PackedStream = layIn?.(size) ?? uninitialized(Uint8Array, size).buffer;
  const bytes = new Uint8Array(buffer, 0, size);
  bytes.set(schema);
  let at = padded(schema.byteLength);
  bytes.fill(0, schema.byteLength, at);
  const stream = streams.length;
  streams.push(buffer);
  for (const [b, block] of run.entries()) {
    const batches = block.batches.map((batch, i): PackedBatch => {
      const body = bodies[b][i];
      const buffers: number[] = [];
      for (const buffer of body.buffers) {
        if (moved !== null && moves(buffer)) {
          const own = buffer.buffer as ArrayBuffer;
          let index = moved.get(own);
          if (index === undefined) {
            index = streams.push(own) - 1;
            moved.set(own, index);
          }
          buffers.push(index, 0, buffer.byteLength);
        } else {
          bytes.set(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength), at);
          buffers.push(stream, at, buffer.byteLength);
          bytes.fill(0, at + buffer.byteLength, at + padded(buffer.byteLength));
          at += padded(buffer.byteLength);
        }
      }
      return {
        length: batch.numRows,
        nodes: body.nodes.flatMap((n) => [n.length, n.nullCount]),
        buffers,
        variadicBufferCounts: body.variadicBufferCounts,
      };
    });
    parts.push({ stream, schemaBytes: schema.byteLength, batches });
  }
}

/** Below this a movable buffer is copied all the same: a copy of it costs less than a transfer of its own. */
const MOVE_MIN_BYTES = 256 * 1024;

const padded = (bytes: number) => (bytes + 7) & ~7;

/** Schema messages by schema: a block's slices share its schema object. */
const encodedSchemas = new WeakMap<Schema, Uint8Array>();
/** The last schema encoded: a UDF's results are new schema objects of one shape, batch after batch. */
let lastEncoded: { readonly schema: Schema; readonly bytes: Uint8Array } | null = null;

function encodedSchema(schema: Schema): Uint8Array {
  let bytes = encodedSchemas.get(schema);
  if (bytes === undefined) {
    bytes = lastEncoded !== null && sameSchema(lastEncoded.schema, schema) ? lastEncoded.bytes : Message.encode(Message.from(schema));
    encodedSchemas.set(schema, bytes);
    lastEncoded = { schema, bytes };
  }
  return bytes;
}

/** Schemas this thread decoded lately, with their message bytes: the same bytes give the same Schema object. */
const receivedSchemas: { readonly bytes: Uint8Array; readonly schema: Schema }[] = [];
const RECEIVED_SCHEMAS_KEPT = 16;

function receivedSchema(bytes: Uint8Array): Schema {
  const known = receivedSchemas.find((entry) => sameBytes(entry.bytes, bytes));
  if (known !== undefined) return known.schema;
  const schema = Message.decode(bytes).header() as Schema;
  receivedSchemas.unshift({ bytes: bytes.slice(), schema });
  receivedSchemas.length = Math.min(receivedSchemas.length, RECEIVED_SCHEMAS_KEPT);
  return schema;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
