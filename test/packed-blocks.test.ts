import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dictionary, Field, FixedSizeList, Float32, Int32, Schema, Table, Utf8, makeData, makeVector, vectorFromArray } from 'apache-arrow';
import { blockFromRows, rowsOfBlock, type Block } from '../src/blocks/index.js';
import { markMovable } from '../src/blocks/movable-buffers.js';
import { handOff } from '../src/index.js';
import { movedStreams, packBlocks, sharedStream, unpackBlocks, type PackedBlocks } from '../src/blocks/packed-blocks.js';
import { SpareStreams } from '../src/blocks/spare-streams.js';
import { mixedRows } from './fixtures/mixed-rows.js';

/** What the other thread receives: the streams copied as a transfer would leave them, nothing shared with the sender. */
function moved(packed: PackedBlocks): Block[] {
  const copy = structuredClone(packed);
  return unpackBlocks(copy.streams, copy.parts);
}

const rows = mixedRows(37);

test('packed blocks come back row for row, slices at odd offsets included', () => {
  const block = blockFromRows(rows);
  // Offsets that are not multiples of 8 move validity bitmaps by bits, and sliced offsets must be rebased.
  const slices = [block.slice(0, 5), block.slice(5, 18), block.slice(18, 37)];
  const back = moved(packBlocks(slices, true));
  assert.equal(back.length, 3);
  back.forEach((b, i) => {
    assert.deepEqual(rowsOfBlock(b), rowsOfBlock(slices[i]));
    assert.equal(b.schema.fields.length, block.schema.fields.length);
    b.schema.fields.forEach((f, k) => assert.equal(String(f.type), String(block.schema.fields[k].type)));
  });
});

test('blocks of one schema share one stream and one decoded schema; other schemas get their own', () => {
  const a = blockFromRows([{ x: 1 }, { x: 2 }]);
  const b = blockFromRows([{ x: 3 }]);
  const c = blockFromRows([{ y: 'z' }]);
  const packed = packBlocks([a, b, c, a], true);
  assert.equal(packed.streams.length, 3, 'a and b share the first stream; c, then a again, start new ones');
  const back = moved(packed);
  assert.deepEqual(back.map(rowsOfBlock), [[{ x: 1 }, { x: 2 }], [{ x: 3 }], [{ y: 'z' }], [{ x: 1 }, { x: 2 }]]);
  assert.equal(back[0].schema, back[1].schema);
  assert.equal(back[0].schema, back[3].schema, 'the same schema bytes give the same Schema object');
  assert.equal(moved(packBlocks([b], true))[0].schema, back[0].schema, 'and so do later messages');
});

test('vectors, several batches and list children keep their layout and names', () => {
  const width = 4;
  const child = makeData({ type: new Float32(), length: 3 * width, data: Float32Array.from({ length: 3 * width }, (_, i) => i / 2) });
  const vectors = (name: string) =>
    makeVector(makeData({ type: new FixedSizeList(width, new Field(name, new Float32(), false)), length: 3, nullCount: 0, child }));
  const item = new Table({ v: vectors('item') });
  const element = new Table({ v: vectors('element') });
  const twoBatches = new Table([...item.batches, ...item.slice(1, 3).batches]);
  const back = moved(packBlocks([item, element, twoBatches], true));
  assert.equal((back[0].schema.fields[0].type as FixedSizeList).children[0].name, 'item');
  assert.equal(
    (back[1].schema.fields[0].type as FixedSizeList).children[0].name,
    'element',
    'a child field of another name is another schema',
  );
  assert.equal(back[2].batches.length, 2);
  assert.deepEqual(
    rowsOfBlock(back[2]).map((r) => Array.from(r.v as ArrayLike<number>)),
    rowsOfBlock(twoBatches).map((r) => Array.from(r.v as ArrayLike<number>)),
  );
});

