/**
 * What a load balancer in front of a Temporal cluster does, for the native `cluster` stack: one
 * address for workers and clients, each new TCP connection handed to the next frontend in turn,
 * and a frontend that refuses (its node is down) skipped for the next. A connection to a node that
 * dies is closed on both sides, so the SDK reconnects — and reaches a surviving node. TCP only:
 * gRPC's HTTP/2 passes through untouched.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface FrontendProxy {
  address: string;
  /** Open client connections per upstream address (what the test reads to see both nodes used). */
  connections(): Record<string, number>;
  close(): Promise<void>;
}

export async function startFrontendProxy(opts: { upstreams: string[]; port?: number; host?: string }): Promise<FrontendProxy> {
  if (opts.upstreams.length === 0) throw new Error('a frontend proxy needs at least one upstream');
  const upstreams = opts.upstreams.map((a) => {
    const i = a.lastIndexOf(':');
    return { address: a, host: a.slice(0, i), port: Number(a.slice(i + 1)), open: 0 };
  });
  let next = 0;
  const sockets = new Set<Socket>();

  const connectUpstream = (tried: number): Promise<{ socket: Socket; up: (typeof upstreams)[number] }> =>
    new Promise((resolve, reject) => {
      const up = upstreams[next++ % upstreams.length]!;
      const socket = createConnection({ host: up.host, port: up.port });
      const fail = (err: Error) => {
        socket.destroy();
        if (tried + 1 >= upstreams.length) reject(err);
        else connectUpstream(tried + 1).then(resolve, reject);
      };
      socket.once('error', fail);
      socket.once('connect', () => {
        socket.off('error', fail);
        resolve({ socket, up });
      });
    });

  const server: Server = createServer((client) => {
    sockets.add(client);
    client.pause();
    client.once('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    connectUpstream(0).then(
      ({ socket, up }) => {
        if (client.destroyed) return socket.destroy();
        sockets.add(socket);
        up.open++;
        socket.setNoDelay(true);
        client.setNoDelay(true);
        const done = () => {
          client.destroy();
          socket.destroy();
        };
        socket.once('close', () => {
          sockets.delete(socket);
          up.open--;
          done();
        });
        socket.on('error', done);
        client.once('close', done);
        client.pipe(socket);
        socket.pipe(client);
        client.resume();
      },
      () => client.destroy(), // no frontend accepts: the client retries as it would against a dead balancer
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('the frontend proxy has no TCP address');
  return {
    address: `${opts.host ?? '127.0.0.1'}:${addr.port}`,
    connections: () => Object.fromEntries(upstreams.map((u) => [u.address, u.open])),
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
