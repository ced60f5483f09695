import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a server (RabbitMQ) that a test can break on purpose: stop listening (the server is
 * down), cut every connection (the network dropped them), or swallow the server's replies (a half-open
 * connection: what the client sends arrives, nothing comes back).
 */
export class TcpProxy {
  /** While true, bytes from the server are thrown away instead of reaching the client. */
  swallowReplies = false;
  /** Connections the proxy has accepted so far. */
  accepted = 0;
  private readonly sockets = new Set<Socket>();
  private server: Server | null = null;

  private constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  /** A proxy on a free port of 127.0.0.1; listening unless `down`. */
  static async start(target: { host: string; port: number }, { down = false } = {}): Promise<TcpProxy> {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    const proxy = new TcpProxy(port, target);
    if (!down) await proxy.up();
    return proxy;
  }

  /** Sockets open now, client and server sides counted apart. */
  get openSockets(): number {
    return this.sockets.size;
  }

  async up(): Promise<void> {
    const server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.server = server;
  }

  /** Refuses new connections and cuts the open ones. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.cut();
    if (server) await new Promise((resolve) => server.close(resolve));
  }

  /** Cuts every open connection, both ends, without a goodbye. */
  cut(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  private accept(client: Socket): void {
    this.accepted++;
    const upstream = createConnection(this.target);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      if (!this.swallowReplies) client.write(chunk);
    });
  }
}