test('dictionaries, empty blocks and batch metadata go as whole IPC streams and come back', () => {
  const dictionary = new Table({ d: vectorFromArray(['a', 'b', 'a'], new Dictionary(new Utf8(), new Int32())) });
  const empty = blockFromRows([{ x: 1 }]).slice(0, 0);
  const withMetadata = blockFromRows([{ x: 1 }]);
  withMetadata.batches[0].metadata.set('source', 'test');
  const packed = packBlocks([dictionary, empty, withMetadata], true);
  assert.deepEqual(
    packed.parts.map((p) => 'ipc' in p),
    [true, true, true],
  );
  const back = moved(packed);
  assert.deepEqual(
    rowsOfBlock(back[0]).map((r) => r.d),
    ['a', 'b', 'a'],
  );
  assert.equal(back[1].numRows, 0);
  assert.deepEqual(
    back[1].schema.fields.map((f) => f.name),
    ['x'],
  );
  assert.equal(back[2].batches[0].metadata.get('source'), 'test');
  assert.ok(back[2].schema instanceof Schema);
});

test('a large buffer marked movable travels as a stream of its own, transferred; others are copied', () => {
  const rowsOf = 1 << 18; // 1 MiB of float32
  const vectorBlock = (values: Float32Array) =>
    new Table({ v: makeVector(makeData({ type: new Float32(), length: values.length, data: values })) }) as Block;
  const ownValues = Float32Array.from({ length: rowsOf }, (_, i) => i);
  markMovable(ownValues.buffer);
  const own = vectorBlock(ownValues);
  const sharedValues = Float32Array.from({ length: rowsOf }, (_, i) => -i);
  const shared = vectorBlock(sharedValues);
  const smallValues = Float32Array.from({ length: 1000 }, (_, i) => i / 2);
  markMovable(smallValues.buffer);
  const small = vectorBlock(smallValues);
  // The same movable buffer in two blocks of one message is transferred once.
  const packed = packBlocks([own, shared, small, own.slice(0, rowsOf)], true);
  assert.equal(packed.streams.length, 2, 'one stream of copies, and the movable buffer');
  assert.equal(packed.streams[1], ownValues.buffer);
  const received = structuredClone(packed, { transfer: movedStreams(packed.streams) });
  assert.equal(ownValues.buffer.byteLength, 0, "the sender's movable buffer is gone: it moved");
  assert.equal(sharedValues[rowsOf - 1], -(rowsOf - 1), 'a buffer not marked is copied, and stays the sender’s');
  assert.equal(smallValues[999], 499.5, 'a small one is copied although marked');
  const back = unpackBlocks(received.streams, received.parts);
  const column = (block: Block) => block.getChildAt(0)!.toArray() as Float32Array;
  assert.equal(column(back[0])[rowsOf - 1], rowsOf - 1);
  assert.equal(column(back[0]).buffer, received.streams[1], 'received without a copy');
  assert.equal(column(back[1])[12345], -12345);
  assert.equal(column(back[2])[999], 499.5);
  assert.equal(column(back[3]).buffer, received.streams[1]);
});

test('a reply laid out in shared streams shares them, and still moves its movable buffers', () => {
  const values = Float32Array.from({ length: 1 << 18 }, (_, i) => i);
  markMovable(values.buffer);
  const movable = new Table({ v: makeVector(makeData({ type: new Float32(), length: values.length, data: values })) }) as Block;
  const copied = blockFromRows(rows.slice(0, 20));
  const packed = packBlocks([copied, movable], true, sharedStream);
  assert.ok(packed.streams[0] instanceof SharedArrayBuffer, 'the copies are laid out in shared memory');
  assert.deepEqual(movedStreams(packed.streams), [values.buffer], 'only the movable buffer is in the transfer list');
  const received = structuredClone(packed, { transfer: movedStreams(packed.streams) });
  assert.equal(values.buffer.byteLength, 0, 'the movable buffer moved');
  const back = unpackBlocks(received.streams, received.parts);
  assert.deepEqual(rowsOfBlock(back[0]), rowsOfBlock(copied));
  assert.equal((back[1].getChildAt(0)!.toArray() as Float32Array)[12345], 12345);
  // The receiver reads the very memory the sender wrote: shared, not copied by the message.
  new Uint8Array(packed.streams[0]).fill(0);
  assert.notDeepEqual(rowsOfBlock(back[0]), rowsOfBlock(copied));
});

