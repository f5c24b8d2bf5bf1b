// What run.ts and the fleet-under-test process say to each other over IPC, and the one secret
// every benchmark device is provisioned with.
export const BENCH_SECRET = 'bench-device-secret-0123456789abcdef';

export type ServerMessage =
  | { type: 'ready'; api: string; mqttPort: number; apiKey: string; database: string; devices: number }
  | { type: 'count'; samples: number }
  | { type: 'settled' }
  | { type: 'stopped' };
/** 'settle': answer once the broker's presence writes (connect/disconnect) have all landed. */
export type ControlMessage = { type: 'count' } | { type: 'settle' } | { type: 'stop' };
