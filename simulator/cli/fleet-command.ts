// `anc-sim fleet`: N virtual headsets against a fleet server. Credentials come from provisioning
// over REST with an API key, or from a file; prints one summary line per interval until
// --seconds pass or SIGINT, then stops every headset cleanly (status `online: false`). The
// headsets take over-the-air updates signed by the --trust keys, with the OTA fault knobs.
import { readFileSync, writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { getScenario } from '../scenarios/index.ts';
import { provisionDevices, readCredentialsFile, type DeviceCredential } from '../fleet/device-credentials.ts';
import { loadPublicKey } from '../../host/bundle/signing-keys.ts';
import { systemClock } from '../fleet/headset-clock.ts';
import type { FleetFaults } from '../fleet/ota-faults.ts';
import { defaultDuty, formatFleetLine, startVirtualFleet } from '../fleet/virtual-fleet.ts';

export interface FleetCommandOptions {
  devices: number;
  url: string;
  api?: string;
  apiKey?: string;
  credentials?: string;
  saveCredentials?: string;
  scenario: string;
  seconds?: number;
  interval: number;
  duty?: number;
  connectRate: number;
  trust: string[];
  hardware: string;
  linkRate?: number;
  disconnectAfter?: number;
  failBundle?: string;
  failShare: number;
  failSeed: number;
  degradeBundle?: string;
  degradeDb: number;
  battery?: number;
  charging?: boolean;
}

/** The fault knobs of the command line, as the fleet takes them. */
export function fleetFaults(o: Pick<FleetCommandOptions, 'linkRate' | 'disconnectAfter' | 'failBundle' | 'failShare' | 'failSeed' | 'degradeBundle' | 'degradeDb'>): FleetFaults {
  return {
    ...(o.linkRate === undefined ? {} : { linkBytesPerSecond: o.linkRate }),
    ...(o.disconnectAfter === undefined ? {} : { disconnectAfterBytes: o.disconnectAfter }),
    ...(o.failBundle ? { failBundle: { bundle: o.failBundle, share: o.failShare, seed: o.failSeed } } : {}),
    ...(o.degradeBundle ? { degradeBundle: { bundle: o.degradeBundle, lossDb: o.degradeDb } } : {}),
  };
}

export interface FleetCommandIo {
  stdout(line: string): void;
  /** Resolves when the fleet should stop early (SIGINT in the real CLI). */
  stopped: Promise<void>;
}

export async function runFleet(o: FleetCommandOptions, io: FleetCommandIo): Promise<void> {
  const scenario = getScenario(o.scenario);
  let credentials: DeviceCredential[];
  if (o.credentials) {
    credentials = readCredentialsFile(o.credentials).slice(0, o.devices);
  } else {
    if (!o.api || !o.apiKey) throw new Error('give --api and --api-key to provision devices, or --credentials <file.json>');
    credentials = await provisionDevices({ api: o.api, apiKey: o.apiKey, count: o.devices });
    if (o.saveCredentials) writeFileSync(o.saveCredentials, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
    io.stdout(`provisioned ${credentials.length} devices (${credentials[0]?.deviceId} ...)`);
  }
  const trustedKeys = o.trust.map((file) => loadPublicKey(readFileSync(file), file));
  if (trustedKeys.length === 0) io.stdout('no --trust key: every over-the-air bundle will be refused (unknown-key)');
  const duty = o.duty ?? defaultDuty(credentials.length);
  io.stdout(`starting ${credentials.length} headsets on ${o.url}: scenario ${scenario.name}, acoustics duty ${duty.toFixed(3)}`);
  const fleet = startVirtualFleet({
    credentials,
    transport: { url: o.url, options: { reconnectPeriod: 1000 + Math.floor(Math.random() * 1000) } },
    clock: systemClock,
    scenario,
    duty,
    connectRate: o.connectRate,
    ota: { trustedKeys, hardwareRevision: o.hardware },
    faults: fleetFaults(o),
    power: { ...(o.battery === undefined ? {} : { battery: o.battery }), ...(o.charging ? { charging: true } : {}) },
  });
  const started = Date.now();
  const line = () => io.stdout(formatFleetLine((Date.now() - started) / 1000, fleet.totals()));
  const timer = setInterval(line, o.interval * 1000);
  const deadline = o.seconds === undefined ? undefined : new Promise<void>((r) => setTimeout(r, o.seconds! * 1000).unref());
  try {
    await Promise.race([io.stopped, ...(deadline ? [deadline] : [])]);
  } finally {
    clearInterval(timer);
    await fleet.stop();
    line();
  }
}

const share = (v: string) => {
  const n = Number(v);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('--fail-share must be in 0..1');
  return n;
};

const positive = (what: string) => (v: string) => {
  const n = Number(v);
  if (!(Number.isFinite(n) && n > 0)) throw new InvalidArgumentError(`${what} must be a positive number`);
  return n;
};

export function fleetCommand(io?: Partial<FleetCommandIo>): Command {
  return new Command('fleet')
    .description('run N virtual headsets (firmware in simulated acoustics) against a fleet server over MQTT')
    .requiredOption('--devices <n>', 'number of headsets', positive('--devices'))
    .requiredOption('--url <mqtt://host:port>', 'the fleet broker')
    .option('--api <http://host:port>', 'fleet REST API, to provision the devices')
    .option('--api-key <key>', 'operator API key for provisioning (or env ANC_API_KEY)', process.env.ANC_API_KEY)
    .option('--credentials <file.json>', 'connect with these [{deviceId, secret}] instead of provisioning')
    .option('--save-credentials <file.json>', 'write the provisioned credentials here (mode 0600)')
    .option('--scenario <name>', 'acoustic scenario each headset hears', 'cabin')
    .option('--seconds <s>', 'stop after this long (default: until Ctrl-C)', positive('--seconds'))
    .option('--interval <s>', 'seconds between summary lines', positive('--interval'), 5)
    .option('--duty <0..1>', 'share of 100 ms ticks on which a headset runs its acoustics (default min(1, 8/N))', (v: string) => {
      const n = Number(v);
      if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('--duty must be in 0..1');
      return n;
    })
    .option('--connect-rate <per-second>', "connections started per second after the first 10 (the server's default limit is 2/s per address)", positive('--connect-rate'), 2)
    .option('--trust <key.pub>', 'public key over-the-air bundles must be signed with (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--hardware <revision>', "the headsets' hardware revision, matched against a bundle's manifest", 'hp-1')
    .option('--link-rate <bytes/s>', 'slow link: each headset downloads at most this many bytes per second', positive('--link-rate'))
    .option('--disconnect-after <bytes>', 'drop the connection once this many bytes of a download are held (once per job)', positive('--disconnect-after'))
    .option('--fail-bundle <artifact|version>', 'a share of the headsets (--fail-share) fail their self-test after installing this bundle')
    .option('--fail-share <0..1>', 'share of headsets that fail --fail-bundle, chosen by device id and --fail-seed', share, 1)
    .option('--fail-seed <n>', 'seed of the choice of failing headsets', (v: string) => {
      const n = Number(v);
      if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('--fail-seed must be an integer');
      return n;
    }, 1)
    .option('--degrade-bundle <artifact|version>', 'after installing this bundle the module runs at the intensity that costs --degrade-db of attenuation')
    .option('--degrade-db <dB>', 'attenuation lost with --degrade-bundle', positive('--degrade-db'), 3)
    .option('--battery <percent>', 'battery at start (default 40..100 %, by device)', (v: string) => {
      const n = Number(v);
      if (!(n >= 0 && n <= 100)) throw new InvalidArgumentError('--battery must be in 0..100');
      return n;
    })
    .option('--charging', 'the headsets start on the charger')
    .action(async (o: FleetCommandOptions) => {
      const stdout = io?.stdout ?? ((line: string) => process.stdout.write(`${line}\n`));
      const stopped = io?.stopped ?? new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
      try {
        await runFleet({ ...o, devices: Math.floor(o.devices) }, { stdout, stopped });
      } catch (error) {
        process.stderr.write(`anc-sim fleet: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 1;
      }
    });
}
