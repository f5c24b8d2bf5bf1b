// `anc-sim device`: a virtual headset on a real pseudo-terminal (socat), so `anc --port <path>`
// talks to it exactly as to a USB serial port. Mount with program.addCommand(deviceCommand()).
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { loadPublicKey } from '../../host/bundle/signing-keys.ts';
import { openSerialTransport } from '../../host/transport/serial-transport.ts';
import { openPtyPair } from '../../host/transport/socat-pty-pair.ts';
import { PLANT_PRESETS, type PlantPreset } from '../acoustics/plant.ts';
import { VirtualHeadset } from '../device/virtual-headset.ts';

export interface DeviceCommandIo {
  stdout(line: string): void;
  /** Resolves when the device should stop (SIGINT in the real CLI). */
  stopped: Promise<void>;
}

export interface ServeOptions {
  flash: string;
  key: string[];
  hardware: string;
  deviceId: string;
  plant: PlantPreset;
  link?: string;
}

/** Serves a headset on a fresh pty pair until `stopped`; prints the path for --port. */
export async function serveDeviceOnPty(o: ServeOptions, io: DeviceCommandIo): Promise<void> {
  const pty = await openPtyPair({ links: o.link ? { host: o.link } : undefined });
  const transport = await openSerialTransport({ path: pty.devicePath, baudRate: 115200 });
  const headset = new VirtualHeadset({
    transport,
    flashFile: o.flash,
    trustedKeys: o.key.map((p) => loadPublicKey(readFileSync(p), p)),
    hardwareRevision: o.hardware,
    deviceId: o.deviceId,
    plant: o.plant,
  });
  headset.onLog((line) => io.stdout(`device ${line}`));
  io.stdout(JSON.stringify({ port: o.link ?? pty.hostPath, pty: pty.hostPath, flash: o.flash, mode: headset.mode }));
  io.stdout(`virtual headset ready: anc info --port ${o.link ?? pty.hostPath}`);
  await io.stopped;
  await headset.shutdown();
  await transport.close();
  await pty.close();
}

export function deviceCommand(io?: Partial<DeviceCommandIo>): Command {
  return new Command('device')
    .description('run a virtual headset on a pseudo-terminal (needs socat)')
    .requiredOption('--pty', 'expose it on a socat pseudo-terminal pair')
    .option('--flash <file>', 'simulated flash file (created blank; reuse it to keep the device)', 'virtual-headset.flash')
    .option('--key <file>', 'trusted public key (anc-signing.pub), repeatable', (v: string, prev: string[] = []) => [...prev, v])
    .option('--hardware <rev>', 'hardware revision', 'hp-1')
    .option('--device-id <id>', 'device id', 'sim-0001')
    .option('--plant <preset>', `acoustic plant (${PLANT_PRESETS.join(', ')})`, (v: string) => {
      if (!(PLANT_PRESETS as readonly string[]).includes(v)) throw new InvalidArgumentError(`one of ${PLANT_PRESETS.join(', ')}`);
      return v;
    }, 'earcup-closed')
    .option('--link <path>', 'also make a stable symlink to the host end, e.g. /tmp/anc-headset')
    .action((o: Omit<ServeOptions, 'key'> & { key?: string[] }) =>
      serveDeviceOnPty({ ...o, key: o.key ?? [] }, {
        stdout: io?.stdout ?? ((l) => process.stdout.write(`${l}\n`)),
        stopped: io?.stopped ?? new Promise((resolve) => process.once('SIGINT', () => resolve())),
      }),
    );
}
