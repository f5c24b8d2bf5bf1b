import t from 'tap';
import type { HandshakeRequest, HandshakeResponse } from '../../../host/protocol/handshake-messages.ts';
import { negotiate } from '../../../host/protocol/negotiate.ts';

const offer: HandshakeRequest = { protocolVersion: 2, minProtocolVersion: 1, maxFramePayload: 4096, window: 8, compression: ['none', 'deflate-raw'], hashes: ['sha256'] };
const reply: HandshakeResponse = {
  protocolVersion: 1, maxFramePayload: 8192, window: 4, compression: ['none'], hashes: ['sha256'], mode: 'bootloader',
  hardwareRevision: 'hp-1', deviceId: 'd', activeSlot: 0xff, partitions: [],
};

t.test('agrees on the device choice within the host range', async (t) => {
  t.same(negotiate(offer, reply), { protocolVersion: 1, sendMaxPayload: 8192, receiveMaxPayload: 4096, sendWindow: 4, compression: ['none'], hash: 'sha256', mode: 'bootloader' });
  t.same(negotiate(offer, { ...reply, compression: ['none', 'deflate-raw'] }).compression, ['none', 'deflate-raw']);
});

t.test('every mismatch is an immediate, specific error', async (t) => {
  t.throws(() => negotiate(offer, { ...reply, protocolVersion: 3 }), { code: 'version-mismatch', message: /update anc/ });
  t.throws(() => negotiate(offer, { ...reply, protocolVersion: 0 }), { code: 'version-mismatch', message: /bootloader/ });
  t.throws(() => negotiate(offer, { ...reply, maxFramePayload: 100 }), { code: 'incompatible' });
  t.throws(() => negotiate(offer, { ...reply, maxFramePayload: 1 << 24 }), { code: 'incompatible' });
  t.throws(() => negotiate(offer, { ...reply, window: 0 }), { code: 'incompatible' });
  t.throws(() => negotiate(offer, { ...reply, hashes: [] }), { code: 'incompatible' });
});
