import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Field, Float64, Table, vectorFromArray } from 'apache-arrow';
import { blockFromRows, rowsOfBlock, type Block } from '../src/blocks/index.js';
import { packBlocks, unpackBlocks } from '../src/blocks/packed-blocks.js';
import { packReplies, unpackReplies } from '../src/blocks/reply-blocks.js';

/** A block as the other thread receives it: packed, cloned as a message moves it, unpacked. */
function received(block: Block): Block {
  const copy = structuredClone(packBlocks([block], true));
  return unpackBlocks(copy.streams, copy.parts)[0];
}

/** `result` (made from `there`, the sent block as received) back on the sending side, which holds `here`. */
function replied(result: Block, there: Block, here: Block) {
  const packed = packReplies([result], [there], true);
  return { block: unpackReplies(structuredClone(packed), [here])[0], places: packed.sentColumns[0] };
}

const here = blockFromRows(Array.from({ length: 40 }, (_, i) => ({ id: i, text: `row ${i}`, score: i / 2 })));

test('a result that keeps its input columns sends only its own; the sender gets its own columns back', () => {
  const there = received(here);
  const result = there.assign(
    new Table({
      doubled: vectorFromArray(
        Array.from({ length: 40 }, (_, i) => i * 2),
        new Float64(),
      ),
    }),
  );
  const { block, places } = replied(result, there, here);
  assert.deepEqual(places, [0, 1, 2, -1]);
  assert.deepEqual(rowsOfBlock(block), rowsOfBlock(result));
  assert.equal(block.getChild('text')!.data[0], here.getChild('text')!.data[0], "the sender's own data, not a copy");
  assert.deepEqual(
    block.schema.fields.map((f) => f.name),
    ['id', 'text', 'score', 'doubled'],
  );
});

test('columns the UDF changed, renamed or re-typed, and results of other batches, are sent whole', () => {
  const there = received(here);
  const renamed = new Table(
    there.schema.fields
      .map((f) => (f.name === 'id' ? new Field('key', f.type, f.nullable) : f))
      .reduce((columns, field, i) => ({ ...columns, [field.name]: there.getChildAt(i)! }), {}),
  );
  const { block, places } = replied(renamed, there, here);
  assert.deepEqual(places, [-1, 1, 2], 'only the renamed column is packed');
  assert.deepEqual(rowsOfBlock(block), rowsOfBlock(renamed));

  const changed = blockFromRows(rowsOfBlock(there).map((r) => ({ ...r, score: Number(r.score) + 1 })));
  assert.equal(replied(changed, there, here).places, null, 'new data everywhere: nothing to refer to');

  const filtered = there.slice(0, 10);
  assert.equal(replied(filtered, there, here).places, null, 'other rows: nothing to refer to');

  const twoBatches = new Table([...there.slice(0, 20).batches, ...there.slice(20).batches]);
  assert.equal(replied(twoBatches, there, here).places, null, 'other batches: nothing to refer to');

  assert.equal(replied(there, there, here).places, null, 'every column its input: packed as it is');
  assert.deepEqual(rowsOfBlock(replied(there, there, here).block), rowsOfBlock(here));
});
