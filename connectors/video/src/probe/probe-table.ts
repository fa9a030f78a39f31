import {
  Field,
  Float64,
  Int32,
  List,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Utf8,
  vectorFromArray,
  type DataType,
} from 'apache-arrow';
import type { VideoProbeRow } from './video-probe-row.js';

const AUDIO = new Struct([
  new Field('codec', new Utf8(), true),
  new Field('sampleRate', new Int32(), true),
  new Field('channels', new Int32(), true),
]);

/** The columns of probeVideos, typed here so that every file's block has the same schema whatever it holds. */
const COLUMNS: readonly (readonly [keyof VideoProbeRow, DataType, boolean])[] = [
  ['path', new Utf8(), false],
  ['durationSeconds', new Float64(), true],
  ['container', new Utf8(), false],
  ['videoCodec', new Utf8(), true],
  ['width', new Int32(), true],
  ['height', new Int32(), true],
  ['fps', new Float64(), true],
  ['rotation', new Int32(), true],
  ['frameCount', new Int32(), true],
  ['bitRate', new Float64(), true],
  ['audio', new List(new Field('item', AUDIO, true)), false],
];

/** Probe rows as an Arrow table with probeVideos' schema. */
export function probeTable(rows: readonly VideoProbeRow[]): Table {
  const fields = COLUMNS.map(([name, type, nullable]) => new Field(name, type, nullable));
  const children = COLUMNS.map(([name, type]) => vectorFromArray(rows.map((row) => row[name]) as unknown[], type).data[0]);
  const data = makeData({ type: new Struct(fields), length: rows.length, nullCount: 0, children });
  const schema = new Schema(fields);
  return new Table(schema, [new RecordBatch(schema, data)]);
}
