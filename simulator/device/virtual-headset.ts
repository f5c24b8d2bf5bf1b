// The virtual headset: the device side of host/protocol/ over any Transport. Bootloader and
// application in one state machine: A/B slots in file-backed flash, flashing with resume, commit
// with the host's own bundle checks, test boot / confirm / automatic rollback, baud change with
// revert, status and log streams, calibration against simulated acoustics. A power cut (armed on
// the FlashMedium) stops it dead mid-write; booting a new headset on the same file is the reset.
import { createHash, type KeyObject } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MessageLink } from '../../host/client/message-link.ts';
import type { Firmware } from '../../firmware/loader.ts';
import { HANDSHAKE_MAX_PAYLOAD } from '../../host/protocol/frame-limits.ts';
import { NO_SLOT } from '../../host/protocol/handshake-messages.ts';
import { decodeBody, MessageFlag, type Envelope } from '../../host/protocol/message.ts';
import type { BodyOfKind, MessageBody } from '../../host/protocol/message-catalogue.ts';
import { ProtocolError } from '../../host/protocol/protocol-error.ts';
import { PROTOCOL_VERSION } from '../../host/protocol/protocol-version.ts';
import { DeviceErrorCode, type DeviceErrorName } from '../../host/protocol/reply-messages.ts';
import type { LogLevelName, ProgressStepName } from '../../host/protocol/report-messages.ts';
import type { Transport } from '../../host/transport/transport.ts';
import type { PlantPreset } from '../acoustics/plant.ts';
import { blankBootState, decideBoot, inactiveSlot, otherSlot, type BootState } from './boot-state.ts';
import { runCalibration, type CalibrationRecord } from './calibration-run.ts';
import { checkCommit, CommitRefusal } from './commit-check.ts';
import { LAYOUT, partitionTable, RECORD_SIZE } from './flash-layout.ts';
import { FlashMedium, PowerLoss } from './flash-medium.ts';
import { FlashRefusal, FlashSession, type Journal } from './flash-session.ts';
import { RecordStore } from './record-store.ts';
import { runSelfTest } from './self-test.ts';
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
  /** Receive frame limit announced at the handshake (default 8192). */
  maxFramePayload?: number;
  /** Receive window announced at the handshake (default 8). */
  window?: number;
  /** Acoustic plant used for calibration (default 'earcup-closed'). */
  plant?: PlantPreset;
  /** Cut the power once this many flash bytes have been written in this power cycle. */
  cutAfterBytes?: number;
}

/** Thrown to a request handler to answer with an `error` reply. */
class Refusal extends Error {
  constructor(
    readonly code: DeviceErrorName,
    message: string,
  ) {
    super(message);
  }
}

const LOG_LEVELS: LogLevelName[] = ['debug', 'info', 'warn', 'error'];

