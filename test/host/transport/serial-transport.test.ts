// SerialTransport over serialport's MockBinding: setBaudRate reaches the binding, the transport
// reports the new rate, and bytes still flow at it; a closed port refuses the change.
import t from 'tap';
import { createRequire } from 'node:module';
import { openSerialTransport, type SerialBinding } from '../../../host/transport/serial-transport.ts';
import { receiveBytes } from './transport-contract.ts';

// binding-mock ships type declarations its package.json "exports" does not point to, so the import
// is untyped under NodeNext: load it with require and type the part used here.
interface MockPort {
  getBaudRate(): Promise<{ baudRate: number }>;
}
const { MockBinding } = createRequire(import.meta.url)('@serialport/binding-mock') as {
  MockBinding: { open(options: object): Promise<MockPort>; reset(): void; createPort(path: string, options?: { echo?: boolean; record?: boolean }): void };
};

/** MockBinding, keeping each port it opens so the test can ask the "hardware" its rate. */
function recordingBinding(): { binding: SerialBinding; ports: MockPort[] } {
  const ports: MockPort[] = [];
  const binding = {
    ...MockBinding,
    open: async (options: object) => {
      const port = await MockBinding.open(options);
      ports.push(port);
      return port;
    },
  } as unknown as SerialBinding;
  return { binding, ports };
}

t.test('setBaudRate changes the binding rate and the link keeps working', async (t) => {
  MockBinding.reset();
  MockBinding.createPort('/dev/mock-anc', { echo: true, record: true });
  const { binding, ports } = recordingBinding();
  const transport = await openSerialTransport({ path: '/dev/mock-anc', baudRate: 115200, binding });
  t.teardown(() => transport.close());
  t.equal(transport.baudRate, 115200);
  t.same(await ports[0].getBaudRate(), { baudRate: 115200 });

  await transport.setBaudRate(921600);
  t.equal(transport.baudRate, 921600);
  t.same(await ports[0].getBaudRate(), { baudRate: 921600 }, 'the binding was updated');

  const echoed = receiveBytes(transport, 3, 2000);
  await transport.write(Uint8Array.of(1, 2, 3));
  t.same([...(await echoed)], [1, 2, 3], 'bytes flow after the change');
});

t.test('setBaudRate on a closed port rejects and keeps the old rate', async (t) => {
  MockBinding.reset();
  MockBinding.createPort('/dev/mock-anc');
  const transport = await openSerialTransport({ path: '/dev/mock-anc', baudRate: 115200, binding: MockBinding as unknown as SerialBinding });
  await transport.close();
  await t.rejects(transport.setBaudRate(921600));
  t.equal(transport.baudRate, 115200);
});
