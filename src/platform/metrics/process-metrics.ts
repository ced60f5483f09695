import { collectDefaultMetrics, Registry } from 'prom-client';

let shared: Registry | undefined;

/**
 * prom-client's default series (RSS, heap, CPU, event loop lag, GC, open handles…), created once per process and
 * shared by every app's registry: they describe the process, and collecting them starts an event-loop-delay monitor
 * and a GC observer that prom-client never stops, so one set per app would leak a pair for each app a test starts.
 */
export function processMetrics(): Registry {
  if (!shared) {
    shared = new Registry();
    collectDefaultMetrics({ register: shared });
  }
  return shared;
}
