// Protocol versions this code speaks. Bump PROTOCOL_VERSION when the wire format changes;
// raise MIN_PROTOCOL_VERSION only when support for an old one is dropped.
export const PROTOCOL_VERSION = 1;
export const MIN_PROTOCOL_VERSION = 1;
