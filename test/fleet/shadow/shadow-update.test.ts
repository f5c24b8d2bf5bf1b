import t from 'tap';
import { ALGORITHMS, SHADOW_LIMITS, checkGetRequest } from '../../../fleet/shadow/shadow-schema.ts';
import { applyUpdate } from '../../../fleet/shadow/shadow-update.ts';
import { emptyShadow, getResponse } from '../../../fleet/shadow/shadow-document.ts';
import { computeDelta } from '../../../fleet/shadow/shadow-delta.ts';
import type { ShadowDocument } from '../../../fleet/shadow/shadow-document.ts';

const opts = (now: number) => ({ now, actor: 'user:1' });

function accept(doc: ShadowDocument, update: unknown, now = 1000): ShadowDocument {
  const result = applyUpdate(doc, update, opts(now));
  if (!result.ok) throw new Error(`rejected: ${result.rejection.message}`);
  return result.document;
}

t.test('a shadow accepts every algorithm the firmware has, and nothing else', async (t) => {
  for (const algorithm of ALGORITHMS) {
    t.ok(applyUpdate(emptyShadow(), { state: { desired: { algorithm } } }, opts(1000)).ok, algorithm);
  }
  t.notOk(applyUpdate(emptyShadow(), { state: { desired: { algorithm: 'magic' } } }, opts(1000)).ok, 'unknown algorithm refused');
});

t.test('desired then reported: delta appears and clears, metadata has per-field timestamps', async (t) => {
  const r1 = applyUpdate(emptyShadow(), { state: { desired: { ancMode: 'anc', intensity: 0.8 } }, clientToken: 'c1' }, opts(1000));
  t.ok(r1.ok);
  if (!r1.ok) return;
  t.equal(r1.document.version, 1);
  t.same(r1.accepted, {
    state: { desired: { ancMode: 'anc', intensity: 0.8 } },
    metadata: { desired: { ancMode: { timestamp: 1000 }, intensity: { timestamp: 1000 } } },
    version: 1,
    timestamp: 1000,
    clientToken: 'c1',
  });
  t.same(r1.delta, {
    state: { ancMode: 'anc', intensity: 0.8 },
    metadata: { ancMode: { timestamp: 1000 }, intensity: { timestamp: 1000 } },
    version: 1,
    timestamp: 1000,
    clientToken: 'c1',
  });
  t.equal(r1.publishDelta, true);
  t.same(r1.history, { version: 1, actor: 'user:1', change: { desired: { ancMode: 'anc', intensity: 0.8 } }, at: 1000 });

  const r2 = applyUpdate(r1.document, { state: { reported: { ancMode: 'anc', firmwareVersion: '1.4.0' } }, version: 1 }, { now: 2000, actor: 'device:hs-1' });
  t.ok(r2.ok);
  if (!r2.ok) return;
  t.equal(r2.document.version, 2);
  t.same(r2.delta?.state, { intensity: 0.8 }, 'only the unmet field remains');
  t.same(r2.document.metadata.reported, { ancMode: { timestamp: 2000 }, firmwareVersion: { timestamp: 2000 } });
  t.same(r2.document.metadata.desired.ancMode, { timestamp: 1000 }, 'desired timestamps untouched');

  const r3 = applyUpdate(r2.document, { state: { reported: { intensity: 0.8 } } }, opts(3000));
  t.ok(r3.ok);
  if (!r3.ok) return;
  t.equal(r3.delta, null, 'desired met: no delta');
  t.equal(r3.publishDelta, false);

  const got = getResponse(r3.document, { now: 4000, clientToken: 'g' });
  t.same(got.state, { desired: { ancMode: 'anc', intensity: 0.8 }, reported: { ancMode: 'anc', firmwareVersion: '1.4.0', intensity: 0.8 } });
  t.equal(got.version, 3);
  t.equal(got.timestamp, 4000);
  t.equal(got.clientToken, 'g');
  t.notOk('delta' in got.state);
  t.same(getResponse(r1.document, { now: 5 }).state.delta, { ancMode: 'anc', intensity: 0.8 });
});

