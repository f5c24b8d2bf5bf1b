// What the client throws when a request fails: the device refused it (an `error` reply), or the
// link failed (no answer, closed). Both carry a code a program can switch on and a message that
// says what to do.
import { deviceErrorName } from '../protocol/reply-messages.ts';

export class DeviceError extends Error {
  /** A DeviceErrorCode name ('bad-signature', 'downgrade'...) or `device-<n>` for unknown codes. */
  readonly code: string;
  readonly deviceCode: number;
  constructor(deviceCode: number, message: string) {
    super(message);
    this.name = 'DeviceError';
    this.deviceCode = deviceCode;
    this.code = deviceErrorName(deviceCode) ?? `device-${deviceCode}`;
  }
}

export class LinkError extends Error {
  readonly code: 'timeout' | 'closed' | 'unexpected-reply';
  constructor(code: LinkError['code'], message: string) {
    super(message);
    this.name = 'LinkError';
    this.code = code;
  }
}
