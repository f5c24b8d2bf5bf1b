// When a job may be sent: the device's reported shadow says it is safe (battery, charging, call,
// ANC session, per the rollout's rules) and the clock is inside the maintenance window.
// Field names in the reported shadow are documented in docs/ota.md ("Dispatch safety").
import type { MaintenanceWindow, SafetyRules } from './rollout-config.ts';

export type Safety = { ok: true } | { ok: false; reason: string };

export function checkSafety(reported: Record<string, unknown>, rules: SafetyRules): Safety {
  const { battery, charging, inCall, ancSession } = reported;
  if (rules.requireCharging && charging !== true) return { ok: false, reason: charging === undefined ? 'charging not reported' : 'not charging' };
  if (rules.minBattery !== undefined && !(rules.chargingOverridesBattery && charging === true)) {
    if (typeof battery !== 'number') return { ok: false, reason: 'battery not reported' };
    if (battery < rules.minBattery) return { ok: false, reason: `battery ${battery}% below ${rules.minBattery}%` };
  }
  if (rules.notInCall && inCall !== false) return { ok: false, reason: inCall === undefined ? 'inCall not reported' : 'in a call' };
  if (rules.ancSessionIdle && ancSession !== 'idle') return { ok: false, reason: ancSession === undefined ? 'ancSession not reported' : 'ANC session active' };
  return { ok: true };
}

/** Inside the daily UTC window [start, end) (wrapping past midnight; start = end is all day), on one of its days. */
export function inMaintenanceWindow(window: MaintenanceWindow | null, now: number): boolean {
  if (!window) return true;
  const date = new Date(now);
  const minute = date.getUTCHours() * 60 + date.getUTCMinutes();
  const wraps = window.endMinute < window.startMinute;
  const inside = window.startMinute === window.endMinute || (wraps ? minute >= window.startMinute || minute < window.endMinute : minute >= window.startMinute && minute < window.endMinute);
  if (!inside) return false;
  if (!window.days) return true;
  // A wrapped window that started yesterday belongs to yesterday's day.
  const day = wraps && minute < window.endMinute ? (date.getUTCDay() + 6) % 7 : date.getUTCDay();
  return window.days.includes(day);
}
