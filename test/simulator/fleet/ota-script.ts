// The server side of contract 5's OTA messages, scripted for the device tests: a real Aedes broker
// on port 0, and in-process hooks that answer chunk requests from the bundles it was given and
// publish each device's job list on `jobs/notify` when it subscribes and whenever it changes.
// Every message a headset sends is checked against the contract's schemas. A test may replace
// the chunk answer (tamper, drop, reject) and wait on what devices report, with deadlines.
import { once, type EventEmitter } from 'node:events';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { generateKeyPairSync, createHash, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Aedes } from 'aedes';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { parseTopic } from '../../../fleet/mqtt/topics.ts';
import { ChunkRequest, encodeChunk, JobUpdate, type JobDocument } from '../../../fleet/ota/ota-messages.ts';
import { packBundle, type ArtifactInput } from '../../../host/bundle/pack-bundle.ts';
import { signBundle } from '../../../host/bundle/sign-bundle.ts';
import { decodeModelBlob, encodeModelBlob } from '../../../firmware/model-blob.ts';

const updateChecker = TypeCompiler.Compile(JobUpdate);
const requestChecker = TypeCompiler.Compile(ChunkRequest);

export interface SeenRequest {
  deviceId: string;
  artifact: string;
  offset: number;
  length: number;
}

export interface SeenUpdate {
  deviceId: string;
  jobId: string;
  update: JobUpdate;
}

/** What the script answers to a request: the true bytes, nothing, or a raw payload on a leaf. */
export type ChunkAnswer = 'serve' | 'drop' | { leaf: 'data' | 'rejected'; payload: Buffer | string };

export class OtaScript {
  readonly requests: SeenRequest[] = [];
  readonly updates: SeenUpdate[] = [];
  /** Every shadow report and telemetry batch, parsed. */
  readonly reports: Array<{ deviceId: string; reported: Record<string, unknown> }> = [];
  readonly telemetry: Array<{ deviceId: string; samples: Array<Record<string, unknown>> }> = [];
  readonly events: Array<{ deviceId: string; event: Record<string, unknown> }> = [];
  /** Device messages that broke the contract (a test asserts this stays empty). */
  readonly violations: string[] = [];
  answer: (request: SeenRequest) => ChunkAnswer = () => 'serve';
  readonly #bundles = new Map<string, Uint8Array>();
  readonly #jobs = new Map<string, JobDocument[]>();
  readonly #waiters = new Set<() => void>();

  private constructor(
    readonly aedes: Aedes,
    readonly server: Server,
    readonly url: string,
  ) {
    aedes.on('publish', (packet, client) => {
      if (!client) return; // our own publishes
      this.#onDevicePublish(packet.topic, Buffer.from(packet.payload as Buffer));
      this.#wake();
    });
    aedes.on('subscribe', (subscriptions, client) => {
      if (subscriptions.some((s) => s.topic.endsWith('/jobs/notify'))) this.notify(client.id);
    });
  }