export class VirtualHeadset {
  readonly medium: FlashMedium;
  readonly link: MessageLink;
  /** Make the next test boot's self-test fail (test switch). */
  failSelfTest = false;
  /** Events for tests and the `anc-sim device` console. */
  readonly log: string[] = [];
  #boot: BootState;
  readonly #bootStore: RecordStore<BootState>;
  readonly #flash: FlashSession;
  readonly #config: RecordStore<Record<string, unknown>>;
  readonly #calibration: RecordStore<CalibrationRecord>;
  #running: number | null = null;
  #firmware: Firmware | undefined;
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
    this.#bootStore = new RecordStore(this.medium, LAYOUT.bootState, RECORD_SIZE);
    this.#flash = new FlashSession(this.medium, new RecordStore<Journal>(this.medium, LAYOUT.journal, RECORD_SIZE));
    this.#config = new RecordStore(this.medium, LAYOUT.config, RECORD_SIZE);
    this.#calibration = new RecordStore(this.medium, LAYOUT.calibration, RECORD_SIZE);
    // Boot: the bootloader's reset rule, then start the active slot's firmware.
    const stored = this.#bootStore.load() ?? blankBootState();
    const decided = decideBoot(stored, (slot) => this.#slotIntact(slot, stored));
    this.#boot = decided.state;
    for (const e of decided.events) this.#note('warn', e);
    if (decided.events.length > 0) this.#bootStore.save(this.#boot);
    this.#start(this.#boot.active);
    this.medium.cutAfterBytes = options.cutAfterBytes;
    this.link = new MessageLink(options.transport);
    this.#offData = this.link.onEnvelope((e) => {
      clearTimeout(this.#revertTimer); // any valid frame proves the current baud rate
      this.#queue = this.#queue.then(() => this.#handle(e));
    });
  }

  get bootState(): BootState {
    return structuredClone(this.#boot);
  }
  get mode(): 'bootloader' | 'application' {
    return this.#running === null ? 'bootloader' : 'application';
  }
  get runningSlot(): number | null {
    return this.#running;
  }
  get dead(): boolean {
    return this.#dead;
  }
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

  #stop(): void {
    this.#dead = true;
    this.#offData();
    clearInterval(this.#statusTimer);
    clearTimeout(this.#revertTimer);
  }

  async #handle(e: Envelope): Promise<void> {
    if (this.#dead || e.flags !== 0) return; // only requests come to a device
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
      if (err instanceof PowerLoss) {
        this.#stop();
        for (const l of this.#deadListeners) l(err);
        return;
      }
      if (err instanceof Refusal || err instanceof CommitRefusal || err instanceof FlashRefusal) {
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
    return this.options.maxFramePayload ?? 8192;
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
        if (this.#boot.trial !== null) throw new Refusal('bad-state', `slot ${this.#boot.trial} is under test boot: run anc confirm or anc rollback first`);
        const slot = inactiveSlot(this.#boot);
        if (this.#boot.slots[slot].state !== 'empty') {
          // About to overwrite it: it must stop being bootable before the first byte lands.
          this.#boot.slots[slot] = { state: 'empty', version: '', counter: 0, artifacts: [] };
          this.#bootStore.save(this.#boot);
        }
        return this.#flash.begin(b, slot, this.#receiveMax - 16);
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
        if (!/^[A-Za-z][A-Za-z0-9._-]{0,63}$/.test(b.key)) throw new Refusal('bad-message', `config key '${b.key}' is not a name (letters, digits, . _ -)`);
        this.#config.save({ ...(this.#config.load() ?? {}), [b.key]: JSON.parse(b.json) as unknown });
        return { kind: 'ack' };
      }
      default:
        throw new Refusal(b.kind === 'capture-request' ? 'unsupported' : 'bad-message', `${b.kind} is not supported by this device`);
    }
  }

  #handshake(): BodyOfKind<'handshake-response'> {
    const states = [0, 1].map((i) => this.#boot.slots[i].state) as [BootState['slots'][0]['state'], BootState['slots'][1]['state']];
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
      activeSlot: this.#boot.active ?? NO_SLOT,
      partitions: partitionTable(states),
    };
  }

  #info(): BodyOfKind<'info'> {
    return {
      kind: 'info',
      deviceId: this.deviceId,
      hardwareRevision: this.hardwareRevision,
      bootloaderVersion: '1.0.0-sim',
      firmwareVersion: this.#running === null ? '' : this.#boot.slots[this.#running].version,
      mode: this.mode,
      rollbackCounter: this.#boot.rollbackCounter,
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
    if (!m || m.received !== m.total) throw new Refusal('bad-state', 'commit before the whole manifest arrived: send manifest-chunk messages first');
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
      rollbackCounter: this.#boot.rollbackCounter,
    });
    await this.#progress(id, 'commit', 1, 2);
    this.#boot.slots[slot] = info;
    this.#bootStore.save(this.#boot); // the atomic step: the new slot exists only from here
    this.#flash.clear();
    this.#lastCommit = Buffer.from(b.manifestSha256);
    this.#note('info', `committed ${info.version} to slot ${slot}, pending test boot`);
    return { kind: 'ack' };
  }
  #lastCommit: Buffer | undefined;

  async #bootControl(id: number, b: BodyOfKind<'boot-control'>): Promise<BodyOfKind<'ack'>> {
    const s = this.#boot;
    if (b.action === 'test-boot') {
      const slot = [0, 1].find((i) => s.slots[i].state === 'pending-test');
      if (slot === undefined) throw new Refusal('bad-state', 'no slot is waiting for a test boot: flash a bundle first');
      s.trial = slot;
      this.#bootStore.save(s); // a reset from here on rolls back unless confirmed
      await this.#progress(id, 'boot', 0, 1);
      const result = this.#start(slot);
      if (!result.ok) {
        s.slots[slot].state = 'invalid';
        s.trial = null;
        this.#bootStore.save(s);
        this.#start(s.active);
        throw new Refusal('flash-failed', `the new firmware failed its self-test (${result.detail}) and was rolled back${s.active === null ? '' : ` to slot ${s.active}`}: check the bundle's firmware`);
      }
      return { kind: 'ack' };
    }
    if (b.action === 'confirm') {
      if (s.trial === null || this.#running !== s.trial) throw new Refusal('bad-state', 'nothing to confirm: no firmware is under test boot');
      const previous = s.active;
      if (previous !== null && s.slots[previous].state === 'confirmed') s.slots[previous].state = 'valid';
      s.active = s.trial;
      s.trial = null;
      s.slots[s.active].state = 'confirmed';
      s.rollbackCounter = Math.max(s.rollbackCounter, s.slots[s.active].counter);
      this.#bootStore.save(s);
      this.#note('info', `slot ${s.active} confirmed (${s.slots[s.active].version})`);
      return { kind: 'ack' };
    }
    // rollback: abandon a trial, or go back to the previous slot if anti-rollback allows it
    if (s.trial !== null) {
      s.slots[s.trial].state = 'invalid';
      s.trial = null;
    } else {
      if (s.active === null) throw new Refusal('bad-state', 'no firmware installed: nothing to roll back');
      const other = otherSlot(s.active);
      const prev = s.slots[other];
      if (prev.state !== 'valid' || !this.#slotIntact(other)) throw new Refusal('bad-state', 'no previous firmware to roll back to (its slot was overwritten or is invalid): flash the version you want');
      if (prev.counter < s.rollbackCounter) throw new Refusal('downgrade', `the previous firmware ${prev.version} has counter ${prev.counter}, below the device's ${s.rollbackCounter}: anti-rollback forbids it`);
      s.slots[s.active].state = 'valid';
      prev.state = 'confirmed';
      s.active = other;
    }
    this.#bootStore.save(s);
    this.#start(s.active);
    this.#note('info', `rolled back: running ${s.active === null ? 'the bootloader' : `slot ${s.active}`}`);
    return { kind: 'ack' };
  }

  #streamControl(b: BodyOfKind<'stream-control'>): BodyOfKind<'ack'> {
    clearInterval(this.#statusTimer);
    this.#logLevel = b.logLevel;
    if (b.statusIntervalMs > 0) {
      this.#statusTimer = setInterval(() => {
        if (this.#dead || !this.options.transport.isOpen) return clearInterval(this.#statusTimer);
        const snapshot = statusSnapshot(this.#firmware);
        this.#event(0, { kind: 'status-stream', sequence: this.#statusSequence++, uptimeMs: Math.round(performance.now() - this.#started), snapshot });
      }, b.statusIntervalMs);
    }
    return { kind: 'ack' };
  }

  async #calibrate(id: number, b: BodyOfKind<'calibration-start'>): Promise<BodyOfKind<'calibration-result'>> {
    if (b.taps > 256) throw new Refusal('calibration-failed', `taps ${b.taps} outside 2..256 (the firmware's secondary-path limit): pass --taps 128`);
    const result = await runCalibration(b, {
      plant: this.options.plant ?? 'earcup-closed',
      firmware: this.#firmware,
      deviceId: this.deviceId,
      progress: (done, total) => this.#progress(id, 'calibrate', done, total),
    });
    let stored = false;
    if (result.record) {
      this.#calibration.save(result.record);
      // Read back and compare: only then does the host hear "stored".
      const back = this.#calibration.load();
      stored = back !== undefined && JSON.stringify(back) === JSON.stringify(result.record);
      if (stored && this.#firmware) this.#firmware.setSecondaryPath(result.record.coefficients);
    }
    return { kind: 'calibration-result', procedure: b.procedure, stored, coefficients: result.coefficients, micGainsDb: result.micGainsDb, metrics: result.metrics };
  }

  /** Boots a slot's firmware module (or none): returns the self-test result. */
  #start(slot: number | null): { ok: boolean; detail: string } {
    this.#running = null;
    this.#firmware = undefined;
    if (slot === null) return { ok: true, detail: 'bootloader' };
    const fw = this.#boot.slots[slot].artifacts.find((a) => a.type === 'firmware-wasm');
    if (!fw) {
      this.#running = slot; // a slot without firmware (model/config only) keeps the bootloader's
      return { ok: true, detail: 'no firmware artifact' };
    }
    const bytes = this.medium.read(LAYOUT.slots[slot].offset + fw.offset, fw.size);
    // The loader caches modules by path: name the file by content so a reflash is a new module.
    const path = join(dirname(this.options.flashFile), `${this.deviceId}-slot${slot}-${fw.sha256.slice(0, 16)}.wasm`);
    const result = runSelfTest(path, bytes, { fail: this.failSelfTest && this.#boot.trial === slot });
    if (result.ok) {
      this.#running = slot;
      this.#firmware = result.firmware;
      const cal = this.#calibration.load();
      if (cal) this.#firmware?.setSecondaryPath(cal.coefficients);
      this.#note('info', `booted slot ${slot} (${this.#boot.slots[slot].version}): ${result.detail}`);
    }
    return result;
  }

  #slotIntact(slot: number, state: BootState = this.#boot): boolean {
    const info = state.slots[slot];
    if (info.artifacts.length === 0) return false;
    return info.artifacts.every((a) => createHash('sha256').update(this.medium.read(LAYOUT.slots[slot].offset + a.offset, a.size)).digest('hex') === a.sha256);
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
