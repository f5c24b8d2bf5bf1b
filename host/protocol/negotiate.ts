// Handshake rules, pure: given what the host offered and what the device answered, the session
// parameters or one clear error. A mismatch must fail here, at once, never as a later hang.
import type { CompressionName, HandshakeRequest, HandshakeResponse } from './handshake-messages.ts';
import { ABSOLUTE_MAX_PAYLOAD, HANDSHAKE_MAX_PAYLOAD } from './frame-limits.ts';
import { ProtocolError } from './protocol-error.ts';

export interface Session {
  protocolVersion: number;
  /** Largest payload the host may send (the device's receive limit). */
  sendMaxPayload: number;
  /** Largest payload the host must accept (its own limit, as offered). */
  receiveMaxPayload: number;
  /** Frames the host may have in flight unacknowledged. */
  sendWindow: number;
  /** Compressions both sides support ('none' always included). */
  compression: CompressionName[];
  hash: 'sha256';
  mode: HandshakeResponse['mode'];
}

export function negotiate(offer: HandshakeRequest, reply: HandshakeResponse): Session {
  const v = reply.protocolVersion;
  if (v < offer.minProtocolVersion || v > offer.protocolVersion) {
    const fix = v > offer.protocolVersion ? 'update anc' : 'update the device bootloader';
    throw new ProtocolError('version-mismatch', `device speaks protocol ${v}, this anc speaks ${offer.minProtocolVersion}..${offer.protocolVersion}: ${fix}`);
  }
  if (reply.maxFramePayload < HANDSHAKE_MAX_PAYLOAD || reply.maxFramePayload > ABSOLUTE_MAX_PAYLOAD) {
    throw new ProtocolError('incompatible', `device frame limit ${reply.maxFramePayload} is outside ${HANDSHAKE_MAX_PAYLOAD}..${ABSOLUTE_MAX_PAYLOAD}: the device firmware is broken or not an anc device`);
  }
  if (reply.window < 1) throw new ProtocolError('incompatible', 'device receive window is 0: it cannot accept any request');
  if (!reply.hashes.includes('sha256') || !offer.hashes.includes('sha256')) {
    throw new ProtocolError('incompatible', 'device does not support SHA-256 segment hashes: update the device bootloader');
  }
  const compression = offer.compression.filter((c) => reply.compression.includes(c));
  if (!compression.includes('none')) compression.unshift('none');
  return {
    protocolVersion: v,
    sendMaxPayload: reply.maxFramePayload,
    receiveMaxPayload: offer.maxFramePayload,
    sendWindow: reply.window,
    compression,
    hash: 'sha256',
    mode: reply.mode,
  };
}
