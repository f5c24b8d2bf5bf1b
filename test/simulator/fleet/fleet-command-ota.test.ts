// `anc-sim fleet` with its over-the-air flags, run as the CLI runs it (system clock, commander
// parsing) against the scripted OTA server: two headsets trust the key given by --trust, and
// --fail-bundle with --fail-share 0.5 makes exactly one of them fail the bundle's self-test.
// The run is stopped as soon as both outcomes are in.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { fleetCommand, fleetFaults } from '../../../simulator/cli/fleet-command.ts';
import { failingDevices } from '../../../simulator/fleet/ota-faults.ts';
import { modelBundle, OtaScript, signingKeys } from './ota-script.ts';

t.test('fault flags map onto the fleet faults', async (t) => {
  t.same(fleetFaults({ failShare: 1, failSeed: 1, degradeDb: 3 }), {});
  t.same(fleetFaults({ linkRate: 4096, disconnectAfter: 8192, failBundle: '2.0.0', failShare: 0.3, failSeed: 4, degradeBundle: '2.1.0', degradeDb: 3 }), {
    linkBytesPerSecond: 4096,
    disconnectAfterBytes: 8192,
    failBundle: { bundle: '2.0.0', share: 0.3, seed: 4 },
    degradeBundle: { bundle: '2.1.0', lossDb: 3 },
  });
});

t.test('anc-sim fleet --trust --fail-bundle --fail-share: one headset installs, the other rolls back', async (t) => {
  const script = await OtaScript.start();
  t.teardown(() => script.close());
  const dir = mkdtempSync(join(tmpdir(), 'anc-fleet-cli-'));
  const ids = ['cli-a', 'cli-b'];
  writeFileSync(join(dir, 'creds.json'), JSON.stringify(ids.map((deviceId) => ({ deviceId, secret: 'x' }))));
  writeFileSync(join(dir, 'anc-signing.pub'), signingKeys.publicKey.export({ type: 'spki', format: 'pem' }));
  const bundle = modelBundle('4.0.0');
  for (const id of ids) script.assign(id, [script.offer(bundle, { jobId: `j-${id}`, kind: 'model', version: '4.0.0' })]);

  const lines: string[] = [];
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const run = fleetCommand({ stdout: (line) => lines.push(line), stopped }).parseAsync(
    ['--devices', '2', '--url', script.url, '--credentials', join(dir, 'creds.json'), '--trust', join(dir, 'anc-signing.pub'),
      '--duty', '0', '--fail-bundle', '4.0.0', '--fail-share', '0.5', '--interval', '60'],
    { from: 'user' },
  );
  const outcomes = await Promise.all(ids.map((id) => script.outcome(`j-${id}`, 20_000)));
  stop();
  await run;
  const failing = failingDevices(ids, 0.5, 1);
  t.equal(failing.size, 1);
  ids.forEach((id, i) => {
    t.equal(outcomes[i]!.state, failing.has(id) ? 'rolled_back' : 'succeeded', `${id}: ${outcomes[i]!.state}`);
  });
  t.match(lines.at(-1), /ota 1 succeeded, 0 failed, 1 rolled back/, 'the summary line counts the outcomes');
  t.equal(process.exitCode ?? 0, 0);
});
