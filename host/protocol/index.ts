// The protocol API for the client, the transports and the virtual headset (part B).
export { ProtocolError, type ProtocolErrorCode } from './protocol-error.ts';
export { crc32c } from './crc32c.ts';
export { cobsEncode, cobsDecode, cobsMaxEncodedLength } from './cobs.ts';
export { ABSOLUTE_MAX_PAYLOAD, HANDSHAKE_MAX_PAYLOAD } from './frame-limits.ts';
export { encodeFrame, FRAME_DELIMITER } from './frame.ts';
export { FrameDecoder, type FrameDecoderStats, type FrameDecoderOptions } from './frame-decoder.ts';
export { PROTOCOL_VERSION, MIN_PROTOCOL_VERSION } from './protocol-version.ts';
export { encodeMessage, decodeMessage, encodeEnvelope, decodeEnvelope, decodeBody, MessageFlag, type Message, type Envelope } from './message.ts';
export { CODECS, typeOf, type MessageBody, type MessageKind, type BodyOfKind } from './message-catalogue.ts';
export { negotiate, type Session } from './negotiate.ts';
export { packSegment, unpackSegment, type PackedSegment } from './segment-compression.ts';
export { bitmapFromIndices, indicesFromBitmap } from './segment-bitmap.ts';
export { DeviceErrorCode, deviceErrorName, type DeviceErrorName } from './reply-messages.ts';
export type { HandshakeRequest, HandshakeResponse, Partition } from './handshake-messages.ts';
