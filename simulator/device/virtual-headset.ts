// The virtual headset: the device side of host/protocol/ over any Transport. It routes requests:
// flashing with resume (flash-session.ts), commit with the host's own bundle checks
// (commit-check.ts), test boot / confirm / rollback (boot-controller.ts), calibration
// (calibration-request.ts), baud change with revert, status and log streams. A power cut (at a
// flash byte, or at a request) stops it dead; booting a new headset on the same file is the reset.
import type { KeyObject } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MessageLink } from '../../host/client/message-link.ts';
import { HANDSHAKE_MAX_PAYLOAD } from '../../host/protocol/frame-limits.ts';
import { NO_SLOT } from '../../host/protocol/handshake-messages.ts';
import { decodeBody, MessageFlag, type Envelope } from '../../host/protocol/message.ts';
import type { BodyOfKind, MessageBody } from '../../host/protocol/message-catalogue.ts';
import { ProtocolError } from '../../host/protocol/protocol-error.ts';
import { PROTOCOL_VERSION } from '../../host/protocol/protocol-version.ts';
import { DeviceErrorCode } from '../../host/protocol/reply-messages.ts';
import type { LogLevelName, ProgressStepName } from '../../host/protocol/report-messages.ts';
import type { Transport } from '../../host/transport/transport.ts';
import type { PlantPreset } from '../acoustics/plant.ts';
import { BootController } from './boot-controller.ts';
import type { BootState } from './boot-state.ts';
import { answerCalibration } from './calibration-request.ts';
import type { CalibrationRecord } from './calibration-run.ts';
import { checkCommit, CommitRefusal } from './commit-check.ts';
import { DeviceRefusal } from './device-refusal.ts';
import { LAYOUT, partitionTable, RECORD_SIZE } from './flash-layout.ts';
import { FlashMedium, PowerLoss } from './flash-medium.ts';
import { FlashRefusal, FlashSession, type Journal } from './flash-session.ts';
import { RecordStore } from './record-store.ts';
import { statusSnapshot } from './status-snapshot.ts';

export interface VirtualHeadsetOptions {
  transport: Transport;
  /** The simulated flash; created blank if missing. Reuse it to "reset" the same headset. */
  flashFile: string;
  trustedKeys: readonly KeyObject[];
  hardwareRevision?: string;
  deviceId?: string;
  /** Protocol version it speaks (tests provoke mismatches). */
  protocolVersion?: number;
  /** Receive frame limit announced at the handshake (default 16384: an 8 KiB segment and its headers fit). */
  maxFramePayload?: number;
  /** Receive window announced at the handshake (default 8). */
  window?: number;
  /** Acoustic plant used for calibration (default 'earcup-closed'). */
  plant?: PlantPreset;
  /** Cut the power once this many flash bytes have been written in this power cycle. */
  cutAfterBytes?: number;
  /**
   * Cut the power as the nth request of this power cycle arrives (1-based), before it is handled:
   * for steps that write no flash (manifest chunks, the signature check), where a byte cut cannot land.
   */
  cutAtRequest?: number;
}

const LOG_LEVELS: LogLevelName[] = ['debug', 'info', 'warn', 'error'];

export class VirtualHeadset {
  readonly medium: FlashMedium;
  readonly link: MessageLink;
  /** Make the next test boot's self-test fail (test switch). */
  failSelfTest = false;
  /** Events for tests and the `anc-sim device` console. */
  readonly log: string[] = [];
  readonly #boot: BootController;
  readonly #flash: FlashSession;
  readonly #config: RecordStore<Record<string, unknown>>;
  readonly #calibration: RecordStore<CalibrationRecord>;
  #manifest: { total: number; bytes: Uint8Array; received: number } | undefined;
  #queue: Promise<void> = Promise.resolve();
  #dead = false;
  #offData: () => void;
  readonly #started = performance.now();
  #statusTimer: NodeJS.Timeout | undefined;
  #statusSequence = 0;
  #logLevel: LogLevelName | 'off' = 'off';
  #revertTimer: NodeJS.Timeout | undefined;
  readonly #deadListeners: Array<(e: PowerLoss) => void> = [];

