// A virtual headset on the fleet's MQTT broker (contract 5): the real firmware module running in
// stepped acoustics, connected with its own credentials. It publishes its retained status (and
// leaves `online: false` as its will), reports its shadow from what the module runs (plus its
// battery and usage, which rollouts read before dispatching), applies each delta to the module
// and reports back so the delta clears, publishes telemetry batches (QoS 1) from the module's
// status block, and takes over-the-air updates through its OTA agent (ota-agent.ts).
//
// Handed its transport options, clock and firmware, nothing global: a test drives it with a
// ManualClock against a broker on port 0, the CLI with the system clock against a real server.
// Many share one process, so the acoustics may run on one tick in `acousticsEvery` only: the
// module then hears 1/K of wall time (its sound time runs slower), and publishes a sample per
// acoustic step; 0 never runs them (no telemetry, shadow only).
import { EventEmitter } from 'node:events';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { DeviceEvent } from '../../fleet/events/device-event.ts';
import type { DeviceStatus } from '../../fleet/events/device-status.ts';
import { buildTopic, deviceRoot, type TopicKind } from '../../fleet/mqtt/topics.ts';
import type { TelemetryBatch } from '../../fleet/telemetry/telemetry-batch.ts';
import type { Scenario } from '../scenarios/scenario.ts';
import { BundleInstaller } from './bundle-install.ts';
import type { HeadsetClock } from './headset-clock.ts';
import { HeadsetPower, type PowerState } from './headset-power.ts';
import { HeadsetRuntime } from './headset-runtime.ts';
import type { HeadsetSettings, ReportedSettings } from './headset-settings.ts';
import { OtaAgent, type HeadsetOtaOptions, type OtaCounts } from './ota-agent.ts';
import type { HeadsetFaults } from './ota-faults.ts';
import type { HeadsetFirmware } from './stepped-acoustics.ts';
import { telemetrySample, type TelemetrySample } from './telemetry-sample.ts';

export type { HeadsetOtaOptions };

export interface HeadsetTransport {
  /** mqtt://host:port (or ws://...). */
  url: string;
  /** Anything mqtt.js takes (timeouts, reconnect period); identity, will and protocol are the headset's. */
  options?: IClientOptions;
  /** Replaces mqtt.connect (a test may hand in a wrapper). */
  connect?: (url: string, options: IClientOptions) => MqttClient;
}

export interface VirtualHeadsetOptions {
  deviceId: string;
  secret: string;
  transport: HeadsetTransport;
  clock: HeadsetClock;
  firmware: HeadsetFirmware;
  scenario: Scenario;
  /** Seeds the acoustics (default: from the device id, so headsets differ). */
  seed?: number;
  firmwareVersion?: string;
  /** Reported only when given: the module runs no classifier model yet. */
  modelVersion?: string;
  /** Sound simulated per acoustic step, and the timer period (default 100 ms). */
  tickMs?: number;
  /** Run the acoustics on one tick in K (default 1: every tick; 0: never). */
  acousticsEvery?: number;
  /** Which tick of the K (spreads a fleet's CPU over the ticks). */
  acousticsPhase?: number;
  /** Publish a batch every this many ticks (default 10: once a second at 100 ms). */
  batchTicks?: number;
  /** Over-the-air updates: the keys a bundle must be signed with, and the device's identity. */
  ota?: HeadsetOtaOptions;
  faults?: HeadsetFaults;
  /** Battery and usage at power-up (default: battery from the seed, 40..100 %, idle, not charging). */
  power?: Partial<PowerState>;
}


export interface HeadsetStats extends OtaCounts {
  connected: boolean;
  connects: number;
  acousticSeconds: number;
  samples: number;
  /** Samples dropped while offline beyond one batch's worth. */
  samplesDropped: number;
  batchesSent: number;
  batchesAcked: number;
  batchesFailed: number;
  deltasApplied: number;
  reportsAccepted: number;
  reportsRejected: number;
  refusals: number;
  /** Traps of the module, each followed by a restart. */
  crashes: number;
}

