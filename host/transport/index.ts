// Transports: the only way host code and the virtual headset move bytes.
export { TransportError, type Transport, type DataListener, type CloseListener } from './transport.ts';
export { openSerialTransport, type SerialTransportOptions, type SerialBinding } from './serial-transport.ts';
export { createMemoryPair, type MemoryPair, type MemoryPairOptions, type LineImpairments, type Direction } from './memory-pair.ts';
export { openPtyPair, socatAvailable, type PtyPair, type PtyPairOptions } from './socat-pty-pair.ts';