  constructor(readonly options: VirtualHeadsetOptions) {
    mkdirSync(dirname(options.flashFile), { recursive: true });
    this.medium = new FlashMedium(options.flashFile, LAYOUT.size);
    this.#flash = new FlashSession(this.medium, new RecordStore<Journal>(this.medium, LAYOUT.journal, RECORD_SIZE));
    this.#config = new RecordStore(this.medium, LAYOUT.config, RECORD_SIZE);
    this.#calibration = new RecordStore(this.medium, LAYOUT.calibration, RECORD_SIZE);
    this.#boot = new BootController({
      medium: this.medium,
      moduleDir: dirname(options.flashFile),
      deviceId: this.deviceId,
      note: (level, text) => this.#note(level, text),
      calibration: () => this.#calibration.load()?.coefficients,
      failSelfTest: () => this.failSelfTest,
    });
    this.medium.cutAfterBytes = options.cutAfterBytes;
    this.link = new MessageLink(options.transport);
    this.#offData = this.link.onEnvelope((e) => {
      clearTimeout(this.#revertTimer); // any valid frame proves the current baud rate
      this.#queue = this.#queue.then(() => this.#handle(e));
    });
  }

  get bootState(): BootState {
    return structuredClone(this.#boot.state) as BootState;
  }
  get mode(): 'bootloader' | 'application' {
    return this.#boot.running === null ? 'bootloader' : 'application';
  }
  get runningSlot(): number | null {
    return this.#boot.running;
  }
  get dead(): boolean {
    return this.#dead;
  }
  /** Requests received in this power cycle (tests pick cutAtRequest values from it). */
  get requestsReceived(): number {
    return this.#requests;
  }
  #requests = 0;
  get hardwareRevision(): string {
    return this.options.hardwareRevision ?? 'hp-1';
  }
  get deviceId(): string {
    return this.options.deviceId ?? 'sim-0001';
  }
  /** The stored calibration record, if its CRC checks. */
  get calibration(): CalibrationRecord | undefined {
    return this.#calibration.load();
  }

  /** Resolves when the device lost power (a test armed cutAfterBytes). */
  onPowerLoss(listener: (e: PowerLoss) => void): void {
    this.#deadListeners.push(listener);
  }

  /** Stops serving (power off) and releases the flash file. Safe to call twice. */
  async shutdown(): Promise<void> {
    this.#stop();
    await this.#queue.catch(() => {});
    if (!this.#closed) {
      this.#closed = true;
      this.medium.close();
    }
  }
  #closed = false;

  #powerLoss(e: PowerLoss): void {
    this.#stop();
    for (const l of this.#deadListeners) l(e);
  }

  #stop(): void {
    this.#dead = true;
    this.#offData();
    clearInterval(this.#statusTimer);
    clearTimeout(this.#revertTimer);
  }

  async #handle(e: Envelope): Promise<void> {
    if (this.#dead || e.flags !== 0) return; // only requests come to a device
    if (++this.#requests === this.options.cutAtRequest) return this.#powerLoss(this.medium.cut());
    let body: MessageBody;
    try {
      body = decodeBody(e.type, e.payload);
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      return this.#reply(e.id, { kind: 'error', code: DeviceErrorCode[err.code === 'unknown-type' ? 'unknown-type' : 'bad-message'], message: err.message });
    }
    let reply: MessageBody;
    try {
      reply = await this.#dispatch(e.id, body);
    } catch (err) {
      if (err instanceof PowerLoss) return this.#powerLoss(err);
      if (err instanceof DeviceRefusal || err instanceof CommitRefusal || err instanceof FlashRefusal) {
        this.#note('warn', `${body.kind} refused: ${err.message}`);
        reply = { kind: 'error', code: DeviceErrorCode[err.code], message: err.message };
      } else {
        reply = { kind: 'error', code: DeviceErrorCode['flash-failed'], message: `device fault: ${(err as Error).message}` };
      }
    }
    if (reply.kind === 'handshake-response') {
      await this.#reply(e.id, reply);
      // After the handshake each side sends at most what the other receives.
      this.link.setLimits({ send: this.#hostMax, receive: this.#receiveMax });
      return;
    }
    await this.#reply(e.id, reply);
  }
  #hostMax = HANDSHAKE_MAX_PAYLOAD;

  get #receiveMax(): number {
    return this.options.maxFramePayload ?? 16384;
  }

  async #dispatch(id: number, b: MessageBody): Promise<MessageBody> {
    switch (b.kind) {
      case 'handshake-request':
        this.#hostMax = Math.max(HANDSHAKE_MAX_PAYLOAD, Math.min(b.maxFramePayload, 65536));
        return this.#handshake();
      case 'info-request':
        return this.#info();
      case 'baud-change-request':
        return this.#baudChange(b);
      case 'flash-begin': {
        return this.#flash.begin(b, this.#boot.prepareFlashTarget(), this.#receiveMax - 16);
      }
      case 'flash-hashes':
        this.#flash.hashes(b);
        return { kind: 'ack' };
      case 'flash-segment': {
        const reason = this.#flash.segment(b);
        return reason ? { kind: 'segment-nack', index: b.index, reason } : { kind: 'segment-ack', index: b.index };
      }
      case 'flash-status-request':
        return this.#flash.status();
      case 'manifest-chunk':
        return this.#manifestChunk(b);
      case 'commit':
        return this.#commit(id, b);
      case 'boot-control':
        return this.#bootControl(id, b);
      case 'stream-control':
        return this.#streamControl(b);
      case 'calibration-start':
        return this.#calibrate(id, b);
      case 'config-get': {
        const all = this.#config.load() ?? {};
        return { kind: 'config-value', json: JSON.stringify(b.key === '' ? all : (all[b.key] ?? null)) };
      }
      case 'config-set': {
        if (!/^[A-Za-z][A-Za-z0-9._-]{0,63}$/.test(b.key)) throw new DeviceRefusal('bad-message', `config key '${b.key}' is not a name (letters, digits, . _ -)`);
        this.#config.save({ ...(this.#config.load() ?? {}), [b.key]: JSON.parse(b.json) as unknown });
        return { kind: 'ack' };
      }
      default:
        throw new DeviceRefusal(b.kind === 'capture-request' ? 'unsupported' : 'bad-message', `${b.kind} is not supported by this device`);
    }
  }

  #handshake(): BodyOfKind<'handshake-response'> {
    const states = [0, 1].map((i) => this.#boot.state.slots[i].state) as [BootState['slots'][0]['state'], BootState['slots'][1]['state']];
    return {
      kind: 'handshake-response',
      protocolVersion: this.options.protocolVersion ?? PROTOCOL_VERSION,
      maxFramePayload: this.#receiveMax,
      window: this.options.window ?? 8,
      compression: ['none', 'deflate-raw'],
      hashes: ['sha256'],
      mode: this.mode,
      hardwareRevision: this.hardwareRevision,
      deviceId: this.deviceId,
      activeSlot: this.#boot.state.active ?? NO_SLOT,
      partitions: partitionTable(states),
    };
  }

  #info(): BodyOfKind<'info'> {
    return {
      kind: 'info',
      deviceId: this.deviceId,
      hardwareRevision: this.hardwareRevision,
      bootloaderVersion: '1.0.0-sim',
      firmwareVersion: this.#boot.running === null ? '' : this.#boot.state.slots[this.#boot.running].version,
      mode: this.mode,
      rollbackCounter: this.#boot.state.rollbackCounter,
      uptimeMs: Math.round(performance.now() - this.#started),
      calibrated: this.#calibration.load() !== undefined,
    };
  }

  #baudChange(b: BodyOfKind<'baud-change-request'>): BodyOfKind<'baud-change-ack'> {
    const transport = this.options.transport;
    const old = transport.baudRate;
    const switchDelayMs = 5;
    // The ack goes out first (the reply is queued before these timers fire), at the old rate.
    setTimeout(() => {
      if (this.#dead) return;
      transport.setBaudRate(b.baud).catch(() => {});
      this.#revertTimer = setTimeout(() => {
        this.#note('warn', `no valid frame at ${b.baud} baud within ${b.revertAfterMs} ms: back to ${old}`);
        transport.setBaudRate(old).catch(() => {});
      }, b.revertAfterMs);
    }, switchDelayMs);
    return { kind: 'baud-change-ack', baud: b.baud, switchDelayMs };
  }

  #manifestChunk(b: BodyOfKind<'manifest-chunk'>): BodyOfKind<'ack'> {
    if (b.offset === 0 || !this.#manifest || this.#manifest.total !== b.totalLength) this.#manifest = { total: b.totalLength, bytes: new Uint8Array(b.totalLength), received: 0 };
    this.#manifest.bytes.set(b.data, b.offset);
    this.#manifest.received = Math.max(this.#manifest.received, b.offset + b.data.length);
    return { kind: 'ack' };
  }

  async #commit(id: number, b: BodyOfKind<'commit'>): Promise<BodyOfKind<'ack'>> {
    const m = this.#manifest;
    if (!m || m.received !== m.total) throw new DeviceRefusal('bad-state', 'commit before the whole manifest arrived: send manifest-chunk messages first');
    const journal = this.#flash.journal;
    // An identical commit already applied (the host retried after a lost ack): ack again.
    if ((!journal || journal.slot < 0) && this.#lastCommit && Buffer.from(b.manifestSha256).equals(this.#lastCommit)) return { kind: 'ack' };
    await this.#progress(id, 'verify', 0, 1);
    const { slot, info } = checkCommit({
      manifestBytes: m.bytes,
      commit: b,
      journal,
      readArtifact: (s, offset, size) => this.medium.read(LAYOUT.slots[s].offset + offset, size),
      trustedKeys: this.options.trustedKeys,
      hardwareRevision: this.hardwareRevision,
      rollbackCounter: this.#boot.state.rollbackCounter,
    });
    await this.#progress(id, 'commit', 1, 2);
    this.#boot.install(slot, info); // the atomic step: the new slot exists only from here
    this.#flash.clear();
    this.#lastCommit = Buffer.from(b.manifestSha256);
    this.#note('info', `committed ${info.version} to slot ${slot}, pending test boot`);
    return { kind: 'ack' };
  }
  #lastCommit: Buffer | undefined;

  async #bootControl(id: number, b: BodyOfKind<'boot-control'>): Promise<BodyOfKind<'ack'>> {
    if (b.action === 'test-boot') await this.#boot.testBoot(() => this.#progress(id, 'boot', 0, 1));
    else if (b.action === 'confirm') this.#boot.confirm();
    else this.#boot.rollback();
    return { kind: 'ack' };
  }

  #streamControl(b: BodyOfKind<'stream-control'>): BodyOfKind<'ack'> {
    clearInterval(this.#statusTimer);
    this.#logLevel = b.logLevel;
    if (b.statusIntervalMs > 0) {
      this.#statusTimer = setInterval(() => {
        if (this.#dead || !this.options.transport.isOpen) return clearInterval(this.#statusTimer);
        const snapshot = statusSnapshot(this.#boot.firmware);
        this.#event(0, { kind: 'status-stream', sequence: this.#statusSequence++, uptimeMs: Math.round(performance.now() - this.#started), snapshot });
      }, b.statusIntervalMs);
    }
    return { kind: 'ack' };
  }

  #calibrate(id: number, b: BodyOfKind<'calibration-start'>): Promise<BodyOfKind<'calibration-result'>> {
    return answerCalibration(b, {
      store: this.#calibration,
      plant: this.options.plant ?? 'earcup-closed',
      firmware: this.#boot.firmware,
      deviceId: this.deviceId,
      progress: (done, total) => this.#progress(id, 'calibrate', done, total),
    });
  }

  /** Every log note as it happens (tests wait on these instead of polling). */
  onLog(listener: (line: string) => void): void {
    this.#logListeners.push(listener);
  }
  readonly #logListeners: Array<(line: string) => void> = [];

  #note(level: LogLevelName, text: string): void {
    this.log.push(`${level}: ${text}`);
    for (const l of this.#logListeners) l(`${level}: ${text}`);
    if (this.link && this.#logLevel !== 'off' && LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(this.#logLevel)) {
      this.#event(0, { kind: 'log-line', level, uptimeMs: Math.round(performance.now() - this.#started), text });
    }
  }

  #progress(id: number, step: ProgressStepName, done: number, total: number): Promise<void> {
    return this.#event(id, { kind: 'progress', step, done, total });
  }

  #reply(id: number, body: MessageBody): Promise<void> {
    if (this.#dead) return Promise.resolve();
    return this.link.send({ id, flags: MessageFlag.response, body }).catch(() => {});
  }

  #event(id: number, body: MessageBody): Promise<void> {
    if (this.#dead || !this.options.transport.isOpen) return Promise.resolve();
    return this.link.send({ id, flags: MessageFlag.event, body }).catch(() => {});
  }
}
