// How the CLI reaches a device: opens the transport for --port (injectable for tests), connects,
// optionally raises the baud rate, runs one command and always closes the port.
import { changeBaud } from '../client/baud-change.ts';
import { connect, type Connection } from '../client/connect.ts';
import { openSerialTransport } from '../transport/serial-transport.ts';
import type { Transport } from '../transport/transport.ts';
import { CliError } from './cli-error.ts';
import { ExitCode } from './exit-codes.ts';

export type OpenTransport = (path: string, baudRate: number) => Promise<Transport>;

export const openSerial: OpenTransport = (path, baudRate) => openSerialTransport({ path, baudRate });

export interface DeviceOptions {
  port?: string;
  /** Rate to open at (the device's boot rate). */
  baud: number;
  /** Rate to switch to after the handshake, if different. */
  fastBaud?: number;
  timeoutMs?: number;
}

export async function withDevice<T>(open: OpenTransport, o: DeviceOptions, fn: (conn: Connection) => Promise<T>): Promise<T> {
  if (!o.port) throw new CliError(ExitCode.usage, 'usage', 'no device port: pass --port /dev/ttyACM0 (see anc ports) or set ANC_PORT');
  const transport = await open(o.port, o.baud);
  try {
    const conn = await connect(transport, { timeoutMs: o.timeoutMs ?? 1000 });
    if (o.fastBaud && o.fastBaud !== o.baud) await changeBaud(conn.client, o.fastBaud);
    return await fn(conn);
  } finally {
    await transport.close();
  }
}
