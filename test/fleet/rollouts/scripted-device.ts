// A device for the rollout service tests: a real mqtt.js client that answers `jobs/notify` with
// the job updates a headset would send, following a per-test script (succeed, fail, stay silent),
// and can publish telemetry and its reported safety fields. The real virtual headset's OTA agent
// (simulator/fleet/) is exercised by the end-to-end tests; this one keeps the server tests small.
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { MqttClient } from 'mqtt';
import type { Kysely } from 'kysely';
import type { Database } from '../../../fleet/db/database.ts';
import type { JobDocument, JobNotify } from '../../../fleet/ota/ota-messages.ts';
import type { FleetNode } from '../support/fleet-node.ts';

export type Outcome = 'succeed' | 'fail' | 'silent';

export class ScriptedDevice extends EventEmitter {
  readonly lists: JobNotify[] = [];
  readonly handled = new Set<string>();
  modelVersion: string;
  #t = Date.now();
  #previous: string[] = [];

  constructor(
    readonly id: string,
    readonly client: MqttClient,
    modelVersion: string,
    public outcome: (job: JobDocument) => Outcome = () => 'succeed',
  ) {
    super();
    this.modelVersion = modelVersion;
    client.on('message', (topic, payload) => {
      if (topic !== `anc/v1/${id}/jobs/notify`) return;
      const list = JSON.parse(payload.toString()) as JobNotify;
      this.lists.push(list);
      this.emit('list', list);
      for (const job of list.jobs) {
        if (this.handled.has(job.jobId)) continue;
        this.handled.add(job.jobId);
        void this.#run(job).catch((error: unknown) => this.emit('error', error));
      }
    });
  }

  /** Strictly increasing device time, so no two updates look like duplicates. */
  now(): number {
    this.#t = Math.max(this.#t + 1, Date.now());
    return this.#t;
  }

  async update(jobId: string, body: Record<string, unknown>): Promise<void> {
    await this.client.publishAsync(`anc/v1/${this.id}/jobs/${jobId}/update`, JSON.stringify({ v: 1, t: this.now(), ...body }), { qos: 1 });
  }

  async #run(job: JobDocument): Promise<void> {
    if (job.action === 'rollback') {
      this.modelVersion = this.#previous.pop() ?? this.modelVersion;
      await this.update(job.jobId, { state: 'rolled_back', reason: 'rollback requested', running: { modelVersion: this.modelVersion } });
      return;
    }
    const outcome = this.outcome(job);
    if (outcome === 'silent') return;
    await this.update(job.jobId, { state: 'downloading', offset: 0 });
    await this.update(job.jobId, { state: 'downloading', offset: job.size });
    await this.update(job.jobId, { state: 'verifying' });
    await this.update(job.jobId, { state: 'applying' });
    if (outcome === 'fail') {
      await this.update(job.jobId, { state: 'rolled_back', reason: 'self-test failed', running: { modelVersion: this.modelVersion } });
      return;
    }
    this.#previous.push(this.modelVersion);
    this.modelVersion = job.version;
    await this.update(job.jobId, { state: 'succeeded', running: { modelVersion: job.version } });
  }

  async report(reported: Record<string, unknown>): Promise<void> {
    await this.client.publishAsync(`anc/v1/${this.id}/shadow/update`, JSON.stringify({ state: { reported } }), { qos: 1 });
  }

  async telemetry(attenuationDb: number, samples = 5): Promise<void> {
    const base = Date.now() - samples;
    const batch = { v: 1, samples: Array.from({ length: samples }, (_, i) => ({ t: base + i, attenuationDb, errorPower: 0.01, recoveries: 0, battery: 80 })) };
    await this.client.publishAsync(`anc/v1/${this.id}/telemetry`, JSON.stringify(batch), { qos: 1 });
  }

  async subscribe(): Promise<void> {
    await this.client.subscribeAsync(`anc/v1/${this.id}/jobs/notify`, { qos: 1 });
  }

  /** Resolves with the next job list that satisfies `test`, or rejects after `ms`. */
  nextList(test: (list: JobNotify) => boolean, ms = 10_000): Promise<JobNotify> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('list', onList);
        reject(new Error(`${this.id}: no matching jobs/notify within ${ms} ms`));
      }, ms);
      const onList = (list: JobNotify) => {
        if (!test(list)) return;
        clearTimeout(timer);
        this.off('list', onList);
        resolve(list);
      };
      this.on('list', onList);
    });
  }
}

/** Provisions `count` devices tagged `tag` (hardware hp-1, model 1.0.0) and connects them. */
export async function scriptedFleet(node: FleetNode, tag: string, count: number, options: { connect?: boolean } = {}): Promise<{ ids: string[]; secrets: Map<string, string>; devices: Map<string, ScriptedDevice> }> {
  const ids = Array.from({ length: count }, (_, i) => `${tag}-${String(i).padStart(2, '0')}`);
  const secrets = new Map<string, string>();
  const devices = new Map<string, ScriptedDevice>();
  for (const id of ids) {
    secrets.set(id, await node.provision(id, { hardwareRevision: 'hp-1', firmwareVersion: '1.0.0', modelVersion: '1.0.0', tags: [tag] }));
    if (options.connect !== false) devices.set(id, await connectScripted(node, id, secrets.get(id)!));
  }
  return { ids, secrets, devices };
}

async function connectScripted(node: FleetNode, id: string, secret: string, modelVersion = '1.0.0'): Promise<ScriptedDevice> {
  const device = new ScriptedDevice(id, await node.connectDevice(id, secret), modelVersion);
  await device.subscribe();
  return device;
}

/** An artifact row as the artifacts service would store it after checking a bundle. */
export async function insertArtifact(db: Kysely<Database>, facts: { kind?: string; version?: string; hardware?: string[]; size?: number } = {}): Promise<string> {
  const id = randomBytes(32).toString('hex');
  const manifest = { formatVersion: 1, kind: facts.kind ?? 'model', version: facts.version ?? '2.0.0', hardware: facts.hardware ?? ['hp-1'], counter: 1, created: new Date().toISOString(), artifacts: [] };
  await db
    .insertInto('artifacts')
    .values({ id, size: facts.size ?? 65_536, kind: manifest.kind, version: manifest.version, hardware: JSON.stringify(manifest.hardware), counter: 1, key_id: '0011223344556677', manifest: JSON.stringify(manifest) })
    .execute();
  return id;
}
