/** The part of a BullMQ Queue this helper needs (kept structural so @htx/shared does not depend on bullmq's types). */
export interface SchedulingQueue {
  readonly name: string;
  readonly client: Promise<{ on(event: 'ready', listener: () => void): unknown; off?(event: 'ready', listener: () => void): unknown }>;
}

interface Logger {
  warn(message: string): unknown;
}

/**
 * Registers a repeating job now, and again every time the queue's Redis connection becomes ready after a
 * reconnect. A Redis that comes back empty (no persistence, failover to a fresh replica, restore) would otherwise
 * lose the schedule until some process restarts: lost IPNs would stop being queried, marketplace orders stop being
 * polled, overdue checkouts stop being swept. Registration is idempotent (one scheduler id), so repeating it is
 * harmless. Never awaited by start-up: with Redis down the command waits for it, and the API must start anyway.
 */
export function keepJobScheduler(queue: SchedulingQueue, register: () => Promise<unknown>, logger: Logger): () => void {
  let stopped = false;
  const attempt = () => {
    if (stopped) return;
    register().catch((e: unknown) => logger.warn(`cannot register a repeating job of queue ${queue.name}: ${e instanceof Error ? e.message : String(e)}`));
  };
  attempt();
  let detach: () => void = () => undefined;
  queue.client
    .then((client) => {
      // The queue's client resolves once connected, so every 'ready' from here on is a reconnect.
      const onReady = () => attempt();
      client.on('ready', onReady);
      detach = () => client.off?.('ready', onReady);
    })
    .catch(() => undefined);
  return () => {
    stopped = true;
    detach();
  };
}
