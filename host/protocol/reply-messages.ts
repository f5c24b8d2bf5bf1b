// Generic replies: ack for requests that return nothing, error for any refused request.
import { defineCodec, emptyBody, type Empty } from './message-codec.ts';

/**
 * Device error codes (u16). Numbers are part of the protocol: append, never renumber.
 * The message text is for people; programs switch on the code.
 */
export const DeviceErrorCode = {
  'unknown-type': 1,
  'bad-message': 2,
  'bad-state': 3, // e.g. flash-segment with no open session, flashing in application mode
  'hash-mismatch': 4,
  'bad-signature': 5,
  'unknown-key': 6,
  'wrong-hardware': 7,
  downgrade: 8,
  'flash-failed': 9,
  busy: 10,
  unsupported: 11,
  'calibration-failed': 12,
  'too-large': 13,
} as const;
export type DeviceErrorName = keyof typeof DeviceErrorCode;

export function deviceErrorName(code: number): DeviceErrorName | undefined {
  return (Object.keys(DeviceErrorCode) as DeviceErrorName[]).find((k) => DeviceErrorCode[k] === code);
}

export interface ErrorReply {
  /** A DeviceErrorCode value; unknown codes are kept (a newer device may send them). */
  code: number;
  message: string;
}

export const ack = defineCodec<'ack', Empty>({ kind: 'ack', type: 0x7e, ...emptyBody });

export const errorReply = defineCodec<'error', ErrorReply>({
  kind: 'error',
  type: 0x7f,
  encode(w, b) {
    w.u16(b.code, 'code').str16(b.message, 'message');
  },
  decode(r) {
    return { code: r.u16('code'), message: r.str16('message') };
  },
});
