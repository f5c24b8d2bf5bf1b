// Frame size limits shared by the encoder, the decoder and the handshake.

/** Every peer must accept frames of this payload size before the handshake has agreed on more. */
export const HANDSHAKE_MAX_PAYLOAD = 1024;

/** Hard ceiling on any negotiated frame payload: bounds every receive buffer. */
export const ABSOLUTE_MAX_PAYLOAD = 65536;

/** Bytes of CRC-32C appended to each payload before COBS. */
export const CRC_LENGTH = 4;
