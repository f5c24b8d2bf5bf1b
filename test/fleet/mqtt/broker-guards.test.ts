// The pure pieces the broker adds to Aedes: the connect-rate token bucket, the packet size
// tracker and MQTT filter matching.
import t from 'tap';
import { createConnectRateLimiter } from '../../../fleet/mqtt/connect-rate-limit.ts';
import { createPacketSizeTracker } from '../../../fleet/mqtt/packet-size-guard.ts';
import { topicMatchesFilter } from '../../../fleet/mqtt/topics.ts';

t.test('token bucket: a burst, then the refill rate, per address, bounded memory', async (t) => {
  let now = 0;
  const limiter = createConnectRateLimiter({ ratePerSecond: 2, burst: 3, now: () => now, maxAddresses: 2 });
  t.same([1, 2, 3, 4].map(() => limiter.take('a')), [true, true, true, false]);
  t.equal(limiter.take('b'), true, 'addresses are independent');
  now += 499;
  t.equal(limiter.take('a'), false);
  now += 1;
  t.equal(limiter.take('a'), true, 'one token after 500 ms at 2/s');
  now += 60_000;
  t.same([1, 2, 3, 4].map(() => limiter.take('a')), [true, true, true, false], 'refill is capped at the burst');
  limiter.take('c');
  t.equal(limiter.size(), 2, 'the least recently seen address is forgotten');
  t.throws(() => createConnectRateLimiter({ ratePerSecond: 0, burst: 1 }));
});

t.test('packet size tracker reads remaining lengths across chunk boundaries', async (t) => {
  const publish = (bodyLength: number) => {
    const len: number[] = [];
    let x = bodyLength;
    do {
      let byte = x % 128;
      x = Math.floor(x / 128);
      if (x > 0) byte |= 0x80;
      len.push(byte);
    } while (x > 0);
    return Buffer.concat([Buffer.from([0x32, ...len]), Buffer.alloc(bodyLength, 1)]);
  };
  const tracker = createPacketSizeTracker(1000);
  const stream = Buffer.concat([publish(10), publish(0), publish(1000), publish(200)]);
  for (let i = 0; i < stream.length; i += 7) t.equal(tracker.push(stream.subarray(i, i + 7)), undefined);
  t.equal(tracker.push(publish(1001).subarray(0, 3)), 1001, 'refused as soon as the length is known');
  t.equal(createPacketSizeTracker(1000).push(Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f])), 16383, 'stops at the first length byte that crosses the limit');
  t.equal(createPacketSizeTracker(10 ** 9).push(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01])), Number.MAX_SAFE_INTEGER, 'a fifth length byte is malformed');
});

t.test('MQTT 3.1.1 filter matching', async (t) => {
  const cases: Array<[string, string, boolean]> = [
    ['anc/v1/d/shadow/delta', 'anc/v1/d/shadow/delta', true],
    ['anc/v1/d/shadow/delta', 'anc/v1/d/#', true],
    ['anc/v1/d/shadow/delta', 'anc/v1/d/shadow/+', true],
    ['anc/v1/d/shadow/delta', 'anc/v1/d/shadow/+/+', false],
    ['anc/v1/d/shadow/delta', 'anc/v1/+/shadow/delta', true],
    ['anc/v1/d', 'anc/v1/d/#', true],
    ['anc/v1/d/shadow/delta', 'anc/v1/e/#', false],
    ['anc/v1/d/shadow/delta', '#', true],
    ['$SYS/x', '#', false],
    ['$SYS/x', '+/x', false],
    ['$SYS/x', '$SYS/#', true],
  ];
  for (const [topic, filter, expected] of cases) t.equal(topicMatchesFilter(topic, filter), expected, `${filter} ~ ${topic}`);
});
