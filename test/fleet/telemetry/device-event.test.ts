// Tests for fleet/events/ (kept here: this part's brief allowed test files only under
// test/fleet/{shadow,mqtt,telemetry}/; move to test/fleet/events/ when that folder exists).
import t from 'tap';
import { validateDeviceEvent } from '../../../fleet/events/device-event.ts';
import { validateDeviceStatus } from '../../../fleet/events/device-status.ts';

const now = 1_750_000_000_000;
const ctx = { deviceId: 'hs-1', now };
const emergency = { v: 1, id: 'e1', t: now - 100, type: 'emergency', class: 'siren', confidence: 0.93, startedAt: now - 180, latencyMs: 80 };

t.test('each event type validates', async (t) => {
  const good = [
    emergency,
    { ...emergency, durationMs: 4000 },
    { v: 1, id: 'e2', t: now, type: 'error', code: 'ANC_ERR_BAD_VALUE', severity: 'warning', message: 'intensity out of range' },
    { v: 1, id: 'e3', t: now, type: 'error', code: -4, severity: 'error' },
    { v: 1, id: 'e4', t: now, type: 'calibration', step: 'secondary-path', passed: true, quality: 0.97, taps: 128 },
    { v: 1, id: 'e5', t: now, type: 'crash', reason: 'wasm trap: unreachable', firmwareVersion: '1.4.0-rc.1', uptimeMs: 3600_000, trace: 'at process_block' },
  ];
  for (const event of good) {
    const result = validateDeviceEvent(event, ctx);
    t.ok(result.ok, JSON.stringify(event));
    if (result.ok) t.equal(result.deviceId, 'hs-1');
  }
});

t.test('bad events are refused with a reason', async (t) => {
  const cases: Array<[unknown, RegExp]> = [
    [null, /object/],
    [[emergency], /object/],
    ['event', /object/],
    [{ ...emergency, type: 'party' }, /\/type/],
    [{ ...emergency, type: undefined }, /\/type/],
    [{ ...emergency, type: 'toString' }, /\/type/],
    [{ ...emergency, type: '__proto__' }, /\/type/],
    [{ ...emergency, v: 2 }, /\/v/],
    [{ ...emergency, id: 'has space' }, /\/id/],
    [{ ...emergency, confidence: 1.2 }, /confidence/],
    [{ ...emergency, confidence: '0.9' }, /confidence/],
    [{ ...emergency, class: 'SIREN!' }, /class/],
    [{ ...emergency, latencyMs: -1 }, /latencyMs/],
    [{ ...emergency, startedAt: now }, /startedAt/],
    [{ ...emergency, extra: true }, /Unexpected property/],
    [{ ...emergency, t: now - 30 * 86_400_000 }, /time window/],
    [{ ...emergency, t: now + 3_600_000 }, /time window/],
    [{ v: 1, id: 'x', t: now, type: 'error', code: 'lower case', severity: 'error' }, /code/],
    [{ v: 1, id: 'x', t: now, type: 'error', code: 'E', severity: 'meh' }, /severity/],
    [{ v: 1, id: 'x', t: now, type: 'calibration', step: 'secondary-path', passed: 'yes', quality: 1 }, /passed/],
    [{ v: 1, id: 'x', t: now, type: 'crash', reason: 'r', firmwareVersion: '1.0', uptimeMs: 1 }, /firmwareVersion/],
    [{ v: 1, id: 'x', t: now, type: 'crash', reason: 'r', firmwareVersion: '1.0.0', uptimeMs: 1, trace: 'x'.repeat(5000) }, /trace/],
    [JSON.parse(`{"v":1,"id":"x","t":${now},"type":"error","code":"E","severity":"error","__proto__":{"admin":true}}`), /Unexpected property/],
  ];
  for (const [payload, pattern] of cases) {
    const result = validateDeviceEvent(payload, ctx);
    t.equal(result.ok, false, JSON.stringify(payload)?.slice(0, 100));
    if (!result.ok) t.match(result.reason, pattern);
  }
});

t.test('status payloads', async (t) => {
  t.ok(validateDeviceStatus({ v: 1, online: true, t: now, firmwareVersion: '1.4.0' }).ok);
  t.ok(validateDeviceStatus({ v: 1, online: false, reason: 'lost' }).ok, 'a will message');
  for (const bad of [{ online: true }, { v: 1, online: 'yes' }, { v: 1, online: true, extra: 1 }, { v: 1, online: false, reason: 'bored' }, null, 'online']) {
    const result = validateDeviceStatus(bad);
    t.equal(result.ok, false, JSON.stringify(bad));
    if (!result.ok) t.ok(result.reason.length > 0);
  }
});
