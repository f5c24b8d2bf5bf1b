// `anc monitor --json`: status lines at the asked interval, the device's log lines as they happen,
// and a clean stop (stream switched off, summary line, exit 0) when the stop signal fires.
import t from 'tap';
import { join } from 'node:path';
import { MessageLink } from '../../../host/client/message-link.ts';
import { main } from '../../../host/cli/main.ts';
import { createMemoryPair } from '../../../host/transport/memory-pair.ts';
import { VirtualHeadset } from '../../../simulator/device/virtual-headset.ts';
import { keys, tempDir } from '../../simulator/device/headset-rig.ts';

t.test('anc monitor --json prints status and log lines and stops cleanly', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const pair = createMemoryPair();
  const headset = new VirtualHeadset({ transport: pair.b, flashFile: join(dir, 'flash.bin'), trustedKeys: [keys.publicKey] });
  t.teardown(() => headset.shutdown());
  const stop = new AbortController();
  const deadline = setTimeout(() => stop.abort(), 5000); // never hang: the checks below fail instead
  t.teardown(() => clearTimeout(deadline));
  const lines: Array<Record<string, unknown>> = [];
  // A second talker on the host end makes the device refuse something, which it logs (warn).
  const provoke = () => new MessageLink(pair.a).send({ id: 0xfff0, flags: 0, body: { kind: 'boot-control', action: 'confirm' } });
  const code = await main(['monitor', '--port', 'mem', '--json', '--interval', '10'], {
    stdout: (l) => {
      const line = JSON.parse(l) as Record<string, unknown>;
      lines.push(line);
      const statuses = lines.filter((x) => x.event === 'status').length;
      if (line.event === 'status' && statuses === 2) void provoke();
      if (lines.some((x) => x.event === 'log') && statuses >= 4) stop.abort();
    },
    stderr: (l) => t.fail(l),
    env: {},
    openTransport: async () => pair.a,
    stopSignal: stop.signal,
  });
  t.equal(code, 0);
  const status = lines.filter((l) => l.event === 'status');
  t.ok(status.length >= 4, `${status.length} status lines`);
  t.same(status.map((s) => s.sequence), status.map((_, i) => i), 'sequence numbers count up from 0');
  t.match(status[0], { type: 'status', uptimeMs: Number });
  t.match(lines.find((l) => l.event === 'log'), { level: 'warn', text: /boot-control refused: nothing to confirm/ });
  const summary = lines.at(-1)!;
  t.match(summary, { ok: true, command: 'monitor' });
  t.equal(summary.events, lines.length - 1, 'the summary counts every event printed');
  t.notOk(pair.a.isOpen, 'the port is closed after the stop');
});
