// Every message type of protocol version 1, by type byte and by kind name.
import { baudChangeAck, baudChangeRequest } from './baud-messages.ts';
import { calibrationResult, calibrationStart, captureChunk, captureRequest } from './calibration-messages.ts';
import { configGet, configSet, configValue } from './config-messages.ts';
import { bootControl, commit, manifestChunk } from './commit-messages.ts';
import { flashBegin, flashHashes, flashSegment, flashStatus, flashStatusRequest, segmentAck, segmentNack } from './flash-messages.ts';
import { handshakeRequest, handshakeResponse } from './handshake-messages.ts';
import { info, infoRequest } from './info-messages.ts';
import type { MessageCodec } from './message-codec.ts';
import { ack, errorReply } from './reply-messages.ts';
import { logLine, progress, statusStream, streamControl } from './report-messages.ts';

export const CODECS = [
  handshakeRequest,
  handshakeResponse,
  baudChangeRequest,
  baudChangeAck,
  infoRequest,
  info,
  flashBegin,
  flashHashes,
  flashSegment,
  segmentAck,
  segmentNack,
  flashStatusRequest,
  flashStatus,
  manifestChunk,
  commit,
  bootControl,
  progress,
  logLine,
  statusStream,
  streamControl,
  calibrationStart,
  calibrationResult,
  captureRequest,
  captureChunk,
  ack,
  errorReply,
  configGet,
  configValue,
  configSet,
] as const;

type AnyCodec = (typeof CODECS)[number];
export type MessageKind = AnyCodec['kind'];
type BodyOf<C> = C extends MessageCodec<infer K, infer B> ? { kind: K } & B : never;
/** A decoded message body, discriminated by `kind`. */
export type MessageBody = BodyOf<AnyCodec>;
/** The body type of one kind, e.g. BodyOfKind<'flash-segment'>. */
export type BodyOfKind<K extends MessageKind> = Extract<MessageBody, { kind: K }>;

export const codecByType: ReadonlyMap<number, MessageCodec<string, unknown>> = new Map(
  CODECS.map((c) => [c.type, c as unknown as MessageCodec<string, unknown>]),
);
export const codecByKind: ReadonlyMap<string, MessageCodec<string, unknown>> = new Map(
  CODECS.map((c) => [c.kind, c as unknown as MessageCodec<string, unknown>]),
);

/** The type byte of a kind (for tables and logs). */
export function typeOf(kind: MessageKind): number {
  return codecByKind.get(kind)!.type;
}
