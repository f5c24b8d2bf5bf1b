// The same contract over a real pseudo-terminal pair, through node-serialport.
import t from 'tap';
import { openSerialTransport } from '../../../host/transport/serial-transport.ts';
import { openPtyPair, socatAvailable } from '../../../host/transport/socat-pty-pair.ts';
import { transportContract } from './transport-contract.ts';

if (!(await socatAvailable())) {
  t.skip('socat is not installed: install it (apt-get install socat) to run the pseudo-terminal tests', () => {});
} else {
  t.test('contract: serialport over a socat pty pair', async (t) => {
    transportContract(t, async () => {
      const pty = await openPtyPair();
      const a = await openSerialTransport({ path: pty.hostPath, baudRate: 921600 });
      const b = await openSerialTransport({ path: pty.devicePath, baudRate: 921600 });
      return {
        a,
        b,
        cleanup: async () => {
          await a.close();
          await b.close();
          await pty.close();
        },
      };
    });
  });

  t.test('opening a path that does not exist says what to do', async (t) => {
    await t.rejects(openSerialTransport({ path: '/dev/does-not-exist', baudRate: 115200 }), { code: 'open-failed', message: /anc ports/ });
  });
}