export interface HeadsetEvents {
  online: [];
  offline: [];
  delta: [state: Record<string, unknown>];
  reported: [reported: Partial<ReportedSettings>];
  rejected: [reason: { code?: number; message?: string }];
  'telemetry-acked': [samples: number];
  /** An over-the-air install or rollback changed what runs. */
  installed: [versions: { firmwareVersion: string; modelVersion?: string }];
  error: [error: Error];
}

/** Every counter of HeadsetStats at zero (a fleet's totals start from the same). */
export function zeroCounts(): Omit<HeadsetStats, 'connected'> {
  return {
    connects: 0,
    acousticSeconds: 0,
    samples: 0,
    samplesDropped: 0,
    batchesSent: 0,
    batchesAcked: 0,
    batchesFailed: 0,
    deltasApplied: 0,
    reportsAccepted: 0,
    reportsRejected: 0,
    refusals: 0,
    crashes: 0,
    otaSucceeded: 0,
    otaFailed: 0,
    otaRolledBack: 0,
    otaRequests: 0,
    otaRetries: 0,
    otaBytes: 0,
    otaBadMessages: 0,
  };
}

const MAX_PENDING_SAMPLES = 256; // one batch's limit: older samples are dropped while offline

export class VirtualHeadset extends EventEmitter<HeadsetEvents> {
  readonly deviceId: string;
  readonly stats: HeadsetStats = { connected: false, ...zeroCounts() };
  readonly runtime: HeadsetRuntime;
  readonly power: HeadsetPower;
  readonly ota: OtaAgent;
  readonly installer: BundleInstaller;
  readonly #o: VirtualHeadsetOptions;
  readonly #tickMs: number;
  readonly #every: number;
  readonly #batchTicks: number;
  readonly #shadowPrefix: string;
  #client: MqttClient | undefined;
  #reportedBattery = -1;
  #startedAt = 0;
  #stopTicks: (() => void) | undefined;
  #tick = 0;
  #pending: TelemetrySample[] = [];
  #eventCount = 0;
  #reportCount = 0;

  constructor(options: VirtualHeadsetOptions) {
    super();
    this.#o = options;
    this.deviceId = options.deviceId;
    this.#tickMs = options.tickMs ?? 100;
    this.#every = options.acousticsEvery ?? 1;
    this.#batchTicks = options.batchTicks ?? 10;
    this.#shadowPrefix = `${deviceRoot(options.deviceId)}shadow/`;
    const seed = options.seed ?? seedOf(options.deviceId);
    this.runtime = new HeadsetRuntime({
      firmware: options.firmware,
      scenario: options.scenario,
      seed,
      versions: { firmwareVersion: options.firmwareVersion ?? '0.1.0', modelVersion: options.modelVersion },
    });
    this.power = new HeadsetPower({ battery: 40 + (seed % 61), charging: false, inCall: false, ancSession: 'idle', ...options.power });
    const ota = options.ota ?? {};
    this.installer = new BundleInstaller({
      runtime: this.runtime,
      rollbackCounter: ota.rollbackCounter,
      faults: options.faults,
      selfTest: ota.selfTest,
      moduleDir: ota.moduleDir,
    });
    this.ota = new OtaAgent({
      deviceId: options.deviceId,
      clock: options.clock,
      installer: this.installer,
      trustedKeys: ota.trustedKeys ?? [],
      hardwareRevision: ota.hardwareRevision ?? 'hp-1',
      window: ota.window,
      requestTimeoutMs: ota.requestTimeoutMs,
      tickMs: this.#tickMs,
      faults: options.faults,
      counts: this.stats,
      running: () => ({ ...this.settings.versions }),
      onRunningChanged: () => this.#onInstalled(),
      dropLink: () => this.#client?.stream.destroy(),
    });
  }

  /** The settings of the module that runs now (it changes with a firmware install). */
  get settings(): HeadsetSettings {
    return this.runtime.settings;
  }

  /** The user plugs in, takes a call, starts listening...: reported to the shadow at once. */
  setPower(change: Partial<PowerState>): void {
    const changed = this.power.set(change);
    if (Object.keys(changed).length === 0) return;
    if (changed.battery !== undefined) changed.battery = this.#reportedBattery = Math.round(changed.battery);
    this.#report(changed);
  }

