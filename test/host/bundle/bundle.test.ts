import t from 'tap';
import { BundleError } from '../../../host/bundle/bundle-error.ts';
import { HEADER_LENGTH, SIGNATURE_BLOCK_LENGTH, pad8 } from '../../../host/bundle/bundle-layout.ts';
import { packBundle } from '../../../host/bundle/pack-bundle.ts';
import { parseBundle } from '../../../host/bundle/parse-bundle.ts';
import { signBundle } from '../../../host/bundle/sign-bundle.ts';
import { generateSigningKeys, keyIdOf, loadPrivateKey, loadPublicKey, toHex } from '../../../host/bundle/signing-keys.ts';
import { verifyBundle } from '../../../host/bundle/verify-bundle.ts';
import { baseInput, config, firmware, keys, model, otherKeys, packed } from './bundle-fixtures.ts';

t.test('pack -> sign -> parse -> verify round trip', async (t) => {
  const signed = signBundle(packed(), keys.privateKey);
  const p = parseBundle(signed);
  t.equal(p.manifest.kind, 'combined');
  t.equal(p.manifest.version, '1.2.3');
  t.equal(p.manifest.counter, 5);
  t.equal(p.manifest.created, '2025-01-02T03:04:05.000Z');
  t.same(p.artifacts.map((a) => a.entry.name), ['firmware.wasm', 'classifier.ancm', 'defaults.json']);
  t.same(Array.from(p.artifacts[0].bytes), Array.from(firmware));
  t.same(Array.from(p.artifacts[1].bytes), Array.from(model));
  t.same(Array.from(p.artifacts[2].bytes), Array.from(config));
  t.equal(p.artifacts[0].entry.segments.length, Math.ceil(firmware.length / 1024));
  t.same(verifyBundle(p, [otherKeys.publicKey, keys.publicKey], { hardwareRevision: 'hp-2', minCounter: 5 }), { keyId: toHex(keyIdOf(keys.publicKey)) });
});

t.test('layout: header, 8-aligned sections, artifacts at their offsets', async (t) => {
  const b = packed();
  const v = new DataView(b.buffer);
  t.equal(new TextDecoder().decode(b.subarray(0, 4)), 'ANCB');
  t.equal(v.getUint16(4, true), 1, 'format version');
  t.equal(v.getUint16(6, true), HEADER_LENGTH);
  t.equal(v.getUint32(8, true), 0, 'unsigned');
  const manifestLength = v.getUint32(12, true);
  const area = HEADER_LENGTH + pad8(manifestLength) + SIGNATURE_BLOCK_LENGTH;
  t.equal(area % 8, 0);
  t.equal(b.length, area + v.getUint32(16, true));
  const p = parseBundle(b);
  for (const a of p.artifacts) t.equal(a.entry.offset % 8, 0, `${a.entry.name} aligned`);
  t.same(Array.from(b.subarray(area + p.artifacts[1].entry.offset, area + p.artifacts[1].entry.offset + model.length)), Array.from(model));
  t.equal(p.signature, null);
  t.equal(v.getUint32(8, true) & 1, 0);
  t.equal(new DataView(signBundle(b, keys.privateKey).buffer).getUint32(8, true), 1, 'signed flag set');
});

t.test('packing is reproducible and kinds follow the artifacts', async (t) => {
  t.same(packed(), packed(), 'same input, same bytes');
  t.equal(parseBundle(packed({ artifacts: [baseInput.artifacts[0]] })).manifest.kind, 'firmware');
  t.equal(parseBundle(packed({ artifacts: [baseInput.artifacts[1], { name: 'm2', type: 'model-blob', bytes: model }] })).manifest.kind, 'model');
  t.equal(parseBundle(packed({ artifacts: [baseInput.artifacts[2]] })).manifest.kind, 'config');
  t.equal(parseBundle(packed({ artifacts: [{ name: 'empty.json', type: 'config-json', bytes: new Uint8Array(0) }] })).artifacts[0].entry.segments.length, 0, 'empty artifact');
});

