import type { EventResponseDto } from '../../src/events/dto/event-response.dto';
import { EventRelay } from '../../src/events/event-relay';
import { WebhookDispatcher } from '../../src/webhooks/webhook-dispatcher';
import type { TestApp } from './app';
import { waitFor } from './webhook-receiver';

/** Every event in the feed after `after`, and the cursor after the last. */
export async function feedAfter(t: TestApp, after?: string): Promise<{ events: EventResponseDto[]; cursor: string }> {
  const events: EventResponseDto[] = [];
  let cursor = after;
  for (;;) {
    const res = await t.http
      .get('/events')
      .query({ ...(cursor && { after: cursor }), limit: 1000 })
      .expect(200);
    events.push(...res.body.items);
    if (!res.body.items.length) return { events, cursor: res.body.next_cursor };
    cursor = res.body.next_cursor;
  }
}

/** Drives the relay and the dispatcher round by round (their loops are off) until `done` holds. */
export async function pump(t: TestApp, what: string, done: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const relay = t.app.get(EventRelay);
  const dispatcher = t.app.get(WebhookDispatcher);
  await waitFor(
    what,
    async () => {
      await relay.runOnce();
      await dispatcher.runOnce();
      await dispatcher.idle();
      return done();
    },
    timeoutMs,
  );
}
