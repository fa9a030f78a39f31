import { markMovableView } from '../blocks/movable-buffers.js';

/**
 * Gives `view`'s buffer to the result a UDF returns it in: on a worker thread or an actor, the
 * buffer then moves to the main thread instead of being copied there (from 256 KiB). That saves
 * a copy, but V8 counts a moved buffer towards the main thread's next mark-compact, where a copy
 * goes into shared memory, which it does not count (README, Worker threads). For a
 * buffer the UDF made for this one result (a model's output tensor) and does not touch again:
 * once the result is sent, the UDF's view of it is empty. A view that is not the whole of its
 * buffer shares it, and is left to be copied. Returns `view`.
 */
export function handOff<T extends ArrayBufferView>(view: T): T {
  markMovableView(view);
  return view;
}
