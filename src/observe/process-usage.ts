/** The driver process's resident memory and CPU, sampled: CPU is the share of one core used since the previous sample. */
export class ProcessUsage {
  private lastCpu = process.cpuUsage();
  private lastTime = performance.now();

  sample(): { rssBytes: number; cpuPercent: number } {
    const now = performance.now();
    const cpu = process.cpuUsage(this.lastCpu);
    const elapsedMs = now - this.lastTime;
    this.lastCpu = process.cpuUsage();
    this.lastTime = now;
    // cpuUsage counts every thread of the process (worker threads, actors), in microseconds.
    const cpuPercent = elapsedMs > 0 ? ((cpu.user + cpu.system) / 1000 / elapsedMs) * 100 : 0;
    return { rssBytes: process.memoryUsage.rss(), cpuPercent: Math.round(cpuPercent) };
  }
}
