// The pure rollout policy: targets, the compatibility matrix, wave planning and verdicts, the
// health gate, dispatch safety and maintenance windows, and the job state machine.
import t from 'tap';
import { checkCompatibility } from '../../../fleet/rollouts/compatibility.ts';
import { checkSafety, inMaintenanceWindow } from '../../../fleet/rollouts/dispatch-safety.ts';
import { judgeHealth, type GroupHealth } from '../../../fleet/rollouts/health-gate.ts';
import { decideUpdate, timeoutReason } from '../../../fleet/rollouts/job-state.ts';
import { withDefaults, type CreateRolloutBody, type HealthGate } from '../../../fleet/rollouts/rollout-config.ts';
import { matchesTarget, type CandidateDevice } from '../../../fleet/rollouts/target-selection.ts';
import { compareVersions } from '../../../fleet/rollouts/version-order.ts';
import { planRollout } from '../../../fleet/rollouts/wave-plan.ts';
import { judgeWave } from '../../../fleet/rollouts/wave-verdict.ts';

const ARTIFACT = 'a'.repeat(64);
const device = (id: string, extra: Partial<CandidateDevice> = {}): CandidateDevice => ({ id, hardwareRevision: 'hp-1', firmwareVersion: '1.0.0', modelVersion: '1.0.0', tags: [], groups: [], ...extra });
const config = (body: Partial<CreateRolloutBody> = {}) => {
  const checked = withDefaults({ artifact: ARTIFACT, target: { all: true }, ...body });
  if (!checked.ok) throw new Error(checked.reason);
  return checked.config;
};
const bundle = { kind: 'model', version: '2.0.0', hardware: ['hp-1', 'hp-2'] };

t.test('semantic version precedence', async (t) => {
  t.equal(compareVersions('1.2.3', '1.2.3'), 0);
  t.equal(compareVersions('1.10.0', '1.9.9'), 1);
  t.equal(compareVersions('1.0.0-alpha', '1.0.0'), -1);
  t.equal(compareVersions('1.0.0-alpha.2', '1.0.0-alpha.10'), -1, 'numeric identifiers compare as numbers');
  t.equal(compareVersions('1.0.0-alpha', '1.0.0-1'), 1, 'alphanumeric after numeric');
  t.equal(compareVersions('1.0.0+build', '1.0.0'), 0, 'build metadata ignored');
  t.equal(compareVersions('one', '1.0.0'), undefined);
});

t.test('targets: group, tag, ids and field filters all hold', async (t) => {
  const d = device('d1', { groups: ['lab'], tags: ['beta'], firmwareVersion: '1.4.0' });
  t.ok(matchesTarget(d, { all: true }));
  t.ok(matchesTarget(d, { group: 'lab', tag: 'beta' }));
  t.notOk(matchesTarget(d, { group: 'lab', tag: 'stable' }), 'every field must hold');
  t.ok(matchesTarget(d, { devices: ['d1', 'd2'] }));
  t.notOk(matchesTarget(d, { hardwareRevision: ['hp-2'] }));
  t.ok(matchesTarget(d, { firmwareVersion: { atLeast: '1.2.0', below: '2.0.0' } }));
  t.notOk(matchesTarget(d, { firmwareVersion: { below: '1.4.0' } }), 'below is exclusive');
  t.notOk(matchesTarget(device('x', { modelVersion: null }), { modelVersion: { atLeast: '1.0.0' } }), 'an unknown version matches no range');
});

