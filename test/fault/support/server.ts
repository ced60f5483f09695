import { Agent, request, type IncomingHttpHeaders } from 'node:http';

/** What scripts/server-harness.js gives: the built server (`node dist/main.js`) as a child process. */
export interface Server {
  baseUrl: string;
  pid: number;
  exited(): boolean;
  exitStatus(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): boolean;
  output(): string;
  /** Ends the server (SIGTERM, then SIGKILL after 10 s) and drops the database the harness created. */
  stop(): Promise<void>;
}

interface Harness {
  API_KEY: string;
  freePort(): Promise<number>;
  startServer(options: { mysql?: boolean; env?: Record<string, string>; database?: { env: Record<string, string> } }): Promise<Server>;
}

// a CommonJS script shared with bench/ and scripts/, typed by the interface above
// eslint-disable-next-line @typescript-eslint/no-require-imports
const harness = require('../../../scripts/server-harness') as Harness;

export const { API_KEY, freePort } = harness;

/** Starts the built server on a database the test owns; the test drops it. */
export const startServer = (env: Record<string, string>, extraEnv: Record<string, string> = {}): Promise<Server> =>
  harness.startServer({ database: { env }, env: extraEnv });

/**
 * One HTTP exchange as the client saw it: an answer, or a failure at the network level. `sentAt` is when the
 * request was written out (when it was started, if it never was); `ms` runs from its start to the outcome,
 * which came at `doneAt`.
 */
export type Exchange = { sentAt: number; ms: number; doneAt: number } &
  // the parsed JSON answer, read freely by the tests
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  ({ ok: true; status: number; headers: IncomingHttpHeaders; body: any } | { ok: false; error: string });

const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Sends one request over `agent` (keep-alive connections) and never throws: a reset, refused or timed-out
 * request comes back as { ok: false, error: <code> }.
 */
export function send(
  agent: Agent,
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  timeoutMs = REQUEST_TIMEOUT_MS,
): Promise<Exchange> {
  const startedAt = Date.now();
  let writtenAt: number | undefined;
  const outcome = () => ({ sentAt: writtenAt ?? startedAt, ms: Date.now() - startedAt, doneAt: Date.now() });
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve) => {
    const req = request(
      `${baseUrl}${path}`,
      { method, agent, headers: { ...(payload && { 'Content-Type': 'application/json' }), ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          resolve({ ok: true, ...outcome(), status: res.statusCode!, headers: res.headers, body: parsed });
        });
        res.on('error', (error: NodeJS.ErrnoException) => resolve({ ok: false, ...outcome(), error: error.code ?? error.message }));
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('timed out'), { code: 'CLIENT_TIMEOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ ok: false, ...outcome(), error: error.code ?? error.message }));
    req.on('finish', () => (writtenAt = Date.now()));
    req.end(payload);
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
