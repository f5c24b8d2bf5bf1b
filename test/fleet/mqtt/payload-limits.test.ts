import t from 'tap';
import { decodeJsonPayload, inspectJsonTree } from '../../../fleet/mqtt/payload-limits.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

t.test('decodes a good payload', async (t) => {
  t.same(decodeJsonPayload(bytes('{"a":[1,2,{"b":null}]}'), { maxBytes: 100 }), { ok: true, value: { a: [1, 2, { b: null }] } });
});

t.test('refuses bad payloads with a reason, never throws', async (t) => {
  const cases: Array<[Uint8Array, string, number?]> = [
    [bytes('x'.repeat(101)), 'too-large'],
    [new Uint8Array([0x7b, 0xff, 0x7d]), 'not-utf8'],
    [bytes(''), 'invalid-json'],
    [bytes('{"a":'), 'invalid-json'],
    [bytes('NaN'), 'invalid-json'],
    [bytes('[[[[1]]]]'), 'too-deep', 3],
    [bytes('{"__proto__":{"polluted":true}}'), 'forbidden-key'],
    [bytes('{"a":[{"constructor":{"prototype":{}}}]}'), 'forbidden-key'],
    [bytes('{"prototype":1}'), 'forbidden-key'],
  ];
  for (const [payload, reason, maxDepth] of cases) {
    const result = decodeJsonPayload(payload, { maxBytes: 100, ...(maxDepth ? { maxDepth } : {}) });
    t.equal(result.ok, false);
    if (!result.ok) t.equal(result.problem.reason, reason, result.problem.message);
  }
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'the prototype was never touched');
});

t.test('a hostile depth does not overflow the stack', async (t) => {
  const deep = '['.repeat(50_000) + ']'.repeat(50_000);
  const result = decodeJsonPayload(bytes(deep), { maxBytes: 200_000 });
  t.equal(result.ok, false);
  if (!result.ok) t.equal(result.problem.reason, 'too-deep');
  // a value built in code, deeper than JSON.parse would usually see
  let node: unknown = 1;
  for (let i = 0; i < 200_000; i++) node = { a: node };
  t.equal(inspectJsonTree(node, 16)?.reason, 'too-deep');
});