test('handOff lets a reply move the whole buffer it is given, not a view of part of one', () => {
  const vectorBlock = (values: Float32Array) =>
    new Table({ v: makeVector(makeData({ type: new Float32(), length: values.length, data: values })) }) as Block;
  const whole = handOff(Float32Array.from({ length: 1 << 18 }, (_, i) => i));
  const part = handOff(new Float32Array(1 << 19).subarray(1 << 18));
  const packed = packBlocks([vectorBlock(whole), vectorBlock(part)], true, sharedStream);
  assert.deepEqual(movedStreams(packed.streams), [whole.buffer]);
});

test("a task's input is packed with every buffer copied, marked or not: the sender keeps it to send again", () => {
  const values = Float32Array.from({ length: 1 << 18 }, (_, i) => i);
  markMovable(values.buffer);
  const block = new Table({ v: makeVector(makeData({ type: new Float32(), length: values.length, data: values })) }) as Block;
  const packed = packBlocks([block], false);
  assert.equal(packed.streams.length, 1, 'one stream of copies');
  const received = structuredClone(packed, { transfer: movedStreams(packed.streams) });
  assert.equal(values.buffer.byteLength, 1 << 20, "the sender's buffer stayed");
  const back = unpackBlocks(received.streams, received.parts);
  assert.equal((back[0].getChildAt(0)!.toArray() as Float32Array)[12345], 12345);
});

test('a stream is laid out in a spare buffer given back by the reader, over what its last blocks left there', () => {
  const spare = new SpareStreams(2);
  const first = packBlocks([blockFromRows(rows.slice(0, 20))], false, (bytes) => spare.take(bytes));
  assert.deepEqual(rowsOfBlock(moved(first)[0]), rowsOfBlock(blockFromRows(rows.slice(0, 20))));
  // The reader gives the stream back; the next pack of about its size is laid out in it, whatever it held.
  spare.giveBack(movedStreams(first.streams));
  const next = blockFromRows(rows.slice(0, 20).reverse());
  const second = packBlocks([next], false, (bytes) => spare.take(bytes));
  assert.equal(second.streams[0], first.streams[0]);
  assert.deepEqual(rowsOfBlock(moved(second)[0]), rowsOfBlock(next));
  // Taken, the buffer is no longer spare: a third pack gets a new one.
  const third = packBlocks([next], false, (bytes) => spare.take(bytes));
  assert.notEqual(third.streams[0], first.streams[0]);
});

test('spare streams: a buffer serves packs of its size down to half of it; the oldest go past the most kept, in number or bytes', () => {
  const spare = new SpareStreams(2);
  const [small, large, larger] = [new ArrayBuffer(1_000), new ArrayBuffer(400_000), new ArrayBuffer(800_000)];
  spare.giveBack([small, large, larger]);
  // Three given, two kept: the oldest (small) went.
  assert.equal(spare.take(900), null);
  // 400 KB serves a pack of 200 KB and up, not one of 150 KB (it would carry 250 KB it does not need).
  assert.equal(spare.take(150_000), null);
  assert.equal(spare.take(300_000), large);
  assert.equal(spare.take(300_000), null);
  assert.equal(spare.take(500_000), larger);
  // Past the bytes kept, the oldest go too: 600 KB and 500 KB do not fit in 1 MB together.
  const byBytes = new SpareStreams(8, 1_000_000);
  const [older, newer] = [new ArrayBuffer(600_000), new ArrayBuffer(500_000)];
  byBytes.giveBack([older, newer]);
  assert.equal(byBytes.take(550_000), null);
  assert.equal(byBytes.take(450_000), newer);
  // A detached buffer (moved on to another thread) is not kept.
  const detached = new ArrayBuffer(8);
  structuredClone(detached, { transfer: [detached] });
  spare.giveBack([detached]);
  assert.equal(spare.take(1), null);
});