  static async start(): Promise<OtaScript> {
    const aedes = await Aedes.createBroker();
    const server = createServer(aedes.handle);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return new OtaScript(aedes, server, `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Serves `bytes` as an artifact (named by its SHA-256); answers the job document for it. */
  offer(bytes: Uint8Array, job: { jobId: string; kind: JobDocument['kind']; version: string; action?: JobDocument['action']; chunkSize?: number; sha256?: string }): JobDocument {
    const artifact = job.sha256 ?? sha256(bytes);
    this.#bundles.set(artifact, bytes);
    return { jobId: job.jobId, rolloutId: 'r-test', action: job.action ?? 'install', artifact, size: bytes.length, sha256: artifact, kind: job.kind, version: job.version, chunkSize: job.chunkSize ?? 4096 };
  }

  /** Sets a device's unfinished jobs and publishes them. */
  assign(deviceId: string, jobs: JobDocument[]): void {
    this.#jobs.set(deviceId, jobs);
    this.notify(deviceId);
  }

  notify(deviceId: string, payload?: string | Buffer): void {
    const body = payload ?? JSON.stringify({ v: 1, jobs: this.#jobs.get(deviceId) ?? [] });
    this.#publish(`anc/v1/${deviceId}/jobs/notify`, Buffer.from(body), 1);
  }

  /** Resolves with the first update (already seen or future) that matches; rejects after `ms`. */
  update(match: (u: SeenUpdate) => boolean, ms = 10_000, what = 'update'): Promise<SeenUpdate> {
    return this.until(() => this.updates.find(match), ms, what);
  }

  /** The outcome of a job: its first succeeded, failed or rolled_back update. */
  outcome(jobId: string, ms = 10_000): Promise<JobUpdate> {
    return this.update((u) => u.jobId === jobId && ['succeeded', 'failed', 'rolled_back'].includes(u.update.state), ms, `outcome of ${jobId}`).then((u) => u.update);
  }

  /** Re-checks `check` on every device message until it answers something; rejects after `ms`. */
  until<T>(check: () => T | undefined | false, ms = 10_000, what = 'condition'): Promise<T> {
    const first = check();
    if (first) return Promise.resolve(first);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`${what}: not within ${ms} ms`));
      }, ms);
      const waiter = () => {
        const value = check();
        if (!value) return;
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        resolve(value);
      };
      this.#waiters.add(waiter);
    });
  }

  /** Waits also re-check on these events of a device-side emitter (answers the unsubscribe). */
  watch(emitter: EventEmitter, ...events: string[]): () => void {
    const wake = () => this.#wake();
    for (const e of events) emitter.on(e, wake);
    return () => {
      for (const e of events) emitter.off(e, wake);
    };
  }

  states(jobId: string): string[] {
    return this.updates.filter((u) => u.jobId === jobId).map((u) => u.update.state);
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }

  #publish(topic: string, payload: Buffer, qos: 0 | 1): void {
    this.aedes.publish({ cmd: 'publish', topic, payload, qos, retain: false, dup: false }, () => {});
  }

  #onDevicePublish(topic: string, payload: Buffer): void {
    const parsed = parseTopic(topic);
    if (!parsed.ok) return;
    const t = parsed.topic;
    const json = () => JSON.parse(payload.toString('utf8'));
    if (t.kind === 'jobs/update') {
      const update = json();
      if (!updateChecker.Check(update)) this.violations.push(`${topic}: ${updateChecker.Errors(update).First()?.message}`);
      this.updates.push({ deviceId: t.deviceId, jobId: t.jobId, update });
      if (['succeeded', 'failed', 'rolled_back'].includes(update.state)) {
        const left = (this.#jobs.get(t.deviceId) ?? []).filter((j) => j.jobId !== t.jobId);
        this.#jobs.set(t.deviceId, left);
        this.notify(t.deviceId);
      }
    } else if (t.kind === 'ota/chunk/get') {
      const body = json();
      if (!requestChecker.Check(body)) {
        this.violations.push(`${topic}: ${JSON.stringify(body)}`);
        return;
      }
      const request = { deviceId: t.deviceId, artifact: t.artifact, offset: body.offset, length: body.length };
      this.requests.push(request);
      const answer = this.answer(request);
      const base = `anc/v1/${t.deviceId}/ota/${t.artifact}/chunk`;
      if (answer === 'drop') return;
      if (answer !== 'serve') return this.#publish(`${base}/${answer.leaf}`, Buffer.from(answer.payload), 0);
      const bytes = this.#bundles.get(t.artifact);
      if (!bytes) return this.#publish(`${base}/rejected`, Buffer.from(JSON.stringify({ offset: body.offset, code: 'unknown-artifact', reason: 'no such artifact' })), 0);
      this.#publish(`${base}/data`, encodeChunk(body.offset, bytes.length, bytes.subarray(body.offset, body.offset + body.length)), 0);
    } else if (t.kind === 'shadow/update') {
      this.reports.push({ deviceId: t.deviceId, reported: json().state?.reported ?? {} });
    } else if (t.kind === 'telemetry') {
      this.telemetry.push({ deviceId: t.deviceId, samples: json().samples });
    } else if (t.kind === 'events') {
      this.events.push({ deviceId: t.deviceId, event: json() });
    }
  }
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export const signingKeys = generateKeyPairSync('ed25519');
export const strangerKeys = generateKeyPairSync('ed25519');

export function signedBundle(o: { version: string; artifacts: ArtifactInput[]; counter?: number; hardware?: string[]; key?: KeyObject }): Uint8Array {
  const packed = packBundle({ version: o.version, hardware: o.hardware ?? ['hp-1'], counter: o.counter ?? 0, created: new Date('2026-11-24T00:00:00Z'), artifacts: o.artifacts });
  return signBundle(packed, o.key ?? signingKeys.privateKey);
}

const defaultModel = new Uint8Array(readFileSync(new URL('../../../models/default.ancm', import.meta.url)));

/** The default classifier model with another version in its header (the module reports it). */
export function modelBlob(major: number, minor: number, patch: number): Uint8Array {
  const model = decodeModelBlob(defaultModel);
  return encodeModelBlob({ ...model, version: { major, minor, patch } });
}

/** A model bundle of `version` carrying a blob whose own version is the same. */
export function modelBundle(version: string, over: { counter?: number; key?: KeyObject; hardware?: string[] } = {}): Uint8Array {
  const [a, b, c] = version.split('.').map(Number) as [number, number, number];
  return signedBundle({ version, artifacts: [{ name: 'model.ancm', type: 'model-blob', bytes: modelBlob(a, b, c) }], ...over });
}

/** The module's running model version as major.minor.patch ('none' with no model). */
export function moduleModelVersion(status: { modelVersion: number }): string {
  const v = status.modelVersion;
  return v === 0 ? 'none' : `${v >>> 16}.${(v >>> 8) & 0xff}.${v & 0xff}`;
}
