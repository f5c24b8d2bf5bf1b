// A virtual headset's battery and usage: what the rollouts' dispatch rules read from the reported
// shadow (`battery`, `charging`, `inCall`, `ancSession`: fleet/rollouts/dispatch-safety.ts) and
// the battery level its telemetry carries. The battery drains with time, faster while the cancellation runs (a typical ANC
// headset lasts 20-30 hours with ANC on), and charges while on the charger.

export interface PowerState {
  /** Percent, 0..100. */
  battery: number;
  charging: boolean;
  inCall: boolean;
  /** A listening session in progress ('active') or not ('idle'): simulated usage. */
  ancSession: 'idle' | 'active';
}

export const POWER_RATES = {
  /** Percent per hour with the cancellation running, and in bypass. */
  drainAnc: 4,
  drainBypass: 2.5,
  chargePerHour: 60,
} as const;

export class HeadsetPower {
  #state: PowerState;

  constructor(initial: PowerState) {
    this.#state = { ...initial, battery: clampPercent(initial.battery) };
  }

  get state(): Readonly<PowerState> {
    return this.#state;
  }

  /** `ms` of wall time pass, with the cancellation running or not. */
  advance(ms: number, ancRunning: boolean): void {
    const hours = ms / 3_600_000;
    const s = this.#state;
    const rate = s.charging ? POWER_RATES.chargePerHour : -(ancRunning ? POWER_RATES.drainAnc : POWER_RATES.drainBypass);
    s.battery = clampPercent(s.battery + rate * hours);
  }

  /** Changes what the user does or plugs in; answers the fields that changed. */
  set(change: Partial<PowerState>): Partial<PowerState> {
    const changed: Partial<PowerState> = {};
    const next = { ...this.#state, ...change, battery: clampPercent(change.battery ?? this.#state.battery) };
    for (const key of Object.keys(change) as Array<keyof PowerState>) {
      if (next[key] !== this.#state[key]) (changed as Record<string, unknown>)[key] = next[key];
    }
    this.#state = next;
    return changed;
  }

  /** The shadow's view: battery in whole percent. */
  reported(): PowerState {
    return { ...this.#state, battery: Math.round(this.#state.battery) };
  }
}

function clampPercent(v: number): number {
  return Number.isFinite(v) ? Math.min(100, Math.max(0, v)) : 100;
}
