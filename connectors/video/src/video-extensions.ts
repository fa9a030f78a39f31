/** The extensions that probeVideos and the video readers take from directories and globs by default. */
export const VIDEO_EXTENSIONS: readonly string[] = [
  'mp4',
  'm4v',
  'mov',
  'mkv',
  'webm',
  'avi',
  'mpg',
  'mpeg',
  'ts',
  'm2ts',
  'wmv',
  'flv',
  '3gp',
  'ogv',
];
