// Baud change: the device acks at the old rate, waits switchDelayMs, switches, and reverts if it
// hears nothing valid within revertAfterMs. The host switches only after the ack (serialport's
// update() flushes both buffers), waits the device's switch delay, flushes and proves the new rate
// with an info request; if that fails it goes back to the old rate, as the device will.
import type { Client } from './client.ts';
import { LinkError } from './device-error.ts';

export async function changeBaud(client: Client, baud: number, options: { revertAfterMs?: number } = {}): Promise<void> {
  const transport = client.link.transport;
  const old = transport.baudRate;
  if (baud === old) return;
  const ack = await client.request({ kind: 'baud-change-request', baud, revertAfterMs: options.revertAfterMs ?? 1000 }, { expect: ['baud-change-ack'] });
  await transport.setBaudRate(ack.baud);
  // The device's own switch happens switchDelayMs after its ack: a protocol delay, not a guess.
  await new Promise((resolve) => setTimeout(resolve, ack.switchDelayMs + 2));
  await client.link.resync();
  try {
    await client.request({ kind: 'info-request' }, { expect: ['info'], retries: 1 });
  } catch (e) {
    await transport.setBaudRate(old);
    await client.link.resync();
    throw new LinkError('timeout', `the device did not answer at ${baud} baud (${(e as Error).message}); it reverts to ${old}: use a lower --baud`);
  }
}
