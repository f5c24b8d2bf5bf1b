// Opens a session: the handshake first, at the pre-handshake frame size, then both sides switch to
// the agreed limits. A version or size mismatch fails here with negotiate()'s clear error; a
// device that never answers fails with a timeout that names what to check.
import type { HandshakeRequest, HandshakeResponse } from '../protocol/handshake-messages.ts';
import { negotiate, type Session } from '../protocol/negotiate.ts';
import { MIN_PROTOCOL_VERSION, PROTOCOL_VERSION } from '../protocol/protocol-version.ts';
import type { Transport } from '../transport/transport.ts';
import { Client, type ClientOptions } from './client.ts';
import { MessageLink } from './message-link.ts';

/** What this host offers; tests override fields to provoke mismatches. */
export const HOST_OFFER: HandshakeRequest = {
  protocolVersion: PROTOCOL_VERSION,
  minProtocolVersion: MIN_PROTOCOL_VERSION,
  maxFramePayload: 16384,
  window: 8,
  compression: ['none', 'deflate-raw'],
  hashes: ['sha256'],
};

export interface Connection {
  client: Client;
  session: Session;
  device: HandshakeResponse;
  close(): Promise<void>;
}

export async function connect(transport: Transport, options: ClientOptions & { offer?: Partial<HandshakeRequest> } = {}): Promise<Connection> {
  const link = new MessageLink(transport);
  const client = new Client(link, options);
  const offer = { ...HOST_OFFER, ...options.offer };
  await link.resync(); // a lone 0x00 ends whatever half frame the device was holding
  const device = await client.request({ kind: 'handshake-request', ...offer }, { expect: ['handshake-response'] });
  const session = negotiate(offer, device);
  link.setLimits({ send: session.sendMaxPayload, receive: session.receiveMaxPayload });
  return { client, session, device, close: () => transport.close() };
}