t.test('compatibility matrix: hardware from the manifest, then firmware × model rules', async (t) => {
  t.same(checkCompatibility(device('a'), bundle, []), { ok: true });
  t.match(checkCompatibility(device('b', { hardwareRevision: 'hp-9' }), bundle, []), { ok: false, reason: /hardware hp-9 not in the bundle's \[hp-1, hp-2\]/ });
  t.match(checkCompatibility(device('c', { hardwareRevision: null }), bundle, []), { ok: false, reason: 'hardware revision unknown' });
  const rules = [
    { hardware: ['hp-1'], firmwareVersion: { atLeast: '1.2.0' } },
    { hardware: ['hp-2'], firmwareVersion: { atLeast: '2.0.0' }, modelVersion: { atLeast: '1.0.0', below: '2.0.0' } },
  ];
  t.same(checkCompatibility(device('d', { firmwareVersion: '1.2.0' }), bundle, rules), { ok: true }, 'first row');
  t.same(checkCompatibility(device('e', { hardwareRevision: 'hp-2', firmwareVersion: '2.1.0', modelVersion: '1.5.0' }), bundle, rules), { ok: true }, 'second row');
  const refused = checkCompatibility(device('f', { hardwareRevision: 'hp-2', firmwareVersion: '2.1.0', modelVersion: '2.0.0' }), bundle, rules);
  t.match(refused, { ok: false, reason: /no compatibility rule accepts it .*model 2\.0\.0 is not below 2\.0\.0/ }, 'the reason names each row');
  t.match(checkCompatibility(device('g', { firmwareVersion: null }), bundle, [rules[0]!]), { ok: false, reason: 'firmware unknown' });
});

t.test('config defaults and checks', async (t) => {
  const c = config();
  t.same(c.waves.map((w) => w.percent), [1, 10, 50, 100], 'default waves 1/10/50/100');
  t.equal(c.onBreach, 'pause');
  t.equal(c.healthGate, null);
  const custom = config({ waves: [{ percent: 20, maxFailureRate: 0 }, { percent: 100 }], minSuccesses: 3, maxFailureRate: 0.25 });
  t.same(custom.waves, [{ percent: 20, minSuccesses: 3, maxFailureRate: 0 }, { percent: 100, minSuccesses: 3, maxFailureRate: 0.25 }], 'per-wave values override the defaults');
  t.match(withDefaults({ artifact: ARTIFACT, target: { all: true }, waves: [{ percent: 50 }, { percent: 50 }] }), { ok: false, reason: /waves\/1\/percent: must be larger/ });
  t.match(withDefaults({ artifact: ARTIFACT, target: { all: true }, waves: [{ percent: 50 }] }), { ok: false, reason: /last wave must reach 100/ });
});

t.test('wave planning: deterministic, cumulative, holdout kept aside, skipped with reasons', async (t) => {
  const devices = Array.from({ length: 200 }, (_, i) => device(`d${String(i).padStart(3, '0')}`));
  devices.push(device('old-hw', { hardwareRevision: 'hp-0' }), device('current', { modelVersion: '2.0.0' }));
  const plan = planRollout('r-1', devices, bundle, config());
  t.same(plan.waves.map((w) => w.devices.length), [2, 18, 80, 100], 'ceil of 1/10/50/100 % of 200, each wave the increment');
  t.same(plan.skipped, [
    { deviceId: 'current', reason: 'already runs model 2.0.0' },
    { deviceId: 'old-hw', reason: "hardware hp-0 not in the bundle's [hp-1, hp-2]" },
  ]);
  const all = plan.waves.flatMap((w) => w.devices);
  t.equal(new Set(all).size, 200, 'every eligible device exactly once');
  t.same(planRollout('r-1', [...devices].reverse(), bundle, config()), plan, 'input order does not matter');
  t.not(planRollout('r-2', devices, bundle, config()).waves[0]!.devices.join(), plan.waves[0]!.devices.join(), 'another rollout starts elsewhere');

  const gated = planRollout('r-1', devices, bundle, config({ healthGate: { windowMs: 1000, holdoutPercent: 10 } }));
  t.equal(gated.holdout.length, 20);
  t.same(gated.waves.map((w) => w.devices.length), [2, 16, 72, 90], 'waves split the 180 others');
  t.notOk(gated.waves.some((w) => w.devices.some((d) => gated.holdout.includes(d))), 'the holdout is in no wave');

  const small = planRollout('r-1', devices.slice(0, 3), bundle, config({ healthGate: { windowMs: 1000, holdoutPercent: 1 } }));
  t.equal(small.holdout.length, 1, 'at least one holdout device');
  t.same(small.waves.map((w) => w.devices.length), [1, 1], 'waves that round to nothing are dropped');
  t.same(planRollout('r-1', devices.slice(0, 1), bundle, config({ healthGate: { windowMs: 1000 } })).holdout, [], 'no holdout without a device to update');
});

t.test('wave verdicts: wait, pass, breach early on failures, breach on too few successes', async (t) => {
  const wave = { minSuccesses: 2, maxFailureRate: 0.2 };
  t.same(judgeWave(wave, { size: 10, succeeded: 5, failed: 2, cancelled: 0 }), { kind: 'waiting' });
  t.match(judgeWave(wave, { size: 10, succeeded: 1, failed: 3, cancelled: 0 }), { kind: 'breach', reason: /3 of 10 jobs failed \(30\.0%\), above the wave's 20\.0%/ }, 'breached before the wave settles');
  t.same(judgeWave(wave, { size: 10, succeeded: 8, failed: 2, cancelled: 0 }), { kind: 'passed' });
  t.match(judgeWave({ minSuccesses: 5, maxFailureRate: 1 }, { size: 4, succeeded: 3, failed: 1, cancelled: 0 }), { kind: 'breach', reason: '3 successes, the wave needs 4' }, 'minimum capped at the wave size');
  t.same(judgeWave({ minSuccesses: 1, maxFailureRate: 0 }, { size: 1, succeeded: 1, failed: 0, cancelled: 0 }), { kind: 'passed' });
});

t.test('health gate: no worse than the holdout within tolerances', async (t) => {
  const gate: HealthGate = { windowMs: 1000, holdoutPercent: 10, minSamples: 10, tolerances: { attenuationDb: 1, recoveriesPerHour: 1, emergenciesPerHour: 0.5, crashesPerHour: 0.1, batteryDrainPerHour: 2 } };
  const healthy: GroupHealth = { devices: 10, samples: 600, attenuationDb: 20, hours: 10, recoveries: 5, emergencies: 1, crashes: 0, batteryDrop: 10 };
  t.equal(judgeHealth(gate, healthy, healthy).kind, 'pass');
  t.equal(judgeHealth(gate, { ...healthy, attenuationDb: 19.2 }, healthy).kind, 'pass', '0.8 dB worse is within 1 dB');
  const lower = judgeHealth(gate, { ...healthy, attenuationDb: 17 }, healthy);
  t.match(lower, { kind: 'regression', reason: /attenuationDb 17\.00 vs holdout 20\.00/ }, '3 dB lower is a regression');
  t.match(judgeHealth(gate, { ...healthy, crashes: 5 }, healthy), { kind: 'regression', reason: /crashesPerHour 0\.50 vs holdout 0\.00/ });
  t.match(judgeHealth(gate, { ...healthy, recoveries: 30 }, healthy), { kind: 'regression', reason: /recoveriesPerHour/ });
  t.match(judgeHealth(gate, { ...healthy, batteryDrop: 40 }, healthy), { kind: 'regression', reason: /batteryDrainPerHour 4\.00/ });
  t.match(judgeHealth(gate, { ...healthy, emergencies: 20 }, healthy), { kind: 'regression', reason: /emergenciesPerHour/ });
  t.match(judgeHealth(gate, healthy, { ...healthy, samples: 3 }), { kind: 'insufficient', reason: /holdout 3, need 10/ });
  t.equal(judgeHealth(gate, { ...healthy, attenuationDb: 25 }, healthy).kind, 'pass', 'better is never a regression');
});

t.test('dispatch safety from the reported shadow', async (t) => {
  const rules = { minBattery: 30, chargingOverridesBattery: true, notInCall: true, ancSessionIdle: true };
  t.same(checkSafety({ battery: 80, charging: false, inCall: false, ancSession: 'idle' }, rules), { ok: true });
  t.same(checkSafety({ battery: 10, charging: false, inCall: false, ancSession: 'idle' }, rules), { ok: false, reason: 'battery 10% below 30%' });
  t.same(checkSafety({ battery: 10, charging: true, inCall: false, ancSession: 'idle' }, rules), { ok: true }, 'charging overrides the battery rule');
  t.same(checkSafety({ battery: 80, inCall: true, ancSession: 'idle' }, rules), { ok: false, reason: 'in a call' });
  t.same(checkSafety({ battery: 80, inCall: false, ancSession: 'active' }, rules), { ok: false, reason: 'ANC session active' });
  t.same(checkSafety({}, rules), { ok: false, reason: 'battery not reported' }, 'a field the rule needs must be reported');
  t.same(checkSafety({}, {}), { ok: true }, 'no rules: always safe');
  t.same(checkSafety({ charging: false }, { requireCharging: true }), { ok: false, reason: 'not charging' });
});

t.test('maintenance windows (UTC), wrapping past midnight, by day', async (t) => {
  const at = (iso: string) => Date.parse(iso);
  t.ok(inMaintenanceWindow(null, at('2026-01-05T12:00:00Z')));
  const night = { startMinute: 22 * 60, endMinute: 4 * 60 };
  t.ok(inMaintenanceWindow(night, at('2026-01-05T23:30:00Z')));
  t.ok(inMaintenanceWindow(night, at('2026-01-06T03:59:00Z')));
  t.notOk(inMaintenanceWindow(night, at('2026-01-06T04:00:00Z')), 'end is exclusive');
  // 2026-01-05 is a Monday (1); the window that starts Monday night runs into Tuesday morning.
  const mondays = { ...night, days: [1] };
  t.ok(inMaintenanceWindow(mondays, at('2026-01-05T22:00:00Z')));
  t.ok(inMaintenanceWindow(mondays, at('2026-01-06T02:00:00Z')), "Tuesday 02:00 belongs to Monday's window");
  t.notOk(inMaintenanceWindow(mondays, at('2026-01-06T22:00:00Z')));
  t.ok(inMaintenanceWindow({ startMinute: 0, endMinute: 0 }, at('2026-01-06T13:00:00Z')), 'start = end is all day');
});

t.test('job state machine: forward only, duplicates and stale updates ignored', async (t) => {
  const job = (state: string, extra = {}) => ({ state: state as never, action: 'install' as const, deviceT: 100, offset: null, ...extra });
  t.match(decideUpdate(job('notified'), { v: 1, state: 'downloading', t: 101, offset: 0 }), { kind: 'apply', state: 'downloading', offset: 0 });
  t.match(decideUpdate(job('downloading', { offset: 16384 }), { v: 1, state: 'downloading', t: 102, offset: 32768 }), { kind: 'apply', offset: 32768 }, 'progress within a state');
  t.match(decideUpdate(job('downloading', { offset: 32768 }), { v: 1, state: 'downloading', t: 102, offset: 32768 }), { kind: 'ignore', why: 'duplicate' });
  t.match(decideUpdate(job('downloading', { offset: 16384 }), { v: 1, state: 'downloading', t: 100, offset: 32768 }), { kind: 'apply', offset: 32768 }, 'a device clock that stands still does not hide progress');
  t.match(decideUpdate(job('verifying'), { v: 1, state: 'downloading', t: 200, offset: 1 }), { kind: 'ignore', why: 'stale: downloading after verifying' });
  t.match(decideUpdate(job('applying'), { v: 1, state: 'succeeded', t: 200, running: { modelVersion: '2.0.0' } }), { kind: 'apply', state: 'succeeded', reason: null });
  t.match(decideUpdate(job('notified'), { v: 1, state: 'failed', t: 200 }), { kind: 'apply', state: 'failed', reason: 'no reason given' });
  t.match(decideUpdate(job('succeeded'), { v: 1, state: 'succeeded', t: 300 }), { kind: 'ignore', why: 'duplicate' });
  t.match(decideUpdate(job('failed'), { v: 1, state: 'succeeded', t: 300 }), { kind: 'ignore', why: 'job already failed' });
  t.match(decideUpdate(job('queued'), { v: 1, state: 'downloading', t: 300 }), { kind: 'reject', reason: /not sent/ });
  t.match(decideUpdate(job('notified', { action: 'rollback' }), { v: 1, state: 'succeeded', t: 300 }), { kind: 'reject', reason: /rollback job ends in rolled_back/ });
  t.match(decideUpdate(job('notified', { action: 'rollback' }), { v: 1, state: 'rolled_back', t: 300 }), { kind: 'apply', state: 'rolled_back' });
});

t.test('timeouts move stuck jobs to failed', async (t) => {
  const timeouts = { queuedMs: 1000, notifiedMs: 500, progressMs: 200 };
  t.equal(timeoutReason('queued', 0, 999, timeouts), undefined);
  t.equal(timeoutReason('queued', 0, 1000, timeouts), 'timed out: no progress in queued for 1000 ms');
  t.ok(timeoutReason('notified', 0, 500, timeouts));
  t.ok(timeoutReason('downloading', 0, 200, timeouts));
  t.equal(timeoutReason('succeeded', 0, 1e9, timeouts), undefined, 'finished jobs never time out');
});
