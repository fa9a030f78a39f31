import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { redactSecrets } from '../redact.js';
import type { RunMonitor } from '../run-monitor.js';
import { dashboardAsset, livePageHtml, type DashboardAssetName } from './page-html.js';

/** Where the dashboard listens (the `dashboard` setting, resolved). */
export interface DashboardAddress {
  readonly port: number;
  readonly host: string;
}

/** Runs the page lists: the newest, so that a process running many jobs does not hold them all. */
const MAX_RUNS = 50;
/** A comment line on idle event streams, so that proxies and browsers keep them open. */
const KEEP_ALIVE_MS = 15_000;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);
const ASSETS = new Set<string>(['uplot.js', 'uplot.css', 'dashboard.js'] satisfies DashboardAssetName[]);

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  // The URL may carry the token: it must not leak to other sites.
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
  'cache-control': 'no-store',
};

/**
 * The live page of this process's jobs (README "Watching a job"): one HTTP server per process,
 * started by the first job that asks for it, never keeping the process alive (it and its
 * connections are unref'd). Routes: `/` (the page), `/assets/*`, `/api/runs` (the runs, newest
 * last), `/api/runs/<jobId>` (a run's whole view) and `/api/events` (Server-Sent Events: `run`
 * when a run starts, `update` at most twice a second per running run). Bound to loopback by
 * default; on any other host every request but the page's assets needs the token printed with the URL. Everything
 * served passes through redactSecrets. A bad request gets its status code; nothing a request
 * does can fail a job.
 */
export class DashboardServer {
  private readonly runs = new Map<number, RunMonitor>();
  private readonly streams = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly token: string | null,
  ) {
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      try {
        this.handle(req, res);
      } catch (error) {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`internal error: ${redactSecrets(String(error))}`);
      }
    });
    const keepAlive = setInterval(() => this.broadcast(': keep-alive\n\n'), KEEP_ALIVE_MS);
    keepAlive.unref();
  }

  static async start(address: DashboardAddress): Promise<DashboardServer> {
    const server = createServer();
    // Neither the server nor an open page keeps a finished script's process alive.
    server.on('connection', (socket) => socket.unref());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(address.port, address.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.unref();
    const { port } = server.address() as AddressInfo;
    const token = LOOPBACK.has(address.host) ? null : randomBytes(16).toString('hex');
    const host = address.host.includes(':') ? `[${address.host}]` : address.host;
    return new DashboardServer(server, `http://${host}:${port}/${token === null ? '' : `?token=${token}`}`, token);
  }

  /** Shows `monitor`'s run, and streams its updates to open pages. */
  add(monitor: RunMonitor): void {
    this.runs.set(monitor.jobId, monitor);
    for (const jobId of this.runs.keys()) {
      if (this.runs.size <= MAX_RUNS) break;
      this.runs.delete(jobId);
    }
    this.send('run', monitor.summary());
    const unsubscribe = monitor.subscribe((update) => {
      this.send('update', update);
      if (update.outcome !== 'running') unsubscribe();
    });
  }

  close(): Promise<void> {
    for (const stream of this.streams) stream.end();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://dashboard');
    } catch {
      return plain(res, 400, 'malformed request URL');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'only GET');
    const path = url.pathname;
    // The page's code and styles, the same for everyone (the page's own <script src> cannot carry the token): no run data.
    if (path.startsWith('/assets/')) {
      const name = path.slice('/assets/'.length);
      if (!ASSETS.has(name)) return plain(res, 404, `no asset ${name}`);
      const asset = dashboardAsset(name as DashboardAssetName);
      return send(res, 200, asset.type, asset.body);
    }
    if (!this.authorized(url)) return plain(res, 401, 'this dashboard needs the token printed with its URL: ?token=…');
    if (path === '/' || path === '/index.html') return send(res, 200, 'text/html; charset=utf-8', livePageHtml());
    if (path === '/api/runs')
      return json(
        res,
        [...this.runs.values()].map((run) => run.summary()),
      );
    const run = /^\/api\/runs\/(\d{1,9})$/.exec(path);
    if (run !== null) {
      const monitor = this.runs.get(Number(run[1]));
      return monitor === undefined ? plain(res, 404, `no run ${run[1]}`) : json(res, monitor.view());
    }
    if (path === '/api/events') return this.openStream(req, res);
    return plain(res, 404, `nothing at ${path}`);
  }

  private authorized(url: URL): boolean {
    if (this.token === null) return true;
    const given = Buffer.from(url.searchParams.get('token') ?? '');
    const expected = Buffer.from(this.token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private openStream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive' });
    res.write(': sluice\n\n');
    this.streams.add(res);
    req.on('close', () => this.streams.delete(res));
  }

  private send(event: string, data: object): void {
    if (this.streams.size === 0) return;
    this.broadcast(`event: ${event}\ndata: ${redactSecrets(JSON.stringify(data))}\n\n`);
  }

  private broadcast(text: string): void {
    for (const stream of this.streams) stream.write(text);
  }
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type });
  res.end(body);
}

function plain(res: ServerResponse, status: number, message: string): void {
  send(res, status, 'text/plain; charset=utf-8', `${message}\n`);
}

function json(res: ServerResponse, value: unknown): void {
  send(res, 200, 'application/json; charset=utf-8', redactSecrets(JSON.stringify(value)));
}
