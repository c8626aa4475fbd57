// A loopback TCP proxy in front of a broker that can stall a connection the way a dead NAT or a pulled cable
// does: bytes stop flowing both ways, and no FIN or RST ever arrives.
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface StallingProxy {
  url: string;
  /** From now on, nothing is forwarded in either direction (the sockets stay open). */
  blackhole(): void;
  close(): Promise<void>;
}

export async function startStallingProxy(brokerHost: string, brokerPort: number): Promise<StallingProxy> {
  const sockets = new Set<Socket>();
  let holed = false;
  const server: Server = createServer((downstream) => {
    const upstream = connect(brokerPort, brokerHost);
    for (const s of [downstream, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    downstream.on('data', (d) => !holed && upstream.write(d));
    upstream.on('data', (d) => !holed && downstream.write(d));
    downstream.on('end', () => !holed && upstream.end());
    upstream.on('end', () => !holed && downstream.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `mqtt://127.0.0.1:${port}`,
    blackhole: () => {
      holed = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