t.test('pack refuses bad input with a hint', async (t) => {
  const bad = (over: Parameters<typeof packed>[0], message: RegExp) => t.throws(() => packed(over), { code: 'invalid-input', message });
  bad({ version: '1.2' }, /semver/);
  bad({ hardware: [] }, /hardware/);
  bad({ hardware: ['a b'] }, /hardware/);
  bad({ counter: -1 }, /counter/);
  bad({ counter: 1.5 }, /counter/);
  bad({ segmentSize: 100 }, /segment size/);
  bad({ artifacts: [] }, /at least one artifact/);
  bad({ artifacts: [baseInput.artifacts[0], baseInput.artifacts[0]] }, /twice|at most one/);
  bad({ kind: 'firmware' }, /cannot carry/);
  bad({ artifacts: [{ name: '../evil', type: 'model-blob', bytes: model }] }, /names/);
  bad({ created: new Date(NaN) }, /date/);
  t.throws(() => packBundle({ ...baseInput, artifacts: Array.from({ length: 17 }, (_, i) => ({ name: `m${i}`, type: 'model-blob' as const, bytes: model })) }), { code: 'invalid-input' });
});

t.test('verify: each refusal has its own code', async (t) => {
  const signed = parseBundle(signBundle(packed(), keys.privateKey));
  t.throws(() => verifyBundle(parseBundle(packed()), [keys.publicKey]), { code: 'unsigned' });
  t.throws(() => verifyBundle(signed, [otherKeys.publicKey]), { code: 'unknown-key' });
  t.throws(() => verifyBundle(signed, []), { code: 'unknown-key' });
  t.throws(() => verifyBundle(signed, [keys.publicKey], { hardwareRevision: 'hp-9' }), { code: 'wrong-hardware', message: /hp-1, hp-2, not hp-9/ });
  t.throws(() => verifyBundle(signed, [keys.publicKey], { minCounter: 6 }), { code: 'downgrade' });
  t.doesNotThrow(() => verifyBundle(signed, [keys.publicKey], { minCounter: 5 }), 'equal counter re-installs');
  // A signature from the right key id over other bytes.
  const forged = { ...signed, signature: { keyId: signed.signature!.keyId, signature: new Uint8Array(64).fill(1) } };
  t.throws(() => verifyBundle(forged, [keys.publicKey]), { code: 'bad-signature' });
  // The parsed object altered after parsing: verify re-checks against the signed bytes.
  const swapped = { ...signed, artifacts: signed.artifacts.map((a, i) => (i === 0 ? { ...a, bytes: a.bytes.slice().fill(0) } : a)) };
  t.throws(() => verifyBundle(swapped, [keys.publicKey]), { code: 'hash-mismatch' });
  const relabelled = { ...signed, manifest: { ...signed.manifest, hardware: ['hp-9'], counter: 99 } };
  t.throws(() => verifyBundle(relabelled, [keys.publicKey], { hardwareRevision: 'hp-9' }), { code: 'wrong-hardware' }, 'uses the signed manifest, not the object');
});

