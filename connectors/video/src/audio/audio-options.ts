import { InvalidOptionError } from 'sluice';
import { positiveInteger, positiveNumber } from '../options.js';
import type { AudioArgs } from './audio-args.js';

/** How audio is decoded and cut (readAudio's options; readVideos' `audio`). Defaults suit speech models (Whisper). */
export interface AudioOptions {
  /** Samples per second. Default 16000. */
  sampleRate?: number;
  /** 1 (mono, default) or more; samples of several channels are interleaved. */
  channels?: number;
  /** Seconds per segment (the last may be shorter). Default 30. */
  segmentSeconds?: number;
  /** Seconds each segment shares with the one before it. Default 0. */
  overlapSeconds?: number;
}

export const AUDIO_OPTIONS = ['sampleRate', 'channels', 'segmentSeconds', 'overlapSeconds'] as const;

export function audioArgs(options: AudioOptions, prefix = ''): AudioArgs {
  const segmentSeconds = positiveNumber(`${prefix}segmentSeconds`, options.segmentSeconds ?? 30);
  const overlapSeconds = options.overlapSeconds ?? 0;
  if (typeof overlapSeconds !== 'number' || !(overlapSeconds >= 0 && overlapSeconds < segmentSeconds))
    throw new InvalidOptionError(`${prefix}overlapSeconds`, overlapSeconds, `seconds >= 0 and below segmentSeconds (${segmentSeconds})`);
  return {
    sampleRate: positiveInteger(`${prefix}sampleRate`, options.sampleRate ?? 16000),
    channels: positiveInteger(`${prefix}channels`, options.channels ?? 1),
    segmentSeconds,
    overlapSeconds,
  };
}
