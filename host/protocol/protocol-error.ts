// The one error type the protocol layers throw. Decoders must never let anything else escape
// (RangeError from a DataView, SyntaxError from a decoder...): callers switch on `code`.

export type ProtocolErrorCode =
  | 'truncated' // fewer bytes than a field needs
  | 'trailing-bytes' // a message body longer than its fields
  | 'bad-cobs' // a COBS code byte points past the end of the frame
  | 'bad-crc' // the frame's CRC-32C does not match
  | 'too-large' // a frame, field or decompressed segment over its limit
  | 'bad-value' // an enum, flag or number outside its allowed values
  | 'bad-utf8' // a string field that is not valid UTF-8
  | 'unknown-type' // a message type this protocol version does not define
  | 'version-mismatch' // handshake: no common protocol version
  | 'incompatible'; // handshake: no common compression/hash, or limits too small

export class ProtocolError extends Error {
  readonly code: ProtocolErrorCode;
  constructor(code: ProtocolErrorCode, message: string) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
  }
}
