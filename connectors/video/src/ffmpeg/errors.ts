import { SluiceError } from 'sluice';

/** Neither FFMPEG_PATH/FFPROBE_PATH, nor the system's ffmpeg, nor the npm-shipped binaries gave a working ffmpeg and ffprobe. */
export class FfmpegNotFoundError extends SluiceError {
  override name = 'FfmpegNotFoundError';
}

/**
 * An ffmpeg or ffprobe process that produced nothing on its output pipes for `idleTimeoutMs`
 * while every reader of it was waiting: it was killed (a damaged input, or a pipe nobody drains).
 */
export class ToolTimeoutError extends SluiceError {
  override name = 'ToolTimeoutError';
  constructor(
    readonly tool: string,
    readonly idleTimeoutMs: number,
  ) {
    super(
      `${tool} produced nothing for ${idleTimeoutMs} ms while its output was awaited, so it was killed ` +
        `(a damaged input, or one very slow to decode); raise the read's timeoutMs option if the input is only slow`,
    );
  }
}
