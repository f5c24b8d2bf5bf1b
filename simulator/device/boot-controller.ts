// The bootloader's half of the virtual headset: the persisted boot state (A/B slots, trial,
// anti-rollback counter), the reset rule at power-on, starting a slot's firmware, and the
// boot-control actions (test boot, confirm, rollback). Every change is one RecordStore save, so a
// power cut leaves either the old or the new boot state, never a mix.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Firmware } from '../../firmware/loader.ts';
import type { LogLevelName } from '../../host/protocol/report-messages.ts';
import { blankBootState, decideBoot, EMPTY_SLOT, inactiveSlot, otherSlot, type BootState, type SlotInfo } from './boot-state.ts';
import { DeviceRefusal } from './device-refusal.ts';
import { LAYOUT, RECORD_SIZE } from './flash-layout.ts';
import type { FlashMedium } from './flash-medium.ts';
import { RecordStore } from './record-store.ts';
import { runSelfTest } from './self-test.ts';

export interface BootControllerDeps {
  medium: FlashMedium;
  /** Where slot modules are written for the loader (named by content, so a reflash is a new module). */
  moduleDir: string;
  deviceId: string;
  note(level: LogLevelName, text: string): void;
  /** The stored secondary path, loaded into every firmware that boots. */
  calibration(): readonly number[] | undefined;
  /** Test switch: the self-test of the next test boot fails. */
  failSelfTest(): boolean;
}

export class BootController {
  #state: BootState;
  readonly #store: RecordStore<BootState>;
  #running: number | null = null;
  #firmware: Firmware | undefined;

  /** Power-on: the reset rule over the stored state, then the active slot's firmware starts. */
  constructor(private readonly deps: BootControllerDeps) {
    this.#store = new RecordStore(deps.medium, LAYOUT.bootState, RECORD_SIZE);
    const stored = this.#store.load() ?? blankBootState();
    const decided = decideBoot(stored, (slot) => this.slotIntact(slot, stored));
    this.#state = decided.state;
    for (const e of decided.events) deps.note('warn', e);
    if (decided.events.length > 0) this.#store.save(this.#state);
    this.#start(this.#state.active);
  }

  /** The live state (read only: change it through the methods below). */
  get state(): Readonly<BootState> {
    return this.#state;
  }
  get running(): number | null {
    return this.#running;
  }
  get firmware(): Firmware | undefined {
    return this.#firmware;
  }

  /** The slot a flash writes to, made unbootable before the first byte of it is overwritten. */
  prepareFlashTarget(): number {
    const s = this.#state;
    if (s.trial !== null) throw new DeviceRefusal('bad-state', `slot ${s.trial} is under test boot: run anc confirm or anc rollback first`);
    const slot = inactiveSlot(s);
    if (s.slots[slot].state !== 'empty') {
      s.slots[slot] = { ...EMPTY_SLOT, artifacts: [] };
      this.#store.save(s);
    }
    return slot;
  }

  /** Commit's atomic step: the verified slot exists (pending its test boot) only once this is saved. */
  install(slot: number, info: SlotInfo): void {
    this.#state.slots[slot] = info;
    this.#store.save(this.#state);
  }

  /** Boots the pending slot under trial; a failed self-test marks it invalid and restarts the active one. */
  async testBoot(announce: () => Promise<void>): Promise<void> {
    const s = this.#state;
    const slot = [0, 1].find((i) => s.slots[i].state === 'pending-test');
    if (slot === undefined) throw new DeviceRefusal('bad-state', 'no slot is waiting for a test boot: flash a bundle first');
    s.trial = slot;
    this.#store.save(s); // a reset from here on rolls back unless confirmed
    await announce();
    const result = this.#start(slot);
    if (result.ok) return;
    s.slots[slot].state = 'invalid';
    s.trial = null;
    this.#store.save(s);
    this.#start(s.active);
    throw new DeviceRefusal('flash-failed', `the new firmware failed its self-test (${result.detail}) and was rolled back${s.active === null ? '' : ` to slot ${s.active}`}: check the bundle's firmware`);
  }

  confirm(): void {
    const s = this.#state;
    if (s.trial === null || this.#running !== s.trial) throw new DeviceRefusal('bad-state', 'nothing to confirm: no firmware is under test boot');
    const previous = s.active;
    if (previous !== null && s.slots[previous].state === 'confirmed') s.slots[previous].state = 'valid';
    s.active = s.trial;
    s.trial = null;
    s.slots[s.active].state = 'confirmed';
    s.rollbackCounter = Math.max(s.rollbackCounter, s.slots[s.active].counter);
    this.#store.save(s);
    this.deps.note('info', `slot ${s.active} confirmed (${s.slots[s.active].version})`);
  }

  /** Abandons a trial, or goes back to the previous slot if anti-rollback allows it. */
  rollback(): void {
    const s = this.#state;
    if (s.trial !== null) {
      s.slots[s.trial].state = 'invalid';
      s.trial = null;
    } else {
      if (s.active === null) throw new DeviceRefusal('bad-state', 'no firmware installed: nothing to roll back');
      const other = otherSlot(s.active);
      const prev = s.slots[other];
      if (prev.state !== 'valid' || !this.slotIntact(other)) throw new DeviceRefusal('bad-state', 'no previous firmware to roll back to (its slot was overwritten or is invalid): flash the version you want');
      if (prev.counter < s.rollbackCounter) throw new DeviceRefusal('downgrade', `the previous firmware ${prev.version} has counter ${prev.counter}, below the device's ${s.rollbackCounter}: anti-rollback forbids it`);
      s.slots[s.active].state = 'valid';
      prev.state = 'confirmed';
      s.active = other;
    }
    this.#store.save(s);
    this.#start(s.active);
    this.deps.note('info', `rolled back: running ${s.active === null ? 'the bootloader' : `slot ${s.active}`}`);
  }

  slotIntact(slot: number, state: BootState = this.#state): boolean {
    const info = state.slots[slot];
    if (info.artifacts.length === 0) return false;
    const base = LAYOUT.slots[slot].offset;
    return info.artifacts.every((a) => createHash('sha256').update(this.deps.medium.read(base + a.offset, a.size)).digest('hex') === a.sha256);
  }

  /** Boots a slot's firmware module (or none): returns the self-test result. */
  #start(slot: number | null): { ok: boolean; detail: string } {
    this.#running = null;
    this.#firmware = undefined;
    if (slot === null) return { ok: true, detail: 'bootloader' };
    const info = this.#state.slots[slot];
    const fw = info.artifacts.find((a) => a.type === 'firmware-wasm');
    if (!fw) {
      this.#running = slot; // a slot without firmware (model/config only) keeps the bootloader's
      return { ok: true, detail: 'no firmware artifact' };
    }
    const bytes = this.deps.medium.read(LAYOUT.slots[slot].offset + fw.offset, fw.size);
    // The loader caches modules by path: name the file by content so a reflash is a new module.
    const path = join(this.deps.moduleDir, `${this.deps.deviceId}-slot${slot}-${fw.sha256.slice(0, 16)}.wasm`);
    const result = runSelfTest(path, bytes, { fail: this.deps.failSelfTest() && this.#state.trial === slot });
    if (result.ok) {
      this.#running = slot;
      this.#firmware = result.firmware;
      const cal = this.deps.calibration();
      if (cal) this.#firmware?.setSecondaryPath(cal);
      this.deps.note('info', `booted slot ${slot} (${info.version}): ${result.detail}`);
    }
    return result;
  }
}
