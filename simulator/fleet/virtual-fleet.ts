// N virtual headsets in one process: one firmware instance each, connection starts paced to the
// broker's connect-rate limit (a burst, then a steady rate, as the server's token bucket allows),
// and the acoustics spread over the ticks at a duty cycle so the CPU stays bounded.
import { loadFirmware } from '../../firmware/loader.ts';
import type { Scenario } from '../scenarios/scenario.ts';
import type { DeviceCredential } from './device-credentials.ts';
import type { HeadsetClock } from './headset-clock.ts';
import type { PowerState } from './headset-power.ts';
import { headsetFaults, type FleetFaults } from './ota-faults.ts';
import type { HeadsetFirmware } from './stepped-acoustics.ts';
import { VirtualHeadset, zeroCounts, type HeadsetOtaOptions, type HeadsetStats, type HeadsetTransport } from './virtual-headset.ts';

export interface VirtualFleetOptions {
  credentials: readonly DeviceCredential[];
  transport: HeadsetTransport;
  clock: HeadsetClock;
  scenario: Scenario;
  /**
   * Share of ticks on which each headset runs its acoustics, 0..1. One headset at full duty costs
   * about 5% of a core (50 ms of CPU per simulated second), so the default keeps the whole fleet
   * near half a core: min(1, 8 / N).
   */
  duty?: number;
  tickMs?: number;
  batchTicks?: number;
  /** Connections started at once, then `connectRate` per second (the server's default bucket: 10, 2/s). */
  connectBurst?: number;
  connectRate?: number;
  firmware?: () => HeadsetFirmware;
  firmwareVersion?: string;
  modelVersion?: string;
  /** Every headset's over-the-air settings (trusted keys, hardware revision, ...). */
  ota?: HeadsetOtaOptions;
  /** Slow link and disconnects for all; a failing bundle for a share of the devices (ota-faults.ts). */
  faults?: FleetFaults;
  /** Battery and usage at power-up, for all headsets or per device. */
  power?: Partial<PowerState> | ((deviceId: string) => Partial<PowerState>);
}

export interface FleetTotals extends Omit<HeadsetStats, 'connected'> {
  devices: number;
  started: number;
  connected: number;
}

export interface VirtualFleet {
  headsets: VirtualHeadset[];
  totals(): FleetTotals;
  stop(): Promise<void>;
}

export function defaultDuty(devices: number): number {
  return Math.min(1, 8 / Math.max(1, devices));
}

export function startVirtualFleet(o: VirtualFleetOptions): VirtualFleet {
  const duty = o.duty ?? defaultDuty(o.credentials.length);
  if (!(duty >= 0 && duty <= 1)) throw new RangeError(`duty ${duty} must be in 0..1`);
  const every = duty > 0 ? Math.max(1, Math.round(1 / duty)) : 0;
  const faults = headsetFaults(o.credentials.map((c) => c.deviceId), o.faults);
  const headsets = o.credentials.map(
    (c, i) =>
      new VirtualHeadset({
        deviceId: c.deviceId,
        secret: c.secret,
        transport: o.transport,
        clock: o.clock,
        firmware: (o.firmware ?? (() => loadFirmware()))(),
        scenario: o.scenario,
        tickMs: o.tickMs,
        batchTicks: o.batchTicks,
        acousticsEvery: every,
        acousticsPhase: every > 0 ? i % every : 0,
        firmwareVersion: o.firmwareVersion,
        modelVersion: o.modelVersion,
        ota: o.ota,
        faults: faults.get(c.deviceId),
        power: typeof o.power === 'function' ? o.power(c.deviceId) : o.power,
      }),
  );
  let started = 0;
  const startNext = () => {
    if (started < headsets.length) headsets[started++].start();
  };
  const burst = Math.min(headsets.length, o.connectBurst ?? 10);
  while (started < burst) startNext();
  let stopPacing: (() => void) | undefined;
  if (started < headsets.length) {
    stopPacing = o.clock.every(1000 / (o.connectRate ?? 2), () => {
      startNext();
      if (started >= headsets.length) stopPacing?.();
    });
  }
  return {
    headsets,
    totals() {
      const totals: FleetTotals = { devices: headsets.length, started, connected: 0, ...zeroCounts() };
      for (const h of headsets) {
        const { connected, ...counts } = h.stats;
        if (connected) totals.connected++;
        for (const [k, v] of Object.entries(counts)) (totals as unknown as Record<string, number>)[k] += v as number;
      }
      return totals;
    },
    async stop() {
      stopPacing?.();
      await Promise.all(headsets.map((h) => h.stop()));
    },
  };
}

/** One line per interval for the CLI. */
export function formatFleetLine(elapsedSeconds: number, t: FleetTotals): string {
  return [
    `t=${elapsedSeconds.toFixed(0)}s`,
    `connected ${t.connected}/${t.devices}`,
    `telemetry ${t.batchesAcked}/${t.batchesSent} acked (${t.samples} samples${t.samplesDropped ? `, ${t.samplesDropped} dropped offline` : ''})`,
    `acoustics ${t.acousticSeconds.toFixed(1)} s`,
    `deltas ${t.deltasApplied}`,
    `reports ${t.reportsAccepted} accepted${t.reportsRejected ? `, ${t.reportsRejected} rejected` : ''}`,
    ...(t.refusals ? [`refused ${t.refusals}`] : []),
    ...(t.crashes ? [`crashes ${t.crashes}`] : []),
    ...(t.otaRequests ? [`ota ${t.otaSucceeded} succeeded, ${t.otaFailed} failed, ${t.otaRolledBack} rolled back (${(t.otaBytes / 1024).toFixed(0)} KiB, ${t.otaRetries} retries)`] : []),
  ].join('  ');
}
