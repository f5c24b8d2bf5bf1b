// The device's answer to calibration-start: run the procedure against the simulated acoustics,
// store the record in the calibration partition, read it back, and only then report it stored
// and load the new secondary path into the running firmware.
import type { Firmware } from '../../firmware/loader.ts';
import type { BodyOfKind } from '../../host/protocol/message-catalogue.ts';
import type { PlantPreset } from '../acoustics/plant.ts';
import { runCalibration, type CalibrationRecord } from './calibration-run.ts';
import { DeviceRefusal } from './device-refusal.ts';
import type { RecordStore } from './record-store.ts';

export interface CalibrationRequestContext {
  store: RecordStore<CalibrationRecord>;
  plant: PlantPreset;
  firmware: Firmware | undefined;
  deviceId: string;
  progress(done: number, total: number): Promise<void>;
}

export async function answerCalibration(b: BodyOfKind<'calibration-start'>, ctx: CalibrationRequestContext): Promise<BodyOfKind<'calibration-result'>> {
  if (b.taps > 256) throw new DeviceRefusal('calibration-failed', `taps ${b.taps} outside 2..256 (the firmware's secondary-path limit): pass --taps 128`);
  const result = await runCalibration(b, { plant: ctx.plant, firmware: ctx.firmware, deviceId: ctx.deviceId, progress: ctx.progress });
  let stored = false;
  if (result.record) {
    ctx.store.save(result.record);
    const back = ctx.store.load();
    stored = back !== undefined && JSON.stringify(back) === JSON.stringify(result.record);
    if (stored) ctx.firmware?.setSecondaryPath(result.record.coefficients);
  }
  return { kind: 'calibration-result', procedure: b.procedure, stored, coefficients: result.coefficients, micGainsDb: result.micGainsDb, metrics: result.metrics };
}
