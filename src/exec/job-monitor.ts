import { writeFile } from 'node:fs/promises';
import type { RunOutcome, RunView } from '../observe/dashboard/client/run-view.js';
import { reportHtml } from '../observe/dashboard/page-html.js';
import { processDashboard } from '../observe/dashboard/process-dashboard.js';
import { RunMonitor } from '../observe/run-monitor.js';
import type { PhysicalOp } from '../plan/physical.js';
import type { BlockQueue } from './block-queue.js';
import type { Job } from './job.js';
import { planView } from './plan-view.js';

/** Starts sampling a job for its report and, when the job's settings ask for it, shows it on the process's dashboard. */
export async function startJobMonitor(
  job: Job,
  ops: readonly PhysicalOp[],
  outputs: ReadonlyMap<PhysicalOp, BlockQueue>,
): Promise<RunMonitor> {
  const { settings } = job;
  const plan = planView(ops);
  const monitor = new RunMonitor({
    jobId: job.id,
    cpus: job.resources.cpus,
    memoryBudget: settings.memoryBudget,
    plan,
    operators: ops.map((op, id) => {
      const output = outputs.get(op)!;
      return {
        node: plan[id],
        stats: job.statsFor(op),
        queued: () => ({ blocks: output.queuedBlocks, bytes: output.queuedBytes }),
        backpressureMs: () => output.blockedMs,
        activeTasks: () => job.activeTasks(op),
        actors: () => job.actorLoad(op),
      };
    }),
    heldBytes: () => job.resources.memory.heldBytes,
    stuck: () => job.watch.stuck(),
    workers: settings.cluster === null ? null : () => job.clusterWorkers(),
  });
  job.events.listen(monitor.onEvent);
  monitor.start();
  if (settings.dashboard !== null) (await processDashboard(settings.dashboard))?.add(monitor);
  return monitor;
}

/**
 * Ends the job's time line and writes its report when `report` is set. A report that cannot be
 * written is said on stderr: the job's own work is done by then, and stands.
 */
export async function finishJobMonitor(
  job: Job,
  monitor: RunMonitor,
  outcome: Exclude<RunOutcome, 'running'>,
  error: unknown,
): Promise<RunView> {
  monitor.end(outcome, error);
  const view = monitor.view();
  const path = job.settings.report;
  if (path !== null) {
    await writeFile(path, reportHtml(view)).catch((failure: unknown) =>
      process.stderr.write(
        `sluice: cannot write the run's report to ${path}: ${String(failure)}; check the directory and its permissions\n`,
      ),
    );
  }
  return view;
}