  /** Powers up the module in its acoustics, connects (retrying as mqtt.js does), and starts ticking. */
  start(): void {
    if (this.#client) throw new Error(`headset ${this.deviceId} already started`);
    const o = this.#o;
    this.runtime.powerUp();
    this.#startedAt = o.clock.now();
    const will: DeviceStatus = { v: 1, online: false, reason: 'lost' };
    const options: IClientOptions = {
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      ...o.transport.options,
      protocolVersion: 4,
      clean: true,
      clientId: o.deviceId,
      username: o.deviceId,
      password: o.secret,
      will: { topic: this.#topic('status'), payload: Buffer.from(JSON.stringify(will)), qos: 1, retain: true },
    };
    const client = (o.transport.connect ?? mqtt.connect)(o.transport.url, options);
    this.#client = client;
    client.on('connect', () => this.#onConnect(client));
    client.on('close', () => {
      if (!this.stats.connected) return;
      this.stats.connected = false;
      this.emit('offline');
    });
    client.on('message', (topic, payload) => this.#onMessage(topic, payload));
    this.ota.attach(client);
    // connection refusals and resets are retried by mqtt.js; they are the fleet's weather, not a crash
    client.on('error', (error) => this.#warn(error));
    this.#stopTicks = o.clock.every(this.#tickMs, () => this.#onTick());
  }

  /** Publishes `online: false` (shutdown), waits for in-flight acknowledgements, disconnects. */
  async stop(): Promise<void> {
    this.#stopTicks?.();
    this.#stopTicks = undefined;
    this.ota.stop();
    const client = this.#client;
    if (!client) return;
    if (client.connected) {
      this.#publishBatch(); // what the module measured since the last batch still goes out
      const bye: DeviceStatus = { v: 1, online: false, t: Math.floor(this.#o.clock.now()), reason: 'shutdown' };
      await client.publishAsync(this.#topic('status'), JSON.stringify(bye), { qos: 1, retain: true }).catch(() => {});
      await client.endAsync();
    } else {
      await client.endAsync(true);
    }
    this.stats.connected = false;
  }

  // 'error' without a listener would throw; a headset with nobody watching just carries on
  #warn(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  #topic(kind: Exclude<TopicKind, 'jobs/update' | `ota/${string}`>): string {
    return buildTopic({ kind, deviceId: this.deviceId });
  }

  #onConnect(client: MqttClient): void {
    this.stats.connected = true;
    this.stats.connects++;
    // a clean session: the server sends the current delta once the subscription exists
    client.subscribe(
      [this.#topic('shadow/delta'), this.#topic('shadow/update/accepted'), this.#topic('shadow/update/rejected')],
      { qos: 1 },
      (error) => {
        if (error) this.#warn(error);
      },
    );
    this.#publishStatus();
    this.#reportedBattery = this.power.reported().battery;
    this.#report({ ...this.settings.current(), ...this.power.reported() });
    this.emit('online');
  }

  #publishStatus(): void {
    const status: DeviceStatus = { v: 1, online: true, t: Math.floor(this.#o.clock.now()), firmwareVersion: this.settings.versions.firmwareVersion };
    this.#client?.publish(this.#topic('status'), JSON.stringify(status), { qos: 1, retain: true });
  }

  // What runs changed over the air: the shadow (and the status, for the firmware) say so.
  #onInstalled(): void {
    const current = this.settings.current();
    this.#report({ ...current, modelVersion: current.modelVersion ?? null });
    this.#publishStatus();
    this.emit('installed', { ...this.settings.versions });
  }

  #onMessage(topic: string, payload: Buffer): void {
    if (!topic.startsWith(this.#shadowPrefix)) return; // jobs and chunks are the OTA agent's
    let message: any;
    try {
      message = JSON.parse(payload.toString('utf8'));
    } catch {
      return; // the server sends JSON; anything else is not ours to act on
    }
    if (topic === this.#topic('shadow/delta')) {
      const state = (message?.state ?? {}) as Record<string, unknown>;
      this.emit('delta', state);
      const outcome = this.settings.apply(state);
      this.stats.deltasApplied++;
      if (Object.keys(outcome.reported).length > 0) this.#report(outcome.reported);
      for (const refusal of outcome.refused) this.#refused(refusal);
    } else if (topic === this.#topic('shadow/update/accepted')) {
      this.stats.reportsAccepted++;
      this.emit('reported', (message?.state?.reported ?? {}) as Partial<ReportedSettings>);
    } else if (topic === this.#topic('shadow/update/rejected')) {
      this.stats.reportsRejected++;
      this.emit('rejected', { code: message?.code, message: message?.message });
    }
  }

  #report(reported: Partial<Omit<ReportedSettings, 'modelVersion'>> & { modelVersion?: string | null } & Partial<PowerState>): void {
    const update = { state: { reported }, clientToken: `r-${++this.#reportCount}` };
    this.#client?.publish(this.#topic('shadow/update'), JSON.stringify(update), { qos: 1 });
  }

  // A desired value the module refused (RLS with too many taps, say) is a device error event.
  #refused(refusal: { field: string; code: number | string; message: string }): void {
    this.stats.refusals++;
    const event: DeviceEvent = {
      v: 1,
      id: `e-${this.#o.clock.now().toString(36)}-${++this.#eventCount}`,
      t: Math.floor(this.#o.clock.now()),
      type: 'error',
      code: refusal.code,
      severity: 'warning',
      message: `desired ${refusal.field}: ${refusal.message}`.slice(0, 512),
    };
    this.#client?.publish(this.#topic('events'), JSON.stringify(event), { qos: 1 });
  }

  #onTick(): void {
    this.#tick++;
    this.power.advance(this.#tickMs, this.runtime.firmware.getParam('bypass') === 0);
    const battery = this.power.reported().battery;
    if (battery !== this.#reportedBattery && this.stats.connected) {
      this.#reportedBattery = battery;
      this.#report({ battery });
    }
    if (this.#every > 0 && (this.#tick + (this.#o.acousticsPhase ?? 0)) % this.#every === 0) {
      try {
        this.runtime.step(this.#tickMs / 1000);
      } catch (error) {
        return this.#crashed(error as Error);
      }
      this.stats.acousticSeconds += this.#tickMs / 1000;
      const sample = telemetrySample(this.runtime.firmware.status(), this.#o.clock.now(), this.power.state.battery);
      if (sample) {
        this.stats.samples++;
        this.#pending.push(sample);
        if (this.#pending.length > MAX_PENDING_SAMPLES) {
          this.stats.samplesDropped += this.#pending.length - MAX_PENDING_SAMPLES;
          this.#pending.splice(0, this.#pending.length - MAX_PENDING_SAMPLES);
        }
      }
    }
    if (this.#tick % this.#batchTicks === 0) this.#publishBatch();
  }

  // The module trapped (a bad firmware build, say): a crash event, then a watchdog restart.
  #crashed(error: Error): void {
    this.stats.crashes++;
    const now = Math.floor(this.#o.clock.now());
    const event: DeviceEvent = {
      v: 1,
      id: `e-${now.toString(36)}-${++this.#eventCount}`,
      t: now,
      type: 'crash',
      reason: (error.message || error.name).slice(0, 256),
      firmwareVersion: this.settings.versions.firmwareVersion,
      uptimeMs: Math.max(0, now - this.#startedAt),
    };
    this.#client?.publish(this.#topic('events'), JSON.stringify(event), { qos: 1 });
    this.runtime.restart();
  }

  #publishBatch(): void {
    const client = this.#client;
    if (!client?.connected || this.#pending.length === 0) return;
    const samples = this.#pending;
    this.#pending = [];
    const batch: TelemetryBatch = { v: 1, samples };
    this.stats.batchesSent++;
    client.publish(this.#topic('telemetry'), JSON.stringify(batch), { qos: 1 }, (error) => {
      if (error) {
        this.stats.batchesFailed++;
        return;
      }
      this.stats.batchesAcked++;
      this.emit('telemetry-acked', samples.length);
    });
  }
}

/** A stable 32-bit seed per device id (FNV-1a), so a headset hears the same sound on every run. */
export function seedOf(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
