/**
 * The share of a video one stream decodes, as planned on the main thread (plain data: it is a
 * fragment's `part`). A long file is cut at keyframes into parts of about `secondsPerTask`;
 * each part seeks to its keyframe and keeps the frames in [from, until), so that every frame
 * falls in exactly one part whatever its timestamp's rounding.
 */
export interface VideoPart {
  readonly [key: string]: number | boolean | null;
  /** Seconds: frames with from <= t < until are this part's; null: unbounded. */
  readonly from: number | null;
  readonly until: number | null;
  /** Where to seek (seconds, just past the part's keyframe), or null to decode from the start. */
  readonly seekTo: number | null;
  /**
   * The earliest keyframe the seek may land on: ffmpeg seeks 3/23 s earlier than asked in
   * formats that index by decode time when the video has B-frames. Decoding runs from there.
   */
  readonly seekFloor: number | null;
  /** The index of the part's first frame in the video stream (frames before `from`). */
  readonly firstIndex: number;
  /** Time of the last frame before `from` (seconds), so that `fps` sampling picks what one pass would; null: none. */
  readonly prevTime: number | null;
  /** Whether the file has an audio stream; null when not probed. */
  readonly hasAudio: boolean | null;
  /** The file's start time (seconds): ffmpeg's seeks count from it, its timestamps do not. */
  readonly fileStart: number;
}

/** A whole file, not probed: frames from the start. */
export const WHOLE_FILE: VideoPart = {
  from: null,
  until: null,
  seekTo: null,
  seekFloor: null,
  firstIndex: 0,
  prevTime: null,
  hasAudio: null,
  fileStart: 0,
};
