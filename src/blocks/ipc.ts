import { tableFromIPC, tableToIPC } from 'apache-arrow';
import type { Block } from './block.js';

/**
 * Arrow IPC stream bytes of a block, in an ArrayBuffer of its own so that it can be
 * moved to another thread in a transfer list instead of copied.
 */
export function blockToIpc(block: Block): ArrayBuffer {
  const bytes = tableToIPC(block, 'stream');
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) {
    return bytes.buffer;
  }
  return bytes.slice().buffer as ArrayBuffer;
}

export function blockFromIpc(buffer: ArrayBuffer): Block {
  return tableFromIPC(new Uint8Array(buffer));
}
