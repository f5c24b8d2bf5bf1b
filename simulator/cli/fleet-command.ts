// `anc-sim fleet`: N virtual headsets against a fleet server. Credentials come from provisioning
// over REST with an API key, or from a file; prints one summary line per interval until
// --seconds pass or SIGINT, then stops every headset cleanly (status `online: false`).
import { writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { getScenario } from '../scenarios/index.ts';
import { provisionDevices, readCredentialsFile, type DeviceCredential } from '../fleet/device-credentials.ts';
import { systemClock } from '../fleet/headset-clock.ts';
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
  const duty = o.duty ?? defaultDuty(credentials.length);
  io.stdout(`starting ${credentials.length} headsets on ${o.url}: scenario ${scenario.name}, acoustics duty ${duty.toFixed(3)}`);
  const fleet = startVirtualFleet({
    credentials,
    transport: { url: o.url, options: { reconnectPeriod: 1000 + Math.floor(Math.random() * 1000) } },
    clock: systemClock,
    scenario,
    duty,
    connectRate: o.connectRate,
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
