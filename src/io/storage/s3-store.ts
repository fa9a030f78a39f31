import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import picomatch from 'picomatch';
import { Readable } from 'node:stream';
import type { ListedFile, ObjectStore, PathInfo } from './object-store.js';
import { RangeBlob } from './range-blob.js';
import { isMissingKey, s3Problem } from './s3-problem.js';
import { dirPrefix, joinS3, parseS3Url, s3Url, type S3Location } from './s3-url.js';

/** Parts of a multipart upload: S3's least (5 MiB); a smaller file is one PUT. */
const PART_BYTES = 5 * 1024 * 1024;
const PARTS_IN_FLIGHT = 4;
/** Most keys one DeleteObjects request takes. */
const DELETE_BATCH = 1000;

/**
 * S3 (or an S3-compatible store) as an ObjectStore. A directory is a key prefix ending in '/'.
 * A write is one PUT, or a multipart upload for a large file: either way the object appears
 * only when complete. Reads are ranged GETs where only part of a file is wanted.
 */
export class S3Store implements ObjectStore {
  constructor(private readonly client: Promise<S3Client>) {}

  async stat(url: string): Promise<PathInfo> {
    const at = location(url);
    if (at.key !== '' && !at.key.endsWith('/')) {
      try {
        const head = await (await this.client).send(new HeadObjectCommand({ Bucket: at.bucket, Key: at.key }));
        return { kind: 'file', size: head.ContentLength ?? 0 };
      } catch (error) {
        if (!isMissingKey(error)) throw failure('HEAD', url, at, error);
      }
    }
    // Not an object: a prefix holding some is a directory. A missing bucket shows here (HEAD says only 404).
    // One page of keys (no MaxKeys: 1, which S3-compatible servers such as s3rver answer with an error).
    try {
      const page = await (await this.client).send(new ListObjectsV2Command({ Bucket: at.bucket, Prefix: dirPrefix(at.key) }));
      if ((page.Contents?.length ?? 0) > 0) return { kind: 'dir' };
      return { kind: 'none', problem: at.key === '' ? 'the bucket holds no objects' : 'no object at this key, and no objects below it' };
    } catch (error) {
      if ((error as Error).name === 'NoSuchBucket') return { kind: 'none', problem: s3Problem(error, at.bucket) };
      throw failure('LIST', url, at, error);
    }
  }

  async list(dir: string): Promise<ListedFile[]> {
    const at = location(dir);
    return this.listKeys(dir, at, dirPrefix(at.key), undefined);
  }

  async glob(base: string, pattern: string): Promise<ListedFile[]> {
    const at = location(base);
    const prefix = dirPrefix(at.key);
    // Only keys starting with the pattern's literal head are listed, and only one level of them when it has no '/'.
    const literal = /^[^*?[\]{}()!+@\\/]*/.exec(pattern)![0];
    const files = await this.listKeys(base, at, prefix + literal, pattern.includes('/') ? undefined : '/');
    const matches = picomatch(pattern, { dot: false });
    return files.filter((file) => matches(file.relative));
  }

