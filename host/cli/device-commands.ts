// The device commands of `anc`: argument parsing and output only; each calls one host/commands/
// function with a connection from withDevice(). Added to the program by main.ts.
import { writeFileSync } from 'node:fs';
import { SerialPort } from 'serialport';
import { SingleBar } from 'cli-progress';
import { Option, type Command } from 'commander';
import { confirmFirmware, rollbackFirmware } from '../commands/boot-control.ts';
import { calibrate } from '../commands/calibrate.ts';
import { configGet, configSet } from '../commands/config.ts';
import { flashBundle, type FlashProgress } from '../commands/flash.ts';
import { readInfo } from '../commands/info.ts';
import { monitor } from '../commands/monitor.ts';
import { listPorts, type PortLister } from '../commands/ports.ts';
import { verifyAgainstDevice } from '../commands/verify.ts';
import { loadPublicKey } from '../bundle/signing-keys.ts';
import { KEY_FILE_LIMIT, readLimited } from './bundle-files.ts';
import { CliError } from './cli-error.ts';
import { withDevice, type DeviceOptions, type OpenTransport } from './device-session.ts';
import { ExitCode } from './exit-codes.ts';

export interface DeviceCliDeps {
  stdout(line: string): void;
  env: Record<string, string | undefined>;
  openTransport: OpenTransport;
  listPorts?: PortLister;
  /** Progress bars only on a terminal and without --json. */
  isTTY: boolean;
  /** Ends `anc monitor` (Ctrl-C in the real CLI). */
  stopSignal?: AbortSignal;
  /** Where progress bars draw (default process.stderr). */
  progressStream?: NodeJS.WritableStream;
  runAsync<T extends object>(name: string, json: boolean, fn: () => Promise<T>, human: (r: T) => string): Promise<void>;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
const baud = (v: string): number => {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1200 || n > 12_000_000) throw new CliError(ExitCode.usage, 'usage', `--baud ${v}: expected 1200..12000000`);
  return n;
};

interface PortOpts {
  port?: string;
  baud?: number;
  bootBaud?: number;
  timeout?: number;
  json?: boolean;
}

function withPortOptions(c: Command): Command {
  return c
    .option('--port <path>', 'serial port of the headset (default $ANC_PORT)')
    .option('--baud <rate>', 'baud rate for the transfer (switched to after the handshake)', baud)
    .option('--boot-baud <rate>', 'baud rate the device starts at', baud, 115200)
    .option('--timeout <ms>', 'inactivity timeout per request', (v) => Number(v), 1000)
    .addOption(new Option('--json', 'print JSON lines, for scripts and factory stations'));
}

