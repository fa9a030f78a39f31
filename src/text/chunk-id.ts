import { createHash } from 'node:crypto';

/** What names a chunk: the document it comes from, the page, and its place there. */
export interface ChunkKey {
  readonly path?: string;
  readonly page?: number;
  readonly chunkIndex: number;
}

/**
 * A chunk's id: the first 128 bits of the SHA-256 of `[path, page, chunkIndex]` as JSON (a
 * missing part as null), in 32 hex digits. It depends on nothing else, so the same chunk of
 * the same file gets the same id on every run and machine, and writing it again upserts the
 * vector instead of adding a second one.
 */
export function chunkId(key: ChunkKey): string {
  return sha256Hex(JSON.stringify([key.path ?? null, key.page ?? null, key.chunkIndex])).slice(0, 32);
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
