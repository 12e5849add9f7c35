/**
 * One Prometheus endpoint per process, on its own port (never the API's): GET /metrics answers
 * the domain registry followed by the Temporal SDK's own metrics. The SDK's exporter binds a
 * loopback-only port of its own (the core runtime serves it, we cannot add to it), so this
 * endpoint fetches that text and appends it: operators scrape one target per process.
 */
import { freePort } from '../net';
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import type { Config } from '../config';

/** Default ports when METRICS_PORT is unset: worker and demo 9464, the API (serve/start) 9465, so both run on one host. */
export const DEFAULT_METRICS_PORTS = { worker: 9464, demo: 9464, serve: 9465, start: 9465 } as const;
export type MetricsCommand = keyof typeof DEFAULT_METRICS_PORTS;

/** The port this command serves metrics on, or null when they are off (METRICS_PORT=0, or a command without a default). */
export function metricsPortFor(config: Config, command: string): number | null {
  const port = config.metrics.port ?? (DEFAULT_METRICS_PORTS as Record<string, number>)[command];
  return port ? port : null;
}

export interface MetricsServerOptions {
  registry: Registry;
  /** 0 picks a free port (tests). */
  port: number;
  host?: string;
  /** The SDK exporter's text endpoint, appended to every answer when it responds. */
  sdkMetricsUrl?: string;
}

export interface MetricsServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

export async function startMetricsServer(opts: MetricsServerOptions): Promise<MetricsServer> {
  const host = opts.host ?? '127.0.0.1';
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    exposition(opts).then(
      (body) => res.writeHead(200, { 'content-type': opts.registry.contentType }).end(body),
      (err: unknown) =>
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics unavailable: ${(err as Error).message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return {
    port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function exposition(opts: MetricsServerOptions): Promise<string> {
  const [domain, sdk] = await Promise.all([opts.registry.metrics(), opts.sdkMetricsUrl ? fetchSdk(opts.sdkMetricsUrl) : '']);
  return sdk ? `${domain}\n${sdk}` : domain;
}

/** The SDK's exposition, or nothing when its exporter is not (yet) serving: the domain metrics still answer. */
async function fetchSdk(url: string): Promise<string> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return res.ok ? await res.text() : '';
  } catch {
    return '';
  }
}

/** A loopback address with a free port for the SDK's exporter (it cannot report a port it chose itself). */
export async function freeLoopbackAddress(): Promise<string> {
  return `127.0.0.1:${await freePort()}`;
}