t.test('parse: truncated, corrupted, tampered and hostile files', async (t) => {
  const signed = signBundle(packed(), keys.privateKey);
  const manifestLength = new DataView(signed.buffer).getUint32(12, true);
  const area = HEADER_LENGTH + pad8(manifestLength) + SIGNATURE_BLOCK_LENGTH;
  t.throws(() => parseBundle(signed.subarray(0, 10)), { code: 'truncated' });
  t.throws(() => parseBundle(signed.subarray(0, signed.length - 1)), { code: 'truncated' });
  t.throws(() => parseBundle(new TextEncoder().encode('hello world')), { code: 'bad-magic' });
  t.throws(() => parseBundle(Uint8Array.from([...signed, 0])), { code: 'malformed' }, 'trailing byte');
  const edit = (f: (b: Uint8Array, v: DataView) => void) => {
    const b = signed.slice();
    f(b, new DataView(b.buffer));
    return b;
  };
  t.throws(() => parseBundle(edit((_, v) => v.setUint16(4, 2, true))), { code: 'unsupported-version', message: /update anc/ });
  t.throws(() => parseBundle(edit((_, v) => v.setUint32(12, 0xffffffff, true))), { code: 'malformed' }, 'huge manifest length');
  t.throws(() => parseBundle(edit((_, v) => v.setUint32(16, 0xfffffff8, true))), { code: 'truncated' }, 'huge artifact length');
  t.throws(() => parseBundle(edit((_, v) => v.setUint32(8, 0x80, true))), { code: 'malformed' }, 'unknown flag');
  t.throws(() => parseBundle(edit((b) => (b[25] = 1))), { code: 'malformed' }, 'reserved header byte');
  t.throws(() => parseBundle(edit((b) => (b[area + 100] ^= 0x40))), { code: 'hash-mismatch', message: /segment 0/ }, 'artifact byte');
  t.throws(() => parseBundle(edit((b) => (b[area + 2500] ^= 0x40))), { code: 'hash-mismatch', message: /segment 2/ }, 'names the segment');
  t.throws(() => parseBundle(edit((b) => (b[HEADER_LENGTH] = 0x20))), { code: 'invalid-manifest' }, 'manifest not JSON');
  // Tamper with the manifest but keep it valid JSON: parse passes, the signature fails.
  const tampered = edit((b) => {
    const text = new TextDecoder().decode(b.subarray(HEADER_LENGTH, HEADER_LENGTH + manifestLength)).replace('"counter":5', '"counter":9');
    b.set(new TextEncoder().encode(text), HEADER_LENGTH);
  });
  t.throws(() => verifyBundle(parseBundle(tampered), [keys.publicKey]), { code: 'bad-signature' });
  const unsignedButBlock = packed();
  unsignedButBlock[area - 1] = 1;
  t.throws(() => parseBundle(unsignedButBlock), { code: 'malformed' }, 'unsigned with a signature block');
});

t.test('fuzz: truncations, bit flips and random files only raise BundleError', async (t) => {
  const { seededRandom } = await import('../seeded-random.ts');
  const rng = seededRandom(0xb0d1e);
  const signed = signBundle(packed(), keys.privateKey);
  const codes = new Map<string, number>();
  let accepted = 0;
  for (let n = 0; n < 3000; n++) {
    let b: Uint8Array;
    if (n % 3 === 0) b = signed.subarray(0, rng.int(signed.length));
    else if (n % 3 === 1) {
      b = signed.slice();
      // Bias flips toward the header and manifest, where structure lives.
      for (let f = 1 + rng.int(3); f > 0; f--) b[rng.int(rng.int(2) ? 600 : b.length)] ^= 1 << rng.int(8);
    } else b = Uint8Array.from([0x41, 0x4e, 0x43, 0x42, 1, 0, 32, 0, ...rng.bytes(rng.int(200))]);
    try {
      verifyBundle(parseBundle(b), [keys.publicKey]);
      accepted++;
    } catch (e) {
      if (!(e instanceof BundleError)) {
        t.fail(`round ${n}: ${String(e)}`);
        return;
      }
      codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
    }
  }
  t.ok(codes.size >= 5, `codes seen: ${[...codes].map(([k, v]) => `${k}=${v}`).join(' ')}`);
  t.ok(accepted < 50, `only flips in ignored bits (e.g. signed flag set twice) can pass: ${accepted}`);
});

t.test('keys: PEM round trip, key id, wrong key types refused', async (t) => {
  const k = generateSigningKeys();
  const priv = loadPrivateKey(k.privateKeyPem);
  const pub = loadPublicKey(k.publicKeyPem);
  t.equal(toHex(keyIdOf(pub)), k.keyId);
  t.equal(k.keyId.length, 16);
  t.equal(toHex(keyIdOf(loadPublicKey(k.privateKeyPem))), k.keyId, 'public half of a private PEM');
  t.ok(verifyBundle(parseBundle(signBundle(packed(), priv)), [pub]));
  t.throws(() => loadPrivateKey('not a key'), { code: 'invalid-key' });
  t.throws(() => loadPublicKey('not a key'), { code: 'invalid-key' });
  const { generateKeyPairSync } = await import('node:crypto');
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  t.throws(() => loadPrivateKey(ec.privateKey.export({ type: 'pkcs8', format: 'pem' })), { code: 'invalid-key', message: /Ed25519/ });
  t.throws(() => signBundle(packed(), keys.publicKey), { code: 'invalid-key' });
});
