/**
 * The columns of one Insert/Upsert request, joined from runs of rows of one or more batches
 * (with the same columns): scalars as FieldData messages for the SDK's encoder, vectors as
 * encoded bytes to append (field-bytes.ts).
 */
import { fieldsDataEntry, vectorFieldData } from './field-bytes.js';
import type { ColumnPart, PreparedBatch } from './prepared-batch.js';
import { DYNAMIC_FIELD, SCALAR_KEYS } from './scalar-keys.js';

/** Rows [start, end) of a batch. */
export interface Segment {
  readonly batch: PreparedBatch;
  readonly start: number;
  readonly end: number;
}

/** One column of a request (milvus.proto.schema.FieldData), as the SDK's encoder takes it. */
export interface FieldDataMessage {
  readonly type: string;
  readonly field_name: string;
  readonly is_dynamic: boolean;
  readonly valid_data: boolean[];
  readonly scalars: Record<string, unknown>;
}

export interface RequestColumns {
  readonly messages: FieldDataMessage[];
  /** `fields_data` entries already encoded, to append to the encoded request. */
  readonly encoded: Uint8Array[];
}

export function segmentRows(segments: readonly Segment[]): number {
  return segments.reduce((n, s) => n + s.end - s.start, 0);
}

export function requestColumns(segments: readonly Segment[]): RequestColumns {
  const bySegment = segments.map((s) => s.batch.parts(s.start, s.end));
  const out: RequestColumns = { messages: [], encoded: [] };
  bySegment[0].forEach((first, c) => {
    const parts = bySegment.map((p) => p[c]);
    if (first.kind === 'vector') {
      const vectors = parts as Extract<ColumnPart, { kind: 'vector' }>[];
      const data = vectors.length === 1 ? vectors[0].data : Buffer.concat(vectors.map((v) => v.data));
      const { type, name, dim } = first.field;
      out.encoded.push(
        ...fieldsDataEntry(
          vectorFieldData(
            type,
            name,
            dim,
            data,
            vectors.flatMap((v) => v.valid),
          ),
        ),
      );
    } else if (first.kind === 'scalar') {
      const scalars = parts as Extract<ColumnPart, { kind: 'scalar' }>[];
      const data = scalars.flatMap((p) => p.values);
      const { type, name, elementType } = first.field;
      out.messages.push({
        type,
        field_name: name,
        is_dynamic: false,
        valid_data: scalars.flatMap((p) => p.valid),
        scalars: type === 'Array' ? { array_data: { data, element_type: elementType } } : { [SCALAR_KEYS[type]]: { data } },
      });
    } else {
      const data = (parts as Extract<ColumnPart, { kind: 'dynamic' }>[]).flatMap((p) => p.values);
      out.messages.push({ type: 'JSON', field_name: DYNAMIC_FIELD, is_dynamic: true, valid_data: [], scalars: { json_data: { data } } });
    }
  });
  return out;
}

/** The segments split at their middle row (a request the server found too large). */
export function halves(segments: readonly Segment[]): [Segment[], Segment[]] {
  let left = Math.floor(segmentRows(segments) / 2);
  const first: Segment[] = [];
  const second: Segment[] = [];
  for (const s of segments) {
    const rows = s.end - s.start;
    if (left >= rows) first.push(s);
    else if (left <= 0) second.push(s);
    else {
      first.push({ ...s, end: s.start + left });
      second.push({ ...s, start: s.start + left });
    }
    left -= rows;
  }
  return [first, second];
}

/** Where row `index` of a request came from. */
export function locate(segments: readonly Segment[], index: number): { batch: PreparedBatch; row: number } {
  let rest = index;
  for (const s of segments) {
    if (rest < s.end - s.start) return { batch: s.batch, row: s.start + rest };
    rest -= s.end - s.start;
  }
  throw new RangeError(`row ${index} is past the request's ${segmentRows(segments)} rows`);
}
