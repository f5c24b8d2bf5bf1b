// The identities a virtual fleet connects with: provisioned over the REST API with an API key
// (POST /api/v1/devices answers the secret once), or read from a JSON file of earlier ones.
import { readFileSync } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

export const DeviceCredential = Type.Object({ deviceId: Type.String({ minLength: 1, maxLength: 64 }), secret: Type.String({ minLength: 1 }) });
export type DeviceCredential = Static<typeof DeviceCredential>;
const CredentialsFile = Type.Array(DeviceCredential, { minItems: 1 });
const checker = TypeCompiler.Compile(CredentialsFile);

/** `[{ "deviceId": "...", "secret": "..." }, ...]`, as written by `anc-sim fleet --save-credentials`. */
export function readCredentialsFile(path: string): DeviceCredential[] {
  const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!checker.Check(value)) {
    const error = checker.Errors(value).First();
    throw new Error(`${path}: ${error ? `${error.path || '/'}: ${error.message}` : 'not a credentials list'}`);
  }
  return value;
}

export interface ProvisionOptions {
  /** http://host:port of the fleet server. */
  api: string;
  /** An operator (or admin) API key. */
  apiKey: string;
  count: number;
  /** Device ids are `<prefix>-<n>` (default `vh-<random>`, so runs do not collide). */
  idPrefix?: string;
  /** Requests in flight at once (default 8). */
  concurrency?: number;
  fetch?: typeof fetch;
}

/** Provisions `count` devices and answers their credentials, in order. */
export async function provisionDevices(o: ProvisionOptions): Promise<DeviceCredential[]> {
  const prefix = o.idPrefix ?? `vh-${Math.random().toString(36).slice(2, 8)}`;
  const call = o.fetch ?? fetch;
  const out: DeviceCredential[] = new Array(o.count);
  let next = 0;
  const worker = async () => {
    while (next < o.count) {
      const i = next++;
      const id = `${prefix}-${i}`;
      const res = await call(new URL('/api/v1/devices', o.api), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': o.apiKey },
        body: JSON.stringify({ id, name: `virtual headset ${i}`, tags: ['virtual'] }),
      });
      const body = (await res.json().catch(() => ({}))) as { secret?: string; message?: string };
      if (res.status !== 201 || !body.secret) throw new Error(`provisioning ${id}: HTTP ${res.status} ${body.message ?? ''}`.trim());
      out[i] = { deviceId: id, secret: body.secret };
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency ?? 8, o.count) }, worker));
  return out;
}
