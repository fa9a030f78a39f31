/** Values of Arrow columns as plain JS, and short previews of them for error messages. */
import type { Table, Vector } from 'apache-arrow';

type ArrowColumn = Vector;

/** The column `name` of a table, or undefined. */
export function column(table: Table, name: string): ArrowColumn | undefined {
  return table.schema.fields.some((f) => f.name === name) ? (table.getChild(name) ?? undefined) : undefined;
}

function isVector(value: object): value is Vector {
  return typeof (value as { toArray?: unknown }).toArray === 'function' && typeof (value as { getChild?: unknown }).getChild === 'function';
}

/** A list cell (an Arrow Vector) as its typed array or array; other values as they are. */
export function listValues(value: unknown): ArrayLike<unknown> | null {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value) || ArrayBuffer.isView(value)) return value as unknown as ArrayLike<unknown>;
  if (typeof value === 'object' && isVector(value)) return value.toArray() as ArrayLike<unknown>;
  return null;
}

/** An Arrow cell as JSON-ready JS: lists as arrays, structs as objects, bigints as numbers (or strings past 2^53). */
export function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : String(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value.toISOString();
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number | bigint>, plain);
  if (Array.isArray(value)) return value.map(plain);
  if (isVector(value)) return Array.from(value.toArray() as ArrayLike<unknown>, plain);
  const json = (value as { toJSON?: () => unknown }).toJSON;
  const object = typeof json === 'function' ? (json.call(value) as Record<string, unknown>) : (value as Record<string, unknown>);
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, plain(v)]));
}

/** A value in a few words: `"abc…" (a string)`, `3.5 (a number)`, `a list of 5`. */
export function preview(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return `${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)} (a string)`;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return `${String(value)} (a ${typeof value})`;
  const list = listValues(value);
  if (list) return `a list of ${list.length}`;
  return 'an object';
}
