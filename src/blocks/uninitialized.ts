/** A typed array's constructor, as `uninitialized` calls it. */
export type TypedArrayOf<T> = (new (buffer: ArrayBuffer, byteOffset: number, length: number) => T) & { readonly BYTES_PER_ELEMENT: number };

/**
 * A typed array of `length` elements that the caller fills whole, in a buffer of its own that
 * is not zeroed first: a zeroed one costs a pass over the memory that the copy makes anyway.
 */
export function uninitialized<T extends ArrayBufferView>(type: TypedArrayOf<T>, length: number): T {
  return new type(Buffer.allocUnsafeSlow(length * type.BYTES_PER_ELEMENT).buffer, 0, length);
}
