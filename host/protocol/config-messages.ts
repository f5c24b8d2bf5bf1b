// Device configuration (`anc config get|set`), kept in the device's config partition. Values are
// JSON so the protocol does not change when the firmware grows a parameter; the device validates.
// Added in part B after the 26 original types (append only: 0x40..0x42).
import { defineCodec } from './message-codec.ts';
import { ProtocolError } from './protocol-error.ts';

export interface ConfigGet {
  /** A key, or '' for the whole configuration. */
  key: string;
}
export interface ConfigValue {
  /** JSON text: the value of the key (null if unset), or the whole configuration object. */
  json: string;
}
export interface ConfigSet {
  key: string;
  json: string;
}

function checkJson(json: string, field: string): void {
  try {
    JSON.parse(json);
  } catch {
    throw new ProtocolError('bad-value', `${field} is not JSON text`);
  }
}

export const configGet = defineCodec<'config-get', ConfigGet>({
  kind: 'config-get',
  type: 0x40,
  encode(w, b) {
    w.str8(b.key, 'key');
  },
  decode(r) {
    return { key: r.str8('key') };
  },
});

export const configValue = defineCodec<'config-value', ConfigValue>({
  kind: 'config-value',
  type: 0x41,
  encode(w, b) {
    checkJson(b.json, 'config value');
    w.str16(b.json, 'json');
  },
  decode(r) {
    const json = r.str16('json');
    checkJson(json, 'config value');
    return { json };
  },
});

export const configSet = defineCodec<'config-set', ConfigSet>({
  kind: 'config-set',
  type: 0x42,
  encode(w, b) {
    if (b.key === '') throw new ProtocolError('bad-value', 'config-set needs a key');
    checkJson(b.json, 'config value');
    w.str8(b.key, 'key').str16(b.json, 'json');
  },
  decode(r) {
    const b = { key: r.str8('key'), json: r.str16('json') };
    if (b.key === '') throw new ProtocolError('bad-value', 'config-set needs a key');
    checkJson(b.json, 'config value');
    return b;
  },
});
