// `anc monitor`: starts the status stream and log lines, hands each to `onEvent` until `signal`
// aborts, then stops the stream. The snapshot is decoded from the firmware ABI's status layout.
import type { Connection } from '../client/connect.ts';
import type { LogLevelName } from '../protocol/report-messages.ts';
import { decodeStatusSnapshot, type StatusSnapshot } from './status-snapshot.ts';

export type MonitorEvent =
  | { type: 'status'; sequence: number; uptimeMs: number; status: StatusSnapshot | null }
  | { type: 'log'; level: LogLevelName; uptimeMs: number; text: string };

export async function monitor(conn: Connection, o: { intervalMs?: number; logLevel?: LogLevelName; signal: AbortSignal; onEvent: (e: MonitorEvent) => void }): Promise<{ events: number }> {
  let events = 0;
  const off = conn.client.onEvent((body) => {
    if (body.kind === 'status-stream') o.onEvent({ type: 'status', sequence: body.sequence, uptimeMs: body.uptimeMs, status: decodeStatusSnapshot(body.snapshot) });
    else if (body.kind === 'log-line') o.onEvent({ type: 'log', level: body.level, uptimeMs: body.uptimeMs, text: body.text });
    else return;
    events++;
  });
  await conn.client.request({ kind: 'stream-control', statusIntervalMs: o.intervalMs ?? 500, logLevel: o.logLevel ?? 'info' }, { expect: ['ack'] });
  const closed = new Promise<void>((resolve) => conn.client.link.transport.onClose(() => resolve()));
  await Promise.race([closed, new Promise<void>((resolve) => (o.signal.aborted ? resolve() : o.signal.addEventListener('abort', () => resolve(), { once: true })))]);
  off();
  if (conn.client.link.transport.isOpen) await conn.client.request({ kind: 'stream-control', statusIntervalMs: 0, logLevel: 'off' }, { expect: ['ack'] });
  return { events };
}
