/** readAudio's options (and readVideos' `audio`) as its streams get them (plain data). */
export interface AudioArgs {
  readonly sampleRate: number;
  readonly channels: number;
  readonly segmentSeconds: number;
  readonly overlapSeconds: number;
}
