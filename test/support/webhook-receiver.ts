import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EventResponseDto } from '../../src/events/dto/event-response.dto';

/** One POST as the receiver got it. */
export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  /** The raw body, as signed. */
  body: string;
  event: EventResponseDto;
  /** ms since the receiver started, when the request arrived and when it was answered. */
  arrivedAt: number;
  answeredAt: number;
  status: number;
}

/** What to answer the n-th request (0-based): a status, after an optional delay. */
export type Answer = (request: Omit<ReceivedRequest, 'answeredAt' | 'status'>, n: number) => number | { status: number; delayMs: number };

export interface Receiver {
  /** `http://127.0.0.1:<port>/hook` */
  url: string;
  /** Every request, in the order they were answered. */
  received: ReceivedRequest[];
  /** Requests arrived and not answered yet. */
  inFlight(): number;
  maxInFlight(): number;
  /** The events answered with a 2xx, first answer per event id only, in the order they were answered. */
  accepted(): EventResponseDto[];
  close(): Promise<void>;
}

/** A real HTTP receiver on 127.0.0.1:0 that records every request and answers as told. */
export async function startReceiver(answer: Answer = () => 200): Promise<Receiver> {
  const received: ReceivedRequest[] = [];
  const started = Date.now();
  let arrived = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const body = Buffer.concat(chunks).toString('utf8');
      const request = { headers: req.headers, body, event: JSON.parse(body) as EventResponseDto, arrivedAt: Date.now() - started };
      const decided = answer(request, arrived++);
      const { status, delayMs } = typeof decided === 'number' ? { status: decided, delayMs: 0 } : decided;
      const reply = () => {
        inFlight--;
        received.push({ ...request, answeredAt: Date.now() - started, status });
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no');
      };
      if (delayMs) setTimeout(reply, delayMs);
      else reply();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    inFlight: () => inFlight,
    maxInFlight: () => maxInFlight,
    accepted: () => {
      const seen = new Set<string>();
      return received.filter((r) => r.status < 300 && !seen.has(r.event.id) && seen.add(r.event.id)).map((r) => r.event);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `done` every 20 ms until it holds, or fails after `timeoutMs` naming what it waited for. */
export async function waitFor(what: string, done: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<number> {
  const started = Date.now();
  while (!(await done())) {
    if (Date.now() - started > timeoutMs) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
  return Date.now() - started;
}