  private async listKeys(url: string, at: S3Location, prefix: string, delimiter: string | undefined): Promise<ListedFile[]> {
    const client = await this.client;
    const base = dirPrefix(at.key);
    const files: ListedFile[] = [];
    let token: string | undefined;
    do {
      const page = await client
        .send(new ListObjectsV2Command({ Bucket: at.bucket, Prefix: prefix, Delimiter: delimiter, ContinuationToken: token }))
        .catch((error: unknown) => {
          throw failure('LIST', url, at, error);
        });
      for (const object of page.Contents ?? []) {
        // A key ending in '/' is a console's "folder" marker, not a file.
        if (object.Key === undefined || object.Key.endsWith('/')) continue;
        files.push({ path: s3Url(at.bucket, object.Key), relative: object.Key.slice(base.length), size: object.Size ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async read(url: string): Promise<Uint8Array> {
    const body = await this.get(url, undefined);
    return body === null ? new Uint8Array(0) : body.transformToByteArray();
  }

  async readRange(url: string, start: number, end: number): Promise<Uint8Array> {
    if (end <= start) return new Uint8Array(0);
    const body = await this.get(url, `bytes=${start}-${end - 1}`);
    return body === null ? new Uint8Array(0) : body.transformToByteArray();
  }

  async readStream(url: string, start = 0, end?: number): Promise<Readable> {
    if (end !== undefined && end <= start) return Readable.from([]);
    const whole = start === 0 && end === undefined;
    const body = await this.get(url, whole ? undefined : `bytes=${start}-${end === undefined ? '' : end - 1}`);
    return body === null ? Readable.from([]) : (body as unknown as Readable);
  }

  async blob(url: string): Promise<Blob> {
    const info = await this.stat(url);
    if (info.kind !== 'file')
      throw new Error(`cannot read ${url}: ${info.kind === 'none' ? info.problem : 'it is a directory (a prefix)'}`);
    return new RangeBlob((start, end) => this.readRange(url, start, end), info.size).asBlob();
  }

  /** A GET's body; null when the range starts past the end of the object (nothing to read). */
  private async get(url: string, range: string | undefined): Promise<Body | null> {
    const at = location(url);
    try {
      const got = await (await this.client).send(new GetObjectCommand({ Bucket: at.bucket, Key: at.key, Range: range }));
      return got.Body as Body;
    } catch (error) {
      if (range !== undefined && (error as Error).name === 'InvalidRange') return null;
      throw failure('GET', url, at, error);
    }
  }

  async write(url: string, bytes: Uint8Array): Promise<void> {
    const at = location(url);
    const upload = new Upload({
      client: await this.client,
      params: { Bucket: at.bucket, Key: at.key, Body: bytes },
      partSize: PART_BYTES,
      queueSize: PARTS_IN_FLIGHT,
    });
    await upload.done().catch((error: unknown) => {
      throw failure('PUT', url, at, error);
    });
  }

  async remove(url: string): Promise<boolean> {
    const info = await this.stat(url);
    if (info.kind !== 'file') return false;
    const at = location(url);
    await (await this.client).send(new DeleteObjectCommand({ Bucket: at.bucket, Key: at.key })).catch((error: unknown) => {
      throw failure('DELETE', url, at, error);
    });
    return true;
  }

  async removeByPrefix(dir: string, prefix: string, options: { finished: boolean }): Promise<void> {
    const at = location(dir);
    const keyPrefix = dirPrefix(at.key) + prefix;
    await this.abortUploads(dir, at, keyPrefix);
    if (!options.finished) return;
    const keys = (await this.listKeys(dir, at, keyPrefix, undefined)).map((file) => location(file.path).key);
    const client = await this.client;
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH);
      const done = await client
        .send(new DeleteObjectsCommand({ Bucket: at.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }))
        .catch((error: unknown) => {
          throw failure('DELETE', s3Url(at.bucket, keyPrefix), at, error);
        });
      const failed = done.Errors ?? [];
      if (failed.length)
        throw new Error(`cannot delete ${failed.length} objects, e.g. ${s3Url(at.bucket, failed[0].Key ?? '')}: ${failed[0].Code ?? ''}`);
    }
  }

  /**
   * Aborts the multipart uploads left open under the prefix (a worker that died mid-upload leaves
   * its parts). A server that cannot list uploads (NotImplemented: some S3-compatible ones) leaves
   * them to its own expiry rules: the objects they would have made never appear.
   */
  private async abortUploads(dir: string, at: S3Location, keyPrefix: string): Promise<void> {
    const client = await this.client;
    let markers: { KeyMarker?: string; UploadIdMarker?: string } = {};
    for (;;) {
      const page = await client
        .send(new ListMultipartUploadsCommand({ Bucket: at.bucket, Prefix: keyPrefix, ...markers }))
        .catch((error: unknown) => {
          if ((error as Error).name === 'NotImplemented') return null;
          throw failure('LIST UPLOADS', dir, at, error);
        });
      if (page === null) return;
      for (const upload of page.Uploads ?? []) {
        if (upload.Key === undefined || upload.UploadId === undefined) continue;
        await client
          .send(new AbortMultipartUploadCommand({ Bucket: at.bucket, Key: upload.Key, UploadId: upload.UploadId }))
          .catch((error: unknown) => {
            if ((error as Error).name !== 'NoSuchUpload') throw failure('ABORT UPLOAD', s3Url(at.bucket, upload.Key!), at, error);
          });
      }
      if (!page.IsTruncated) return;
      markers = { KeyMarker: page.NextKeyMarker, UploadIdMarker: page.NextUploadIdMarker };
    }
  }

  async prepareDir(dir: string): Promise<void> {
    const at = location(dir);
    await (await this.client).send(new HeadBucketCommand({ Bucket: at.bucket })).catch((error: unknown) => {
      // HEAD has no body: a 404 is all it says.
      const missing = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;
      throw new Error(`cannot write to ${dir}: ${missing ? s3Problem({ name: 'NoSuchBucket' }, at.bucket) : s3Problem(error, at.bucket)}`);
    });
  }

  join(dir: string, name: string): string {
    return joinS3(dir, name);
  }

  normalize(url: string): string {
    return url;
  }
}

/** The SDK's body of a GET in Node: a stream that can also be read whole. */
type Body = { transformToByteArray(): Promise<Uint8Array> } & AsyncIterable<Uint8Array>;

function location(url: string): S3Location {
  const at = parseS3Url(url);
  if (at === null) throw new Error(`not an s3:// path with a bucket: ${JSON.stringify(url)} (write s3://bucket/key)`);
  return at;
}

/** An S3 call's failure as an Error that says which call, on what, and what it means; the SDK's error is not kept (see s3Problem). */
function failure(call: string, url: string, at: S3Location, error: unknown): Error {
  return new Error(`${call} ${url} failed: ${s3Problem(error, at.bucket)}`);
}
