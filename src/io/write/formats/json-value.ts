/**
 * JSON text for the plain values rows hold. JSON.stringify cannot write bigints (and would
 * write a Float32Array as an object of indices), so values are written here: bigints as
 * exact integer literals, binary as a base64 string, typed arrays as arrays of numbers,
 * dates as ISO strings, structs and lists recursively.
 */
export function jsonValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (value instanceof Uint8Array) return JSON.stringify(base64Of(value));
  if (ArrayBuffer.isView(value)) return `[${Array.from(value as unknown as ArrayLike<number>, jsonValue).join(',')}]`;
  if (Array.isArray(value)) return `[${value.map(jsonValue).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value);
  return `{${Object.entries(value)
    .map(([key, v]) => `${JSON.stringify(key)}:${jsonValue(v)}`)
    .join(',')}}`;
}

export function base64Of(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