t.test('null deletes fields, recursively, and empty objects vanish', async (t) => {
  let doc = accept(emptyShadow(), { state: { reported: { led: { color: 'red', level: 3 }, eq: [{ hz: 1000, gainDb: -3 }], note: 'x' } } });
  doc = accept(doc, { state: { reported: { led: { color: null }, note: null } } }, 2000);
  t.same(doc.state.reported, { led: { level: 3 }, eq: [{ hz: 1000, gainDb: -3 }] });
  t.same(doc.metadata.reported, { led: { level: { timestamp: 1000 } }, eq: { timestamp: 1000 } });
  doc = accept(doc, { state: { reported: { led: { level: null } } } });
  t.same(doc.state.reported, { eq: [{ hz: 1000, gainDb: -3 }] }, 'an emptied object is removed');
  t.same(doc.metadata.reported, { eq: { timestamp: 1000 } });
  doc = accept(doc, { state: { reported: { ghost: null, alsoGhost: { deeper: null } } } });
  t.same(doc.state.reported, { eq: [{ hz: 1000, gainDb: -3 }] }, 'deleting what is absent is a no-op');
  doc = accept(doc, { state: { desired: { ancMode: 'off' }, reported: null } });
  t.same(doc.state, { desired: { ancMode: 'off' }, reported: {} }, 'a null section clears it');
  t.same(doc.metadata.reported, {});
});

t.test('arrays are whole values', async (t) => {
  let doc = accept(emptyShadow(), { state: { desired: { eq: [{ hz: 100, gainDb: 1 }, { hz: 200, gainDb: 2 }] }, reported: { eq: [{ hz: 100, gainDb: 1 }] } } });
  t.same(computeDelta(doc.state.desired, doc.state.reported), { eq: [{ hz: 100, gainDb: 1 }, { hz: 200, gainDb: 2 }] });
  doc = accept(doc, { state: { desired: { eq: [{ hz: 300, gainDb: 0 }] } } });
  t.same(doc.state.desired.eq, [{ hz: 300, gainDb: 0 }], 'replaced, not merged');
});

t.test('delta recurses into objects and ignores reported-only fields', async (t) => {
  t.same(computeDelta({ a: { b: 1, c: 2 }, d: 'x' }, { a: { b: 1, c: 3 }, d: 'x', only: true }), { a: { c: 2 } });
  t.same(computeDelta({ a: { b: 1 } }, { a: 5 }), { a: { b: 1 } }, 'object against a leaf: the whole object');
  t.same(computeDelta({ a: 5 }, { a: { b: 1 } }), { a: 5 });
  t.same(computeDelta({}, { a: 1 }), {});
  t.same(computeDelta({ a: [1, 2] }, { a: [1, 2] }), {});
});

t.test('optimistic concurrency: a stale or future version is a 409', async (t) => {
  let doc = accept(emptyShadow(), { state: { desired: { intensity: 0.5 } } });
  doc = accept(doc, { state: { desired: { intensity: 0.6 } }, version: 1 });
  t.equal(doc.version, 2);
  for (const version of [1, 0, 3, 99]) {
    const result = applyUpdate(doc, { state: { desired: { intensity: 0.7 } }, version, clientToken: 'tok' }, opts(5));
    t.equal(result.ok, false);
    if (!result.ok) {
      t.equal(result.rejection.code, 409);
      t.equal(result.rejection.clientToken, 'tok', 'the token is echoed on rejections');
      t.equal(result.rejection.timestamp, 5);
    }
  }
  t.equal(doc.state.desired.intensity, 0.6, 'the input document is never mutated');
});

