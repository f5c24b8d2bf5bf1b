// What the bootloader persists about the slots, and the boot decision it makes from it at reset.
// Pure: the headset loads and saves it through a RecordStore (two copies, atomic).
import type { SlotStateName } from '../../host/protocol/handshake-messages.ts';
import type { ArtifactTypeName } from '../../host/protocol/flash-messages.ts';

export interface SlotArtifact {
  name: string;
  type: ArtifactTypeName;
  /** Offset inside the slot. */
  offset: number;
  size: number;
  sha256: string;
}

export interface SlotInfo {
  state: SlotStateName;
  version: string;
  counter: number;
  artifacts: SlotArtifact[];
}

export interface BootState {
  /** The slot that boots (0, 1) or null on a blank device. */
  active: number | null;
  /** A slot being test-booted: if a reset finds this still set, the trial failed (no confirm). */
  trial: number | null;
  slots: [SlotInfo, SlotInfo];
  /** Anti-rollback counter: raised to a bundle's counter when its slot is confirmed. */
  rollbackCounter: number;
}

export const EMPTY_SLOT: SlotInfo = { state: 'empty', version: '', counter: 0, artifacts: [] };

export function blankBootState(): BootState {
  return { active: null, trial: null, slots: [{ ...EMPTY_SLOT }, { ...EMPTY_SLOT }], rollbackCounter: 0 };
}

export function otherSlot(slot: number): number {
  return slot === 0 ? 1 : 0;
}

/** The slot flashing writes to: never the active one, never one under trial. */
export function inactiveSlot(s: BootState): number {
  return s.active === null ? 0 : otherSlot(s.active);
}

/**
 * The reset rule: an unconfirmed trial is abandoned (automatic rollback); a slot whose contents no
 * longer verify is marked invalid and the other bootable slot takes over. Returns the new state
 * and what happened, for the log.
 */
export function decideBoot(s: BootState, slotIntact: (slot: number) => boolean): { state: BootState; events: string[] } {
  const next: BootState = structuredClone(s);
  const events: string[] = [];
  if (next.trial !== null) {
    events.push(`slot ${next.trial} was not confirmed after its test boot: rolled back`);
    next.slots[next.trial].state = 'invalid';
    next.trial = null;
  }
  const bootable = (i: number) => (next.slots[i].state === 'confirmed' || next.slots[i].state === 'valid') && slotIntact(i);
  if (next.active !== null && !bootable(next.active)) {
    events.push(`slot ${next.active} does not verify`);
    next.slots[next.active].state = 'invalid';
    const other = otherSlot(next.active);
    next.active = bootable(other) ? other : null;
    if (next.active !== null) events.push(`booting slot ${next.active} instead`);
  }
  return { state: next, events };
}
