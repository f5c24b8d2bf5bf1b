// A request the device answers with an `error` reply instead of doing it: the code goes on the
// wire, the message tells the user what to do. Thrown by the headset's request handlers.
import type { DeviceErrorName } from '../../host/protocol/reply-messages.ts';

export class DeviceRefusal extends Error {
  constructor(
    readonly code: DeviceErrorName,
    message: string,
  ) {
    super(message);
  }
}
