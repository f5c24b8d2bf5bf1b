// `anc flash` on a terminal draws a progress bar (not JSON lines) on the progress stream, and the
// last frame it draws says 100%.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../../../host/cli/main.ts';
import { createMemoryPair } from '../../../host/transport/memory-pair.ts';
import { VirtualHeadset } from '../../../simulator/device/virtual-headset.ts';
import { bundle, keys, tempDir } from '../../simulator/device/headset-rig.ts';

/** A writable that says it is a terminal, as cli-progress checks, and keeps what is drawn. */
function fakeTerminal(): Writable & { text(): string } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return Object.assign(w, { isTTY: true, columns: 120, text: () => chunks.join('') });
}

t.test('on a TTY, anc flash renders a bar that ends at 100%', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  writeFileSync(join(dir, 'v1.ancb'), bundle());
  const pair = createMemoryPair();
  const headset = new VirtualHeadset({ transport: pair.b, flashFile: join(dir, 'flash.bin'), trustedKeys: [keys.publicKey] });
  t.teardown(() => headset.shutdown());
  const tty = fakeTerminal();
  const out: string[] = [];
  const code = await main(['flash', join(dir, 'v1.ancb'), '--port', 'mem'], { stdout: (l) => out.push(l), stderr: (l) => t.fail(l), env: {}, openTransport: async () => pair.a, isTTY: true, progressStream: tty });
  t.equal(code, 0);
  t.match(out.join('\n'), /^flashed 1\.0\.0 .*confirmed$/, 'the human summary, no JSON');
  // cli-progress redraws the line in place: the frames are the text between cursor moves.
  const frames = tty.text().split(/\r|\x1b\[[0-9;]*[A-Za-z]/).filter((f) => f.startsWith('flash ['));
  t.ok(frames.length >= 2, `${frames.length} frames drawn`);
  t.match(frames.at(-1), /flash \[=+\] 100% \| (\d+)\/\1 bytes \| (commit|boot|confirm)/);
  t.notOk(out.some((l) => l.startsWith('{')), 'no JSON lines on a terminal without --json');
});
