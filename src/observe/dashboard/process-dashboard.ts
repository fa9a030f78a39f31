import type { DashboardAddress, DashboardServer } from './dashboard-server.js';

/**
 * The process's one dashboard. The HTTP server and the page are loaded by the first job that
 * asks for a dashboard: other processes never import them.
 */
let running: Promise<DashboardServer | null> | null = null;

/**
 * The process's dashboard, started on first use at `address` (its URL printed once on stderr).
 * A later job asking for another address gets the running one. Null when it cannot listen
 * (the port is taken): said once on stderr, and jobs run without it.
 */
export function processDashboard(address: DashboardAddress): Promise<DashboardServer | null> {
  running ??= import('./dashboard-server.js')
    .then(({ DashboardServer }) => DashboardServer.start(address))
    .then(
      (dashboard) => {
        process.stderr.write(`sluice: dashboard at ${dashboard.url}\n`);
        return dashboard;
      },
      (error: unknown) => {
        const code = (error as NodeJS.ErrnoException).code ?? String(error);
        process.stderr.write(
          `sluice: the dashboard cannot listen on ${address.host}:${address.port} (${code}); jobs run without it. ` +
            'Give another port (dashboard: {port}) or 0 for a free one.\n',
        );
        return null;
      },
    );
  return running;
}

/**
 * The URL of this process's dashboard (with its token, when it needs one), once a job with the
 * `dashboard` setting has started it; null before, or when it could not listen.
 */
export async function dashboardUrl(): Promise<string | null> {
  return running === null ? null : ((await running)?.url ?? null);
}
