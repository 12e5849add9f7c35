/**
 * The cluster stack's frontend proxy (what a load balancer does): new connections go to each
 * upstream in turn; an upstream that refuses is skipped; when an upstream dies its clients'
 * connections are closed, and their next connection reaches a live one. Real sockets on 127.0.0.1.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startFrontendProxy, type FrontendProxy } from '../../src/temporal/frontend-proxy';

/** A TCP server that answers every line with its own name. */
async function upstream(name: string): Promise<{ server: Server; address: string; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('data', () => s.write(`${name}\n`));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { server, address: `127.0.0.1:${port}`, sockets };
}

function ask(address: string): Promise<{ answer: string; socket: Socket }> {
  const [host, port] = address.split(':');
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port: Number(port) });
    socket.once('error', reject);
    socket.once('data', (d) => resolve({ answer: d.toString().trim(), socket }));
    socket.write('who?\n');
  });
}

const closing: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closing.splice(0)) await c();
});

describe('when clients connect through the frontend proxy', () => {
  it('then connections alternate between the frontends', async () => {
    const a = await upstream('a');
    const b = await upstream('b');
    const proxy: FrontendProxy = await startFrontendProxy({ upstreams: [a.address, b.address] });
    closing.push(() => proxy.close(), () => void a.server.close(), () => void b.server.close());
    const answers = [];
    for (let i = 0; i < 4; i++) {
      const { answer, socket } = await ask(proxy.address);
      answers.push(answer);
      closing.push(() => void socket.destroy());
    }
    expect(answers).toEqual(['a', 'b', 'a', 'b']);
    expect(proxy.connections()).toEqual({ [a.address]: 2, [b.address]: 2 });
  });

  it('then a frontend that dies has its clients disconnected, and new connections reach the live one', async () => {
    const a = await upstream('a');
    const b = await upstream('b');
    const proxy = await startFrontendProxy({ upstreams: [a.address, b.address] });
    closing.push(() => proxy.close(), () => void b.server.close());
    const first = await ask(proxy.address);
    expect(first.answer).toBe('a');
    const closed = new Promise((r) => first.socket.once('close', r));
    // The node dies: its listener and every connection go at once.
    a.server.close();
    for (const s of a.sockets) s.destroy();
    await closed;
    const answers = [];
    for (let i = 0; i < 3; i++) {
      const { answer, socket } = await ask(proxy.address);
      answers.push(answer);
      closing.push(() => void socket.destroy());
    }
    expect(answers).toEqual(['b', 'b', 'b']);
  });
});
