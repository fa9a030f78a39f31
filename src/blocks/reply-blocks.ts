import { RecordBatch, Schema, Struct, Table, makeData, type Data, type Field } from 'apache-arrow';
import type { Block } from './block.js';
import { packBlocks, sharedStream, unpackBlocks, type PackedBlocks } from './packed-blocks.js';
import { sameField } from './same-schema.js';

/**
 * Result blocks for the thread that sent their inputs, packed: a result column that is its
 * input's column as it came (the same Arrow data, batch for batch: a UDF that adds columns and
 * keeps the others) goes back as the input column's index, not as bytes, and the sender puts
 * its own column there. An actor that keeps 384-float input vectors beside its outputs sends
 * half the bytes, and the main thread gets its own, unmoved vectors back. Blocks are immutable
 * (as Ray Data's zero-copy batches are read-only): a UDF that writes into its input's buffers
 * and returns the same column gets the column back as it was sent.
 */
export interface PackedReplies extends PackedBlocks {
  /**
   * Per block, each result column's place: k >= 0 for the sent block's column k, -1 for the
   * next column of the packed block; null where every column is packed.
   */
  readonly sentColumns: readonly (readonly number[] | null)[];
}

/**
 * `results` packed, each against the block that was sent for it (null: not sent in this
 * layout); in shared memory where `shared` (pools/shared-replies.ts says when).
 */
export function packReplies(results: readonly Block[], sent: readonly (Block | null)[], shared: boolean): PackedReplies {
  const sentColumns = results.map((result, i) => sentColumnsOf(result, sent[i]));
  const packed = packBlocks(
    results.map((result, i) => withoutSentColumns(result, sentColumns[i])),
    true,
    shared ? sharedStream : undefined,
  );
  return { ...packed, sentColumns };
}

/** The results packReplies packed, with the sent blocks' columns put back. */
export function unpackReplies(replies: PackedReplies, sent: readonly (Block | null)[]): Block[] {
  return unpackBlocks(replies.streams, replies.parts).map((rest, i) => {
    const places = replies.sentColumns[i];
    const input = sent[i];
    if (places === null) return rest;
    if (input === null) throw new Error('internal: a reply names columns of a block that was not sent');
    return withSentColumns(rest, input, places);
  });
}

/** Which columns of `result` are `sent`'s columns as they came, or null where none is (or none would be left to pack). */
function sentColumnsOf(result: Block, sent: Block | null): number[] | null {
  if (sent === null || result.batches.length !== sent.batches.length) return null;
  const places = result.schema.fields.map((field, i) => {
    const k = sent.schema.fields.findIndex((f) => f.name === field.name);
    if (k < 0 || !sameField(field, sent.schema.fields[k])) return -1;
    const same = result.batches.every((batch, b) => batch.data.children[i] === sent.batches[b].data.children[k]);
    return same ? k : -1;
  });
  return places.some((k) => k >= 0) && places.some((k) => k < 0) ? places : null;
}

function withoutSentColumns(result: Block, places: readonly number[] | null): Block {
  if (places === null) return result;
  const keep = (_: unknown, i: number) => places[i] < 0;
  const schema = new Schema(result.schema.fields.filter(keep), result.schema.metadata);
  const batches = result.batches.map(
    (batch) =>
      new RecordBatch(
        schema,
        makeData({ type: new Struct(schema.fields), length: batch.numRows, children: batch.data.children.filter(keep) }),
      ),
  );
  return new Table(schema, batches);
}

function withSentColumns(rest: Block, sent: Block, places: readonly number[]): Block {
  const schema = composedSchema(rest.schema, sent.schema, places);
  const batches = rest.batches.map((batch, b) => {
    let next = 0;
    const children: Data[] = places.map((k) => (k >= 0 ? sent.batches[b].data.children[k] : batch.data.children[next++]));
    return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: batch.numRows, children }));
  });
  return new Table(schema, batches);
}

/** The result schema from its packed part's and the sent block's fields, one object per combination (results of a stream share it). */
const composed = new WeakMap<Schema, WeakMap<Schema, Map<string, Schema>>>();

function composedSchema(rest: Schema, sent: Schema, places: readonly number[]): Schema {
  let bySent = composed.get(rest);
  if (bySent === undefined) composed.set(rest, (bySent = new WeakMap<Schema, Map<string, Schema>>()));
  let byPlaces = bySent.get(sent);
  if (byPlaces === undefined) bySent.set(sent, (byPlaces = new Map<string, Schema>()));
  const key = places.join();
  let schema = byPlaces.get(key);
  if (schema === undefined) {
    let next = 0;
    const fields: Field[] = places.map((k) => (k >= 0 ? sent.fields[k] : rest.fields[next++]));
    schema = new Schema(fields, rest.metadata);
    byPlaces.set(key, schema);
  }
  return schema;
}