t.test('bad requests are 400 with a reason', async (t) => {
  const base = accept(emptyShadow(), { state: { reported: { ancMode: 'anc' } } });
  const deep = (n: number): unknown => (n === 0 ? 1 : { x: deep(n - 1) });
  const cases: Array<[unknown, RegExp]> = [
    [null, /object/],
    ['{"state":{}}', /object/],
    [[], /object/],
    [{}, /missing required node: state/],
    [{ state: null }, /state node must be an object/],
    [{ state: [] }, /state node must be an object/],
    [{ state: { desired: 5 } }, /desired node must be an object/],
    [{ state: { reported: [1] } }, /reported node must be an object/],
    [{ state: { delta: {} } }, /Unexpected property/],
    [{ state: {}, extra: 1 }, /Unexpected property/],
    [{ state: {}, version: -1 }, /version/],
    [{ state: {}, version: 1.5 }, /version/],
    [{ state: {}, version: '1' }, /version/],
    [{ state: {}, clientToken: 'x'.repeat(65) }, /clientToken/],
    [{ state: {}, clientToken: 7 }, /clientToken/],
    [{ state: { desired: { ancMode: 'loud' } } }, /ancMode/],
    [{ state: { desired: { algorithm: 'magic' } } }, /algorithm/],
    [{ state: { desired: { intensity: 1.5 } } }, /intensity/],
    [{ state: { desired: { intensity: '0.5' } } }, /intensity/],
    [{ state: { desired: { eq: [{ hz: 5, gainDb: 0 }] } } }, /eq/],
    [{ state: { desired: { eq: [{ hz: 100, gainDb: 40 }] } } }, /eq/],
    [{ state: { desired: { eq: [{ hz: 100, gainDb: 0, shape: 'shelf' }] } } }, /eq/],
    [{ state: { desired: { eq: Array.from({ length: 11 }, () => ({ hz: 100, gainDb: 0 })) } } }, /eq/],
    [{ state: { desired: { eq: { hz: 100 } } } }, /eq/],
    [{ state: { desired: { modelVersion: '1.2' } } }, /modelVersion/],
    [{ state: { desired: { modelVersion: '01.2.3' } } }, /modelVersion/],
    [{ state: { desired: { firmwareVersion: '1.0.0' } } }, /reported by the device/],
    [{ state: { reported: { firmwareVersion: 'latest' } } }, /firmwareVersion/],
    [{ state: { desired: { deep: deep(6) } } }, /too many levels of nesting/],
    [{ state: { desired: { list: [1, null] } } }, /arrays cannot contain null/],
    [{ state: { desired: { n: Number.NaN } } }, /finite/],
    [{ state: { desired: { n: Infinity } } }, /finite/],
    [{ state: { desired: { f: () => 1 } } }, /not a JSON value/],
    [{ state: { desired: { d: new Date(0) } } }, /not a plain JSON object/],
    [{ state: { desired: { '': 1 } } }, /empty keys/],
    [{ state: { desired: { ['k'.repeat(65)]: 1 } } }, /key longer/],
    [JSON.parse('{"state":{"desired":{"__proto__":{"polluted":true}}}}'), /__proto__/],
    [JSON.parse('{"state":{"reported":{"a":{"constructor":{"prototype":{"polluted":true}}}}}}'), /constructor/],
  ];
  for (const [input, pattern] of cases) {
    const result = applyUpdate(base, input, opts(9));
    t.equal(result.ok, false, JSON.stringify(input) ?? String(input));
    if (!result.ok) {
      t.equal(result.rejection.code, 400, result.rejection.message);
      t.match(result.rejection.message, pattern);
    }
  }
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype was polluted');
  const accepted = applyUpdate(base, { state: { desired: { deep: deep(5) } } }, opts(9));
  t.ok(accepted.ok, 'six levels counting the section are allowed');
  const circular: Record<string, unknown> = { state: { desired: {} } };
  (circular.state as Record<string, unknown>).self = circular;
  const c = applyUpdate(base, circular, opts(9));
  t.ok(!c.ok && c.rejection.code === 400, 'a circular value is a 400, not a crash');
});

t.test('size limits are 413', async (t) => {
  const big = 'x'.repeat(SHADOW_LIMITS.maxStateBytes);
  let result = applyUpdate(emptyShadow(), { state: { reported: { blob: big } } }, opts(1));
  t.ok(!result.ok && result.rejection.code === 413, 'one oversized field');
  const doc = accept(emptyShadow(), { state: { reported: { a: 'x'.repeat(5000) } } });
  result = applyUpdate(doc, { state: { reported: { b: 'y'.repeat(5000) } } }, opts(2));
  t.ok(!result.ok && result.rejection.code === 413, 'the merged result counts, not just the request');
  result = applyUpdate(doc, { state: { reported: { a: null, b: 'y'.repeat(5000) } } }, opts(2));
  t.ok(result.ok, 'deleting in the same update makes room');
  result = applyUpdate(emptyShadow(), { state: { reported: { a: 'x'.repeat(200) } } }, { now: 1, actor: 'a', maxBytes: 100 });
  t.ok(!result.ok && result.rejection.code === 413, 'maxBytes is configurable');
});

t.test('publishDelta: on change, and when desired is re-sent but unmet', async (t) => {
  const doc = accept(emptyShadow(), { state: { desired: { ancMode: 'anc' } } });
  const reported = applyUpdate(doc, { state: { reported: { battery: 80 } } }, opts(2));
  t.ok(reported.ok && reported.delta !== null && !reported.publishDelta, 'unrelated report: delta unchanged, not re-published');
  const again = applyUpdate(doc, { state: { desired: { ancMode: 'anc' } } }, opts(3));
  t.ok(again.ok && again.publishDelta, 'desired written again while unmet: re-published');
});

t.test('get requests', async (t) => {
  t.same(checkGetRequest(undefined), { ok: true, value: {} });
  t.same(checkGetRequest({ clientToken: 'a' }), { ok: true, value: { clientToken: 'a' } });
  t.equal(checkGetRequest({ clientToken: 'a', x: 1 }).ok, false);
  t.equal(checkGetRequest('x').ok, false);
});