export function addDeviceCommands(program: Command, d: DeviceCliDeps): void {
  const device = (o: PortOpts): DeviceOptions => ({ port: o.port ?? d.env.ANC_PORT, baud: o.bootBaud ?? 115200, fastBaud: o.baud, timeoutMs: o.timeout });
  const keysFrom = (paths: string[] = []) => paths.map((p) => loadPublicKey(Buffer.from(readLimited(p, 'key', KEY_FILE_LIMIT)), p));

  program
    .command('ports')
    .description('list serial ports (pseudo-terminals are not listed: pass their path to --port)')
    .addOption(new Option('--json', 'print JSON'))
    .action((o: { json?: boolean }) =>
      d.runAsync('ports', !!o.json, () => listPorts(d.listPorts ?? (() => SerialPort.list())), (r) =>
        r.ports.length ? r.ports.map((p) => `${p.path}  ${p.manufacturer ?? ''} ${p.serialNumber ?? ''}`.trimEnd()).join('\n') : 'no serial ports found'),
    );

  withPortOptions(program.command('info').description('show the device, its firmware and its flash layout')).action((o: PortOpts) =>
    d.runAsync('info', !!o.json, () => withDevice(d.openTransport, device(o), readInfo), (r) =>
      [
        `${r.deviceId}  hardware ${r.hardwareRevision}  ${r.mode}`,
        `  firmware   ${r.firmwareVersion || '(none)'}  active ${r.activeSlot ?? '-'}  counter ${r.rollbackCounter}`,
        `  bootloader ${r.bootloaderVersion}  protocol ${r.protocolVersion}  frames ${r.maxFramePayload}  window ${r.window}`,
        `  calibrated ${r.calibrated ? 'yes' : 'no (run anc calibrate)'}`,
        ...r.partitions.map((p) => `  ${p.name.padEnd(12)} ${p.kind.padEnd(13)} ${p.state.padEnd(12)} @${p.offset} ${p.size} bytes`),
      ].join('\n')),
  );

  withPortOptions(program.command('flash').description('flash a signed bundle: write, commit, test boot, confirm'))
    .argument('<bundle>', 'bundle file (.ancb)')
    .option('--key <file>', 'trusted public key: check the bundle on the host first (repeatable)', collect)
    .option('--no-compress', 'send segments stored, never deflated')
    .option('--no-confirm', 'leave the new firmware under test boot (confirm later with anc confirm)')
    .action((bundlePath: string, o: PortOpts & { key?: string[]; compress: boolean; confirm: boolean }) => {
      const json = !!o.json || !d.isTTY;
      let bar: SingleBar | undefined;
      const onProgress = (p: FlashProgress) => {
        if (json) {
          if (o.json) d.stdout(JSON.stringify({ event: 'progress', command: 'flash', ...p }));
          return;
        }
        bar ??= new SingleBar({ format: 'flash [{bar}] {percentage}% | {value}/{total} bytes | {phase}', hideCursor: true, stream: d.progressStream ?? process.stderr });
        if (!bar.isActive) bar.start(p.total, 0, { phase: p.phase });
        bar.update(p.done, { phase: p.phase });
      };
      return d.runAsync('flash', !!o.json, async () => {
        const bytes = readLimited(bundlePath, 'bundle');
        const keys = keysFrom(o.key);
        try {
          return await withDevice(d.openTransport, device(o), (conn) => flashBundle(conn, { bundle: bytes, trustedKeys: keys, compress: o.compress, confirm: o.confirm, onProgress }));
        } finally {
          bar?.stop();
        }
      }, (r) => `flashed ${r.version} (counter ${r.counter}): ${r.segmentsSent} segments sent, ${r.segmentsHeld} already held, ${r.rawBytes} bytes as ${r.wireBytes} in ${r.seconds.toFixed(2)} s${r.confirmed ? ', confirmed' : ', under test boot: run anc confirm'}`);
    });

  withPortOptions(program.command('verify').description('check that the device would accept a bundle, and whether it runs it'))
    .argument('<bundle>', 'bundle file')
    .option('--key <file>', 'trusted public key (repeatable)', collect)
    .action((bundlePath: string, o: PortOpts & { key?: string[] }) =>
      d.runAsync('verify', !!o.json, () => withDevice(d.openTransport, device(o), (conn) => verifyAgainstDevice(conn, readLimited(bundlePath, 'bundle'), keysFrom(o.key))), (r) =>
        `${r.version} fits ${r.hardwareRevision}${r.signatureChecked ? ', signature valid' : ' (signature not checked: pass --key)'}; device runs ${r.deviceFirmwareVersion || 'nothing'}${r.installed ? ' (installed)' : ''}`),
    );

  withPortOptions(program.command('confirm').description('confirm the firmware under test boot')).action((o: PortOpts) =>
    d.runAsync('confirm', !!o.json, () => withDevice(d.openTransport, device(o), confirmFirmware), () => 'confirmed'),
  );
  withPortOptions(program.command('rollback').description('go back to the previous firmware (or abandon a test boot)')).action((o: PortOpts) =>
    d.runAsync('rollback', !!o.json, () => withDevice(d.openTransport, device(o), rollbackFirmware), (r) => `rolled back: running ${r.firmwareVersion || 'the bootloader'}`),
  );

  withPortOptions(program.command('calibrate').description('identify the secondary path, trim the mics, check attenuation; store on the device'))
    .addOption(new Option('--procedure <name>', 'what to run').choices(['full', 'secondary-path', 'mic-trim', 'verify-attenuation']).default('full'))
    .addOption(new Option('--excitation <name>', 'test signal').choices(['white-noise', 'mls', 'sweep']).default('white-noise'))
    .option('--taps <n>', 'secondary-path model length', (v) => Number(v), 128)
    .option('--duration <ms>', 'excitation length', (v) => Number(v), 1000)
    .option('--report <file>', 'write the JSON report here', 'calibration-report.json')
    .action((o: PortOpts & { procedure: 'full'; excitation: 'mls'; taps: number; duration: number; report: string }) =>
      d.runAsync('calibrate', !!o.json, async () => {
        const report = await withDevice(d.openTransport, device(o), (conn) => calibrate(conn, { procedure: o.procedure, excitation: o.excitation, taps: o.taps, durationMs: o.duration }));
        writeFileSync(o.report, `${JSON.stringify(report, null, 2)}\n`);
        return { report: o.report, stored: report.stored, metrics: report.metrics, micGainsDb: report.micGainsDb };
      }, (r) => `calibrated: ${Object.entries(r.metrics).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}; ${r.stored ? 'stored on the device' : 'NOT stored'}; report ${r.report}`),
    );

  withPortOptions(program.command('monitor').description('live status and log lines until Ctrl-C'))
    .option('--interval <ms>', 'status period', (v) => Number(v), 500)
    .action((o: PortOpts & { interval: number }) => {
      const ac = new AbortController();
      d.stopSignal?.addEventListener('abort', () => ac.abort(), { once: true });
      return d.runAsync('monitor', !!o.json, () => withDevice(d.openTransport, device(o), (conn) => monitor(conn, {
        intervalMs: o.interval,
        signal: ac.signal,
        onEvent: (e) => d.stdout(o.json ? JSON.stringify({ event: e.type, ...e }) : e.type === 'log' ? `[${e.uptimeMs} ms] ${e.level}: ${e.text}` : `#${e.sequence} ${e.status ? `${e.status.algorithm} taps ${e.status.taps} attenuation ${e.status.attenuationDb.toFixed(1)} dB gain ${e.status.gain.toFixed(2)}` : 'no firmware running'}`),
      })), (r) => `monitor stopped after ${r.events} events`);
    });

  const config = program.command('config').description('read or change the device configuration');
  withPortOptions(config.command('get').argument('[key]', 'one key (default: all)')).action((key: string | undefined, o: PortOpts) =>
    d.runAsync('config get', !!o.json, () => withDevice(d.openTransport, device(o), (conn) => configGet(conn, key ?? '')), (r) => JSON.stringify(r.value, null, 2)),
  );
  withPortOptions(config.command('set').argument('<key>').argument('<value>', 'JSON value, e.g. 0.02 or \'"fxlms"\'')).action((key: string, value: string, o: PortOpts) =>
    d.runAsync('config set', !!o.json, () => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        parsed = value; // a bare word is a string: anc config set algorithm fxlms
      }
      return withDevice(d.openTransport, device(o), (conn) => configSet(conn, key, parsed));
    }, (r) => `${r.key} = ${JSON.stringify(r.value)}`),
  );
}
