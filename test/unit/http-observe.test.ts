/**
 * The API's request middleware on a small Hono app: metrics labelled by the matched route (never
 * the raw path), one log line per request with the ids from the path and no headers.
 */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { observeRequests } from '../../src/observability/http';
import { createLogger } from '../../src/observability/logger';
import { createMetrics } from '../../src/observability/metrics';

function app() {
  const metrics = createMetrics();
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (s: string) => void lines.push(JSON.parse(s)) } });
  const a = new Hono();
  a.use('*', observeRequests({ metrics, logger }));
  a.get('/v1/batches/:batchId', (c) => c.json({ id: c.req.param('batchId') }));
  a.get('/boom', () => {
    throw new Error('broken');
  });
  a.onError((_err, c) => c.json({ title: 'internal' }, 500));
  return { a, metrics, lines };
}

describe('when the API answers requests', () => {
  it('then requests are counted by method, matched route and status, and timed', async () => {
    const { a, metrics } = app();
    await a.request('/v1/batches/b1');
    await a.request('/v1/batches/b2');
    await a.request('/nowhere');
    const text = await metrics.registry.metrics();
    expect(text).toContain('krithi_api_requests_total{method="GET",route="/v1/batches/:batchId",status="200"} 2');
    expect(text).toContain('krithi_api_requests_total{method="GET",route="unmatched",status="404"} 1');
    expect(text).toContain('krithi_api_request_duration_seconds_count{method="GET",route="/v1/batches/:batchId"} 2');
    expect(text).not.toContain('b1');
  });

  it('then each request logs one line with the batch id from the path and never the authorization header', async () => {
    const { a, lines } = app();
    await a.request('/v1/batches/b1', { headers: { authorization: 'Bearer tok_live_0123456789abcdef' } });
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'info',
        msg: 'api request',
        batchId: 'b1',
        http: expect.objectContaining({ method: 'GET', route: '/v1/batches/:batchId', path: '/v1/batches/b1', status: 200 }),
      }),
    ]);
    expect(JSON.stringify(lines)).not.toContain('tok_live');
  });

  it('then a handler failure is logged at error and counted as 500', async () => {
    const { a, metrics, lines } = app();
    expect((await a.request('/boom')).status).toBe(500);
    expect(lines[0]).toMatchObject({ level: 'error', http: { status: 500, route: '/boom' } });
    expect(await metrics.registry.metrics()).toContain('krithi_api_requests_total{method="GET",route="/boom",status="500"} 1');
  });
});
