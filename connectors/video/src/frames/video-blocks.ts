import {
  Binary,
  Field,
  Float32,
  Float64,
  Int32,
  List,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Utf8,
  type Data,
  type DataType,
} from 'apache-arrow';
import type { AudioArgs } from '../audio/audio-args.js';
import type { AudioSegment } from '../audio/audio-segmenter.js';
import type { FrameFormat } from './frame-args.js';
import type { DecodedFrame } from './frame-pairing.js';

const FRAME_FIELDS = [
  new Field('path', new Utf8(), false),
  new Field('frameIndex', new Int32(), false),
  new Field('timestampMs', new Float64(), false),
  new Field('width', new Int32(), false),
  new Field('height', new Int32(), false),
  new Field('format', new Utf8(), false),
  new Field('data', new Binary(), false),
];

const AUDIO_FIELDS = [
  new Field('path', new Utf8(), false),
  new Field('segmentIndex', new Int32(), false),
  new Field('startMs', new Float64(), false),
  new Field('endMs', new Float64(), false),
  new Field('sampleRate', new Int32(), false),
  new Field('channels', new Int32(), false),
  new Field('samples', new List(new Field('item', new Float32(), false)), false),
];

/**
 * readVideos' rows when it decodes audio too: frames and segments in one dataset, told apart
 * by `kind`; each block has every column, the other kind's null.
 */
const MIXED_FIELDS = [new Field('kind', new Utf8(), false), ...FRAME_FIELDS, ...AUDIO_FIELDS.filter((f) => f.name !== 'path')].map((f) =>
  f.name === 'kind' || f.name === 'path' ? f : new Field(f.name, f.type, true),
);

/** A block of frames: the frames' bytes are copied into the block's data buffer (but for one frame, which is its buffer). */
export function frameBlock(path: string, frames: readonly DecodedFrame[], format: FrameFormat, mixed: boolean): Table {
  const n = frames.length;
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i] + frames[i].data.length;
  // A block of one frame (a large raw frame) holds the frame's own memory: no copy.
  const bytes = n === 1 ? frames[0].data : new Uint8Array(offsets[n]);
  if (n > 1) frames.forEach((frame, i) => bytes.set(frame.data, offsets[i]));
  const columns: Record<string, Data> = {
    path: repeated(path, n),
    frameIndex: int32(frames.map((f) => f.frameIndex)),
    timestampMs: float64(frames.map((f) => f.timestampMs)),
    width: int32(frames.map((f) => f.width)),
    height: int32(frames.map((f) => f.height)),
    format: repeated(format, n),
    data: makeData({ type: new Binary(), length: n, nullCount: 0, valueOffsets: offsets, data: bytes }),
  };
  return table(mixed ? MIXED_FIELDS : FRAME_FIELDS, columns, n, mixed ? 'frame' : null);
}

/** A block of audio segments, their samples as List<Float32>. */
export function audioBlock(path: string, segments: readonly AudioSegment[], audio: AudioArgs, mixed: boolean): Table {
  const n = segments.length;
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i] + segments[i].samples.length;
  const values = new Float32Array(offsets[n]);
  segments.forEach((s, i) => values.set(s.samples, offsets[i]));
  const item = makeData({ type: new Float32(), length: values.length, nullCount: 0, data: values });
  const columns: Record<string, Data> = {
    path: repeated(path, n),
    segmentIndex: int32(segments.map((s) => s.segmentIndex)),
    startMs: float64(segments.map((s) => s.startMs)),
    endMs: float64(segments.map((s) => s.endMs)),
    sampleRate: int32(segments.map(() => audio.sampleRate)),
    channels: int32(segments.map(() => audio.channels)),
    samples: makeData({
      type: new List(new Field('item', new Float32(), false)),
      length: n,
      nullCount: 0,
      valueOffsets: offsets,
      child: item,
    }),
  };
  return table(mixed ? MIXED_FIELDS : AUDIO_FIELDS, columns, n, mixed ? 'audio' : null);
}

function table(fields: readonly Field[], columns: Record<string, Data>, n: number, kind: string | null): Table {
  const children = fields.map((f) => (f.name === 'kind' ? repeated(kind!, n) : (columns[f.name] ?? nulls(f.type as DataType, n))));
  const data = makeData({ type: new Struct([...fields]), length: n, nullCount: 0, children });
  const schema = new Schema([...fields]);
  return new Table(schema, [new RecordBatch(schema, data)]);
}

function repeated(value: string, n: number): Data {
  const encoded = Buffer.from(value, 'utf8');
  const offsets = new Int32Array(n + 1);
  const bytes = new Uint8Array(encoded.length * n);
  for (let i = 0; i < n; i++) {
    bytes.set(encoded, i * encoded.length);
    offsets[i + 1] = (i + 1) * encoded.length;
  }
  return makeData({ type: new Utf8(), length: n, nullCount: 0, valueOffsets: offsets, data: bytes });
}

function int32(values: readonly number[]): Data {
  return makeData({ type: new Int32(), length: values.length, nullCount: 0, data: Int32Array.from(values) });
}

function float64(values: readonly number[]): Data {
  return makeData({ type: new Float64(), length: values.length, nullCount: 0, data: Float64Array.from(values) });
}

/** A column of nulls of a type (the other kind's columns in a mixed block). */
function nulls(type: DataType, n: number): Data {
  const nullBitmap = new Uint8Array(Math.ceil(n / 8));
  if (type instanceof List) {
    const item = makeData({ type: new Float32(), length: 0, nullCount: 0, data: new Float32Array(0) });
    return makeData({ type: type as List<Float32>, length: n, nullCount: n, nullBitmap, valueOffsets: new Int32Array(n + 1), child: item });
  }
  if (type instanceof Utf8)
    return makeData({ type, length: n, nullCount: n, nullBitmap, valueOffsets: new Int32Array(n + 1), data: new Uint8Array(0) });
  if (type instanceof Binary)
    return makeData({ type, length: n, nullCount: n, nullBitmap, valueOffsets: new Int32Array(n + 1), data: new Uint8Array(0) });
  const data = type instanceof Int32 ? new Int32Array(n) : new Float64Array(n);
  return makeData({ type: type as Int32 | Float64, length: n, nullCount: n, nullBitmap, data } as never);
}
