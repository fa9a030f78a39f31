import type { Readable } from 'node:stream';
import type { ListedFile, ObjectStore, PathInfo } from './object-store.js';
import { joinS3 } from './s3-url.js';
import type { StorageOptions } from './storage-options.js';

/**
 * The S3 store of some options, made on first use: the AWS SDK takes 100-150 ms to import, and
 * every worker thread imports the readers, so a job that never names an `s3://` path (most
 * local jobs) never loads it.
 */
export class LazyS3Store implements ObjectStore {
  private store: Promise<ObjectStore> | null = null;

  constructor(private readonly options: StorageOptions) {}

  private loaded(): Promise<ObjectStore> {
    this.store ??= Promise.all([import('./s3-store.js'), import('./s3-client.js')]).then(
      ([{ S3Store }, { makeS3Client }]) => new S3Store(makeS3Client(this.options)),
    );
    return this.store;
  }

  async stat(path: string): Promise<PathInfo> {
    return (await this.loaded()).stat(path);
  }
  async list(dir: string): Promise<ListedFile[]> {
    return (await this.loaded()).list(dir);
  }
  async glob(base: string, pattern: string): Promise<ListedFile[]> {
    return (await this.loaded()).glob(base, pattern);
  }
  async read(path: string): Promise<Uint8Array> {
    return (await this.loaded()).read(path);
  }
  async readRange(path: string, start: number, end: number): Promise<Uint8Array> {
    return (await this.loaded()).readRange(path, start, end);
  }
  async readStream(path: string, start?: number, end?: number): Promise<Readable> {
    return (await this.loaded()).readStream(path, start, end);
  }
  async blob(path: string): Promise<Blob> {
    return (await this.loaded()).blob(path);
  }
  async write(path: string, bytes: Uint8Array): Promise<void> {
    return (await this.loaded()).write(path, bytes);
  }
  async remove(path: string): Promise<boolean> {
    return (await this.loaded()).remove(path);
  }
  async removeByPrefix(dir: string, prefix: string, options: { finished: boolean }): Promise<void> {
    return (await this.loaded()).removeByPrefix(dir, prefix, options);
  }
  async prepareDir(dir: string): Promise<void> {
    return (await this.loaded()).prepareDir(dir);
  }
  join(dir: string, name: string): string {
    return joinS3(dir, name);
  }
  normalize(path: string): string {
    return path;
  }
}
