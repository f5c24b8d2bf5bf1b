// Aedes (1.x) and mqtt-packet have no maximum packet size: a client may announce a 256 MB
// PUBLISH and the parser buffers it. This tracker reads only the fixed headers of the byte
// stream (type byte + "remaining length", MQTT 3.1.1 section 2.2.3) and reports the first packet
// whose announced size is over the limit, before its body arrives. It is fed the chunks Aedes
// reads; the caller destroys the connection when it says so.

export interface PacketSizeTracker {
  /** Feeds received bytes; returns the oversized length announced, or undefined while all is well. */
  push(chunk: Uint8Array): number | undefined;
}

export function createPacketSizeTracker(maxRemainingLength: number): PacketSizeTracker {
  // State of the parse across chunk boundaries.
  let phase: 'type' | 'length' | 'body' = 'type';
  let length = 0;
  let multiplier = 1;
  let lengthBytes = 0;
  let bodyLeft = 0;

  return {
    push(chunk) {
      let i = 0;
      while (i < chunk.length) {
        if (phase === 'body') {
          const take = Math.min(bodyLeft, chunk.length - i);
          bodyLeft -= take;
          i += take;
          if (bodyLeft === 0) phase = 'type';
          continue;
        }
        const byte = chunk[i++]!;
        if (phase === 'type') {
          phase = 'length';
          length = 0;
          multiplier = 1;
          lengthBytes = 0;
          continue;
        }
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        lengthBytes++;
        if (length > maxRemainingLength) return length;
        if (byte & 0x80) {
          // Four bytes at most; the parser refuses a fifth, so do we.
          if (lengthBytes >= 4) return Number.MAX_SAFE_INTEGER;
          continue;
        }
        bodyLeft = length;
        phase = bodyLeft === 0 ? 'type' : 'body';
      }
      return undefined;
    },
  };
}
