/**
 * Buffers that may move to another thread instead of being copied there: marked by the code
 * that made them and gave them to one block only (a Parquet read's copies out of WebAssembly
 * memory; a UDF's own, through `handOff`), in this thread. Packing a reply for another thread
 * (packed-blocks.ts) then hands such a buffer over whole: the other thread gets it without a
 * copy, and this thread's block no longer has it, which is what a task's reply wants of the
 * block it sends back (a worker UDF that keeps a batch past its call is told to keep a copy:
 * README, Worker threads).
 */
const movable = new WeakSet<ArrayBuffer>();

/** Lets packing move `buffer` to the thread a block goes to; call it only for a buffer no other block or cache shares. */
export function markMovable(buffer: ArrayBuffer): void {
  movable.add(buffer);
}

/** markMovable for the buffer `view` covers whole; a view of part of its buffer shares it, and is left unmarked. */
export function markMovableView(view: ArrayBufferView): void {
  const buffer = wholeBuffer(view);
  if (buffer !== null) movable.add(buffer);
}

/** Whether `view` is the whole of a buffer that was marked movable. */
export function isMovable(view: ArrayBufferView): boolean {
  const buffer = wholeBuffer(view);
  return buffer !== null && movable.has(buffer);
}

function wholeBuffer(view: ArrayBufferView): ArrayBuffer | null {
  const { buffer } = view;
  return buffer instanceof ArrayBuffer && view.byteOffset === 0 && view.byteLength === buffer.byteLength ? buffer : null;
}
