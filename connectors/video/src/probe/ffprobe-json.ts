/** The parts of `ffprobe -print_format json -show_format -show_streams` that probeVideos reads. */
export interface FfprobeOutput {
  readonly streams: readonly FfprobeStream[];
  readonly format: FfprobeFormat;
}

export interface FfprobeStream {
  readonly codec_type?: string;
  readonly codec_name?: string;
  readonly width?: number;
  readonly height?: number;
  /** Rates as fractions, "30000/1001"; "0/0" when unknown. */
  readonly avg_frame_rate?: string;
  readonly r_frame_rate?: string;
  /** Frames in the stream, when the container records it (mp4 does, Matroska does not). */
  readonly nb_frames?: string;
  readonly sample_rate?: string;
  readonly channels?: number;
  readonly tags?: Readonly<Record<string, string>>;
  readonly side_data_list?: readonly { readonly side_data_type?: string; readonly rotation?: number }[];
  readonly disposition?: Readonly<Record<string, number>>;
}

export interface FfprobeFormat {
  readonly format_name?: string;
  /** Seconds, as text ("3.000000"). */
  readonly duration?: string;
  /** Bits per second, as text. */
  readonly bit_rate?: string;
}

/** ffprobe's JSON, checked for the shape read from it (the fields themselves are read with care where used). */
export function parseFfprobeJson(text: string): FfprobeOutput {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`ffprobe printed no JSON (${(error as Error).message}): ${JSON.stringify(text.slice(0, 200))}`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null) throw new Error('ffprobe printed JSON that is not an object');
  const { streams, format } = parsed as { streams?: unknown; format?: unknown };
  if (typeof format !== 'object' || format === null) throw new Error('ffprobe found no container format in the file');
  return { streams: Array.isArray(streams) ? streams : [], format };
}
