// The message layer: one frame payload = 4-byte header + body.
//   u16 id     request id chosen by the requester; a reply or event carries the id it relates to
//   u8  type   message type (message-catalogue.ts)
//   u8  flags  MessageFlag bits; reserved bits must be zero
import { ByteReader } from './byte-reader.ts';
import { ByteWriter } from './byte-writer.ts';
import { codecByKind, codecByType, type MessageBody } from './message-catalogue.ts';
import { ProtocolError } from './protocol-error.ts';

export const HEADER_LENGTH = 4;

export const MessageFlag = {
  /** This message answers the request with the same id. */
  response: 0x01,
  /** Sent unprompted (progress, log, status); id is the related request's or 0. */
  event: 0x02,
} as const;
const KNOWN_FLAGS = MessageFlag.response | MessageFlag.event;

/** A message with its body still as bytes: what a client routes by id before decoding. */
export interface Envelope {
  id: number;
  type: number;
  flags: number;
  payload: Uint8Array;
}

export interface Message {
  id: number;
  flags: number;
  body: MessageBody;
}

export function encodeEnvelope(e: Envelope): Uint8Array {
  checkFlags(e.flags);
  return new ByteWriter().u16(e.id, 'id').u8(e.type, 'type').u8(e.flags, 'flags').bytes(e.payload, 'payload').finish();
}

export function decodeEnvelope(bytes: Uint8Array): Envelope {
  const r = new ByteReader(bytes, 'message header');
  const e = { id: r.u16('id'), type: r.u8('type'), flags: r.u8('flags'), payload: r.rest('payload') };
  checkFlags(e.flags);
  return e;
}

function checkFlags(flags: number): void {
  if (flags & ~KNOWN_FLAGS) throw new ProtocolError('bad-value', `message flags 0x${flags.toString(16)} use reserved bits`);
  if (flags === KNOWN_FLAGS) throw new ProtocolError('bad-value', 'a message cannot be both a response and an event');
}

/** Encodes a typed message into a frame payload. */
export function encodeMessage(m: Message): Uint8Array {
  const codec = codecByKind.get(m.body.kind);
  if (!codec) throw new ProtocolError('unknown-type', `no message kind '${String(m.body.kind)}'`);
  const w = new ByteWriter();
  codec.encode(w, m.body);
  return encodeEnvelope({ id: m.id, type: codec.type, flags: m.flags, payload: w.finish() });
}

/** Decodes a body whose envelope is already known. */
export function decodeBody(type: number, payload: Uint8Array): MessageBody {
  const codec = codecByType.get(type);
  if (!codec) throw new ProtocolError('unknown-type', `message type 0x${type.toString(16).padStart(2, '0')} is not defined in this protocol version`);
  const r = new ByteReader(payload, codec.kind);
  const body = codec.decode(r) as object;
  r.end();
  return { kind: codec.kind, ...body } as MessageBody;
}

/** Decodes a frame payload into a typed message. Throws only ProtocolError. */
export function decodeMessage(bytes: Uint8Array): Message {
  const e = decodeEnvelope(bytes);
  return { id: e.id, flags: e.flags, body: decodeBody(e.type, e.payload) };
}
