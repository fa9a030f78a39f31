import type { Readable } from 'node:stream';
import type { PipeOwner } from './pipe-reader.js';

/**
 * One output of a tool process (a pipe, or a socket output) read in flowing mode: each chunk
 * goes to `onChunk` as it comes, synchronously, and the consumer copies what it keeps (a socket
 * output's chunk is a view of a buffer it reuses). No
 * promise or timer per chunk: a raw 1080p decode read a promise at a time spent a third of its
 * main thread in the garbage collector (chunks that lived across reads were promoted and only a
 * full collection freed them; bench/RESULTS.md). The consumer `pause()`s it when it holds
 * enough (the process then blocks on a full pipe) and `resume()`s it when it wants more. While
 * it flows the process's idle clock runs, restarted by each chunk; a paused flow stops it.
 */
export class PipeFlow {
  /** Settles when the pipe has ended: rejects with why the process was stopped (abort, idle timeout) or never started. */
  readonly ended: Promise<void>;
  private flowing = false;
  private finished = false;

  constructor(
    private readonly stream: Readable,
    private readonly owner: PipeOwner,
    subscribe: (handler: (chunk: Uint8Array) => void) => void,
    onChunk: (chunk: Uint8Array) => void,
  ) {
    owner.watchdog.addReader();
    this.ended = new Promise<void>((resolve, reject) => {
      const off = owner.onStop((reason) => {
        this.finish();
        reject(asError(reason));
      });
      subscribe((chunk: Uint8Array) => {
        owner.watchdog.touch();
        onChunk(chunk);
      });
      stream.once('close', () => {
        off();
        this.finish();
        const end = owner.endError();
        if (end !== null) reject(asError(end.error));
        else resolve();
      });
    });
    this.ended.catch(() => undefined);
    this.resume();
  }

  pause(): void {
    if (this.finished || !this.flowing) return;
    this.flowing = false;
    this.stream.pause();
    this.owner.watchdog.setWaiting(false);
  }

  resume(): void {
    if (this.finished || this.flowing) return;
    this.flowing = true;
    this.owner.watchdog.setWaiting(true);
    this.stream.resume();
  }

  /** The consumer gave up: the pipe is dropped (the process gets EPIPE if it writes on). */
  drop(): void {
    if (this.finished) return;
    this.finish();
    this.stream.destroy();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.owner.watchdog.removeReader(this.flowing);
    this.flowing = false;
  }
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
