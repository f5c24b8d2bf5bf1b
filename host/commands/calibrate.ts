// `anc calibrate`: runs the on-device procedure and returns its report (coefficients, mic trims,
// quality figures, whether the device stored and read back the result). Progress comes from the
// device, so the request's inactivity timeout stays short however long the procedure takes.
import type { Connection } from '../client/connect.ts';
import type { CalibrationProcedureName, ExcitationName } from '../protocol/calibration-messages.ts';

export interface CalibrateOptions {
  procedure?: CalibrationProcedureName;
  excitation?: ExcitationName;
  levelDbfs?: number;
  durationMs?: number;
  taps?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface CalibrationReport {
  deviceId: string;
  hardwareRevision: string;
  created: string;
  procedure: CalibrationProcedureName;
  excitation: ExcitationName;
  stored: boolean;
  metrics: Record<string, number>;
  micGainsDb: number[];
  coefficients: number[];
}

export async function calibrate(conn: Connection, o: CalibrateOptions = {}): Promise<CalibrationReport> {
  const procedure = o.procedure ?? 'full';
  const excitation = o.excitation ?? 'white-noise';
  const result = await conn.client.request(
    { kind: 'calibration-start', procedure, excitation, levelDbfs: o.levelDbfs ?? -20, durationMs: o.durationMs ?? 1000, taps: o.taps ?? 128 },
    { expect: ['calibration-result'], onProgress: (p) => o.onProgress?.(p.done, p.total) },
  );
  return {
    deviceId: conn.device.deviceId,
    hardwareRevision: conn.device.hardwareRevision,
    created: new Date().toISOString(),
    procedure,
    excitation,
    stored: result.stored,
    metrics: Object.fromEntries(result.metrics.map((m) => [m.name, m.value])),
    micGainsDb: [...result.micGainsDb],
    coefficients: [...result.coefficients],
  };
}
