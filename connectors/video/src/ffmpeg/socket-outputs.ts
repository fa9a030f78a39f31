import { once } from 'node:events';
import { rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Bytes each socket output reads at once, into one buffer it reuses. */
const READ_BYTES = 1024 * 1024;

let lastSocket = 0;

/**
 * A tool's output delivered through a local socket read into one reusable buffer (net's
 * `onread`), instead of a pipe: a pipe hands Node a new 64 KiB Buffer per read, and at the rate
 * of raw video (a GB a second) those allocations, held while frames are cut, kept V8 running a
 * full collection every few frames once Arrow blocks were alive (the main thread spent a third
 * of its time there; bench/RESULTS.md). Here nothing is allocated per read: a chunk is a view
 * of the buffer, valid only during the call, so its consumer copies what it keeps.
 */
export interface SocketOutput {
  /** Our end, read with `onread`: pause()/resume() hold the output, 'close' ends it. */
  readonly socket: net.Socket;
  /** Sets who gets the chunks (views of the reused buffer, valid during the call only). */
  subscribe(onChunk: (chunk: Uint8Array) => void): void;
  /**
   * Lets the consumer offer memory to read into directly (the rest of a raw frame whose size
   * it knows): what `target()` returns is filled by the next read, and `onChunk` then gets a
   * view of it, which it need not copy. Null: the reused buffer.
   */
  readInto(target: () => Uint8Array | null): void;
}

/**
 * `count` socket outputs: for each, a socket pair made through a listening socket at a
 * temporary path (a named pipe on Windows), whose accepted end goes to the child as its stdio
 * (stdout, fd 3…) and whose connected end is read here. Our copies of the child's ends are
 * to be destroyed once it is spawned. Both ends start paused, so nothing is lost before a
 * consumer subscribes.
 */
export async function openSocketOutputs(count: number): Promise<{ childEnds: net.Socket[]; outputs: SocketOutput[] }> {
  const childEnds: net.Socket[] = [];
  const outputs: SocketOutput[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const { childEnd, output } = await socketPair();
      childEnds.push(childEnd);
      outputs.push(output);
    }
  } catch (error) {
    for (const socket of [...childEnds, ...outputs.map((o) => o.socket)]) socket.destroy();
    throw error;
  }
  return { childEnds, outputs };
}

async function socketPair(): Promise<{ childEnd: net.Socket; output: SocketOutput }> {
  const name = `sluice-${process.pid}-${++lastSocket}`;
  const path = process.platform === 'win32' ? `\\\\.\\pipe\\${name}` : join(tmpdir(), `${name}.sock`);
  const server = net.createServer({ pauseOnConnect: true });
  server.listen(path);
  try {
    await once(server, 'listening');
    let handler: (chunk: Uint8Array) => void = () => undefined;
    let target: () => Uint8Array | null = () => null;
    const reused = Buffer.allocUnsafe(READ_BYTES);
    const accepted = once(server, 'connection') as Promise<[net.Socket]>;
    const socket = net.connect({
      path,
      onread: {
        // Asked before each read: the consumer's memory when it offers some, else the reused buffer.
        buffer: () => target() ?? reused,
        callback: (bytes: number, into: Uint8Array) => {
          handler(into.subarray(0, bytes));
          // Reading goes on (false would pause the socket; the consumer pauses it itself).
          return true;
        },
      },
    });
    socket.pause();
    const [childEnd] = await accepted;
    const output: SocketOutput = {
      socket,
      subscribe: (onChunk) => (handler = onChunk),
      readInto: (offer) => (target = offer),
    };
    return { childEnd, output };
  } finally {
    server.close();
    if (process.platform !== 'win32') await rm(path, { force: true });
  }
}
