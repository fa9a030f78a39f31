import { DataType, type Field, type Schema } from 'apache-arrow';

/**
 * Exactly the same schema: names, nullability, metadata and types down to their children's
 * fields, so that one schema message (or one Table) serves both. Neither `sameType` (a type's string leaves out
 * its children's names and nullability) nor Arrow's `compareSchemas` (it leaves out metadata,
 * and a decimal's precision and scale) is exact.
 */
export function sameSchema(a: Schema, b: Schema): boolean {
  return a === b || (sameMetadata(a.metadata, b.metadata) && sameFields(a.fields, b.fields));
}

function sameFields(a: readonly Field[], b: readonly Field[]): boolean {
  return a.length === b.length && a.every((field, i) => sameField(field, b[i]));
}

/** The same name, nullability, metadata and type, down to the type's children. */
export function sameField(a: Field, b: Field): boolean {
  return (
    a === b ||
    (a.name === b.name &&
      a.nullable === b.nullable &&
      sameMetadata(a.metadata, b.metadata) &&
      sameTypes(a.type as object, b.type as object))
  );
}

/** Same class and the same own properties (bit width, unit, list size, ...), children compared as fields. */
function sameTypes(a: object, b: object): boolean {
  if (a === b) return true;
  if (a.constructor !== b.constructor) return false;
  const [own, other]: Record<string, unknown>[] = [{ ...a }, { ...b }];
  const keys = Object.keys(own);
  if (keys.length !== Object.keys(other).length) return false;
  for (const key of keys) {
    const [x, y] = [own[key], other[key]];
    if (key === 'children') {
      if (!sameFields(x as Field[], y as Field[])) return false;
    } else if (x instanceof DataType) {
      if (!(y instanceof DataType) || !sameTypes(x, y)) return false;
    } else if (ArrayBuffer.isView(x) || Array.isArray(x)) {
      if (!Array.isArray(y) && !ArrayBuffer.isView(y)) return false;
      if (Array.from(x as ArrayLike<unknown>).join() !== Array.from(y as ArrayLike<unknown>).join()) return false;
    } else if (x !== y) return false;
  }
  return true;
}

function sameMetadata(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [key, value] of a) if (b.get(key) !== value) return false;
  return true;
}
