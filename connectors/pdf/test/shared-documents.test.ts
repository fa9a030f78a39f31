/**
 * The documents a worker keeps open between the parts of a large PDF: one opening serves the
 * parts read together or one after another, a document is destroyed a moment after its last
 * reader (or at once when a read is given up on) or when the worker opens another file, and a
 * file that cannot be opened is not kept.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EngineDocument } from '../src/engines/pdf-engine.js';
import { openSharedDocument } from '../src/shared-documents.js';

/** A stand-in document that counts its openings and destructions. */
function counter() {
  const counts = { opened: 0, destroyed: 0 };
  const open = (): Promise<EngineDocument> => {
    counts.opened++;
    return Promise.resolve({
      numPages: 3,
      info: () => Promise.resolve({ title: null, author: null, producer: null, creationDate: null }),
      readPage: (page) => Promise.resolve({ text: `page ${page}` }),
      destroy: () => {
        counts.destroyed++;
        return Promise.resolve();
      },
    });
  };
  return { counts, open };
}

test('parts read together and one after another share one opening, destroyed a moment after the last', async () => {
  const { counts, open } = counter();
  const [a, b] = await Promise.all([openSharedDocument('one', open), openSharedDocument('one', open)]);
  assert.equal(a.doc, b.doc);
  await a.release();
  await b.release();
  const c = await openSharedDocument('one', open);
  assert.equal(c.doc, a.doc);
  assert.deepEqual(counts, { opened: 1, destroyed: 0 });
  await c.release();
  await sleep(1_200);
  assert.deepEqual(counts, { opened: 1, destroyed: 1 });
  const d = await openSharedDocument('one', open);
  assert.equal(counts.opened, 2);
  await d.discard();
});

test('a discarded document is destroyed at once and never served again; a failed opening is not kept', async () => {
  const { counts, open } = counter();
  const a = await openSharedDocument('two', open);
  await a.discard();
  assert.deepEqual(counts, { opened: 1, destroyed: 1 });
  const b = await openSharedDocument('two', open);
  assert.notEqual(b.doc, a.doc);
  await b.discard();

  let attempts = 0;
  const failing = () => {
    attempts++;
    return Promise.reject(new Error('the PDF is damaged beyond repair'));
  };
  await assert.rejects(openSharedDocument('three', failing), /damaged/);
  await assert.rejects(openSharedDocument('three', failing), /damaged/);
  assert.equal(attempts, 2);
});

test('opening another file destroys the kept documents first, not those being read', async () => {
  const { counts, open } = counter();
  const kept = await openSharedDocument('four', open);
  const reading = await openSharedDocument('five', open);
  await kept.release();
  const alone = await openSharedDocument(null, open);
  assert.deepEqual(counts, { opened: 3, destroyed: 1 });
  await alone.release();
  assert.deepEqual(counts, { opened: 3, destroyed: 2 });
  // Still open for its reader, so its next part shares it.
  const next = await openSharedDocument('five', open);
  assert.equal(next.doc, reading.doc);
  await reading.release();
  await next.release();
  const other = await openSharedDocument('six', open);
  assert.deepEqual(counts, { opened: 4, destroyed: 3 });
  await other.discard();
});
