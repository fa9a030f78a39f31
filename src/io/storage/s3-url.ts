/** An `s3://bucket/key` path, split. `key` may be '' (the whole bucket) or end in '/' (a prefix). */
export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

const SCHEME = 's3://';

export function isS3Url(path: string): boolean {
  return path.startsWith(SCHEME);
}

/** The bucket and key of an `s3://` path; null when it names no bucket. */
export function parseS3Url(url: string): S3Location | null {
  if (!isS3Url(url)) return null;
  const rest = url.slice(SCHEME.length);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  if (bucket === '') return null;
  return { bucket, key: slash < 0 ? '' : rest.slice(slash + 1) };
}

export function s3Url(bucket: string, key: string): string {
  return `${SCHEME}${bucket}/${key}`;
}

/** A key as a prefix that lists what is "inside" it: '' (the bucket) or ending in '/'. */
export function dirPrefix(key: string): string {
  return key === '' || key.endsWith('/') ? key : `${key}/`;
}

/** `dir` (an s3:// URL) joined with a name. */
export function joinS3(dir: string, name: string): string {
  return `${dir.replace(/\/+$/, '')}/${name}`;
}
