// Baud change: the device acknowledges at the old rate, waits `switchDelayMs` so the ack drains,
// then switches; if no valid frame arrives within `revertAfterMs` it goes back to the old rate,
// so a host that missed the ack (or a cable that cannot take the rate) is never locked out.
import { defineCodec } from './message-codec.ts';

export interface BaudChangeRequest {
  baud: number;
  /** Silence after the switch that makes the device revert to the old rate. */
  revertAfterMs: number;
}
export interface BaudChangeAck {
  baud: number;
  /** Delay between sending this ack and switching. */
  switchDelayMs: number;
}

export const baudChangeRequest = defineCodec<'baud-change-request', BaudChangeRequest>({
  kind: 'baud-change-request',
  type: 0x03,
  encode(w, b) {
    w.u32(b.baud, 'baud').u16(b.revertAfterMs, 'revertAfterMs');
  },
  decode(r) {
    return { baud: r.u32('baud'), revertAfterMs: r.u16('revertAfterMs') };
  },
});

export const baudChangeAck = defineCodec<'baud-change-ack', BaudChangeAck>({
  kind: 'baud-change-ack',
  type: 0x04,
  encode(w, b) {
    w.u32(b.baud, 'baud').u16(b.switchDelayMs, 'switchDelayMs');
  },
  decode(r) {
    return { baud: r.u32('baud'), switchDelayMs: r.u16('switchDelayMs') };
  },
});
