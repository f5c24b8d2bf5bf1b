import t from 'tap';
import { LEAF_RULES, buildTopic, deviceRoot, isValidDeviceId, parseTopic, parseTopicFilter } from '../../../fleet/mqtt/topics.ts';
import type { DeviceTopic } from '../../../fleet/mqtt/topics.ts';

const every: DeviceTopic[] = [
  { kind: 'telemetry', deviceId: 'hs-001' },
  { kind: 'telemetry/rejected', deviceId: 'hs-001' },
  { kind: 'events', deviceId: 'hs-001' },
  { kind: 'events/rejected', deviceId: 'hs-001' },
  { kind: 'status', deviceId: 'hs-001' },
  { kind: 'shadow/update', deviceId: 'hs-001' },
  { kind: 'shadow/update/accepted', deviceId: 'hs-001' },
  { kind: 'shadow/update/rejected', deviceId: 'hs-001' },
  { kind: 'shadow/get', deviceId: 'hs-001' },
  { kind: 'shadow/get/accepted', deviceId: 'hs-001' },
  { kind: 'shadow/get/rejected', deviceId: 'hs-001' },
  { kind: 'shadow/delta', deviceId: 'hs-001' },
  { kind: 'jobs/notify', deviceId: 'hs-001' },
  { kind: 'jobs/update', deviceId: 'hs-001', jobId: 'job-42' },
  { kind: 'ota/chunk/get', deviceId: 'hs-001', artifact: 'model-1.2.0.bin' },
  { kind: 'ota/chunk/data', deviceId: 'hs-001', artifact: 'model-1.2.0.bin' },
  { kind: 'ota/chunk/rejected', deviceId: 'hs-001', artifact: 'model-1.2.0.bin' },
];

t.test('every leaf builds and parses back to the same value', async (t) => {
  t.equal(every.length, Object.keys(LEAF_RULES).length, 'the list covers every leaf');
  for (const topic of every) {
    const text = buildTopic(topic);
    t.ok(text.startsWith('anc/v1/hs-001/'), text);
    t.same(parseTopic(text), { ok: true, topic }, text);
  }
  t.equal(buildTopic({ kind: 'jobs/update', deviceId: 'd', jobId: 'j1' }), 'anc/v1/d/jobs/j1/update');
  t.equal(buildTopic({ kind: 'ota/chunk/get', deviceId: 'd', artifact: 'fw' }), 'anc/v1/d/ota/fw/chunk/get');
  t.equal(deviceRoot('d'), 'anc/v1/d/');
});

t.test('device ids: safe charset and length', async (t) => {
  for (const good of ['a', 'HS-001', 'hs_01.rev2', 'x'.repeat(64), '0abc']) t.ok(isValidDeviceId(good), good);
  for (const bad of ['', 'x'.repeat(65), 'a/b', 'a+b', 'a#', 'a\u0000b', '$SYS', '.', '..', '-x', 'a b', 'ä', 'a:b', 'hs\n1', 42, null, undefined]) {
    t.notOk(isValidDeviceId(bad), JSON.stringify(bad));
  }
});

t.test('malformed topics are refused with a reason', async (t) => {
  const cases: Array<[string, string]> = [
    ['', 'empty'],
    ['anc/v1/' + 'x'.repeat(300) + '/telemetry', 'too-long'],
    ['anc/v1/hs\u0000/telemetry', 'forbidden-character'],
    ['anc/v1/hs/telemetry\n', 'forbidden-character'],
    ['anc/v1/+/telemetry', 'wildcard'],
    ['anc/v1/hs/#', 'wildcard'],
    ['anc/v2/hs/telemetry', 'wrong-root'],
    ['ANC/v1/hs/telemetry', 'wrong-root'],
    ['/anc/v1/hs/telemetry', 'wrong-root'],
    ['anc/v1/hs', 'wrong-root'],
    ['anc/v1/hs/', 'unknown-leaf'],
    ['$SYS/broker/uptime', 'wrong-root'],
    ['anc/v1/$hs/telemetry', 'bad-device-id'],
    ['anc/v1//telemetry', 'bad-device-id'],
    ['anc/v1/__proto__/telemetry', 'bad-device-id'],
    ['anc/v1/hs/telemetry/', 'unknown-leaf'],
    ['anc/v1/hs/telemetry/extra', 'unknown-leaf'],
    ['anc/v1/hs/shadow', 'unknown-leaf'],
    ['anc/v1/hs/shadow/delete', 'unknown-leaf'],
    ['anc/v1/hs/constructor', 'unknown-leaf'],
    ['anc/v1/hs/jobs/../update', 'bad-job-id'],
    ['anc/v1/hs/jobs//update', 'bad-job-id'],
    ['anc/v1/hs/jobs/j1/update/x', 'unknown-leaf'],
    ['anc/v1/hs/ota/fw/chunk/put', 'unknown-leaf'],
    ['anc/v1/hs/ota/-fw/chunk/get', 'bad-artifact'],
    ['anc/v1/hs/ota/fw/chunk/hasOwnProperty', 'unknown-leaf'],
  ];
  for (const [topic, reason] of cases) {
    const parsed = parseTopic(topic);
    t.equal(parsed.ok, false, JSON.stringify(topic));
    if (!parsed.ok) {
      t.equal(parsed.reason, reason, JSON.stringify(topic));
      t.ok(parsed.message.length > 0);
    }
  }
});

t.test('building from bad ids throws: that is a programming error', async (t) => {
  t.throws(() => buildTopic({ kind: 'telemetry', deviceId: '+' }), TypeError);
  t.throws(() => buildTopic({ kind: 'jobs/update', deviceId: 'd', jobId: 'a/b' }), TypeError);
  t.throws(() => buildTopic({ kind: 'ota/chunk/get', deviceId: 'd', artifact: '#' }), TypeError);
  t.throws(() => deviceRoot(''), TypeError);
});

t.test('topic filters follow MQTT 3.1.1 wildcard rules', async (t) => {
  t.same(parseTopicFilter('anc/v1/hs/#'), { ok: true, levels: ['anc', 'v1', 'hs', '#'] });
  t.same(parseTopicFilter('anc/v1/+/telemetry'), { ok: true, levels: ['anc', 'v1', '+', 'telemetry'] });
  t.same(parseTopicFilter('#'), { ok: true, levels: ['#'] });
  t.same(parseTopicFilter('+'), { ok: true, levels: ['+'] });
  for (const bad of ['anc/#/x', 'anc/v1/hs#', 'anc/v1/h+/x', 'anc/v1/hs/##', '', 'a\u0000', 'x'.repeat(257)]) {
    t.equal(parseTopicFilter(bad).ok, false, JSON.stringify(bad));
  }
});
