import type { FileFormatModule } from 'sluice';
import { runToolToEnd } from '../ffmpeg/run-tool.js';
import { parseFfprobeJson } from './ffprobe-json.js';
import { probeTable } from './probe-table.js';
import { videoProbeRow } from './video-probe-row.js';

/** probeVideos' format: one ffprobe run per file, on a task-pool worker; a file that ffprobe cannot read throws with its stderr tail. */
export const probeFormat: FileFormatModule = {
  async read(task) {
    const { path } = task.fragment;
    // 'file:' keeps a name that starts with '-' or holds a protocol prefix ('concat:', 'http:') a plain local file.
    const json = await runToolToEnd('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', `file:${path}`], {
      signal: task.signal,
    });
    return probeTable([videoProbeRow(path, parseFfprobeJson(json.toString('utf8')))]);
  },
};
