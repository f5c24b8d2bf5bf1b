// The virtual headset's flash map. Two copies of every record (boot state, flash journal,
// calibration, configuration) so a cut during one write always leaves the other intact; A/B
// firmware slots; the calibration partition sits apart and flashing never addresses it.
import type { Partition } from '../../host/protocol/handshake-messages.ts';

const KiB = 1024;
export const RECORD_SIZE = 16 * KiB;

export const LAYOUT = {
  bootState: { a: 0, b: RECORD_SIZE },
  journal: { a: 2 * RECORD_SIZE, b: 3 * RECORD_SIZE },
  config: { a: 4 * RECORD_SIZE, b: 5 * RECORD_SIZE },
  calibration: { a: 6 * RECORD_SIZE, b: 7 * RECORD_SIZE },
  slots: [
    { name: 'slot-a', offset: 8 * RECORD_SIZE, size: 1024 * KiB },
    { name: 'slot-b', offset: 8 * RECORD_SIZE + 1024 * KiB, size: 1024 * KiB },
  ],
  size: 8 * RECORD_SIZE + 2048 * KiB,
} as const;

/** Handshake partition list: index 0 and 1 are the slots (activeSlot refers to them). */
export function partitionTable(states: readonly [Partition['state'], Partition['state']]): Partition[] {
  return [
    ...LAYOUT.slots.map((s, i) => ({ name: s.name, kind: 'firmware-slot' as const, state: states[i], offset: s.offset, size: s.size })),
    { name: 'boot', kind: 'bootloader', state: 'valid', offset: 0, size: 2 * RECORD_SIZE },
    { name: 'calibration', kind: 'calibration', state: 'valid', offset: LAYOUT.calibration.a, size: 2 * RECORD_SIZE },
    { name: 'config', kind: 'config', state: 'valid', offset: LAYOUT.config.a, size: 2 * RECORD_SIZE },
  ];
}
