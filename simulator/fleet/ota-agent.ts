// A virtual headset's over-the-air agent (contract 5, docs/ota.md "Device side"): it listens on
// `jobs/notify`, takes the unfinished jobs one at a time in list order, fetches the bundle with
// `ota/<artifact>/chunk/get` requests (a window of them in flight, QoS 0, each retried after a
// timeout), keeps what it holds across a disconnect and asks again from the first missing byte,
// verifies (downloaded-bundle-check.ts), installs or rolls back (bundle-install.ts) and reports
// every step on `jobs/<jobId>/update`. A payload that is not what the contract says fails the
// job with the reason, or is ignored when it names no job; the headset itself carries on.
import { EventEmitter } from 'node:events';
import type { KeyObject } from 'node:crypto';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { MqttClient } from 'mqtt';
import { buildTopic, deviceRoot, parseTopic } from '../../fleet/mqtt/topics.ts';
import { ChunkRejected, decodeChunk, JobNotify, OTA_LIMITS, type DeviceJobState, type JobDocument, type JobUpdate } from '../../fleet/ota/ota-messages.ts';
import { MAX_BUNDLE_LENGTH } from '../../host/bundle/bundle-layout.ts';
import type { BundleInstaller, InstallOutcome } from './bundle-install.ts';
import { DownloadBuffer } from './download-buffer.ts';
import { checkDownloadedBundle } from './downloaded-bundle-check.ts';
import type { HeadsetClock } from './headset-clock.ts';
import type { RunningVersions } from './headset-settings.ts';
import type { HeadsetFaults } from './ota-faults.ts';

/** Counters an agent adds to its headset's stats (a fleet sums them). */
export interface OtaCounts {
  otaSucceeded: number;
  otaFailed: number;
  otaRolledBack: number;
  otaRequests: number;
  otaRetries: number;
  otaBytes: number;
  /** OTA payloads that were not what the contract says. */
  otaBadMessages: number;
}

/** A headset's over-the-air settings (VirtualHeadset's `ota` option). */
export interface HeadsetOtaOptions {
  /** Public keys a bundle may be signed with (none: every bundle is refused as unknown-key). */
  trustedKeys?: readonly KeyObject[];
  /** Matched against the manifest's hardware list (default 'hp-1'). */
  hardwareRevision?: string;
  /** Anti-rollback counter at power-up (default 0). */
  rollbackCounter?: number;
  /** Chunk requests in flight (default 4) and their timeout (default 5000 ms of the clock). */
  window?: number;
  requestTimeoutMs?: number;
  /** Test boot of a new firmware module (default 0.5 s of sound, at least 6 dB). */
  selfTest?: { seconds: number; minDb: number };
  /** Where new firmware modules are written for the loader (default <tmpdir>/anc-ota-modules). */
  moduleDir?: string;
}

export interface OtaAgentOptions {
  deviceId: string;
  clock: HeadsetClock;
  installer: BundleInstaller;
  trustedKeys: readonly KeyObject[];
  hardwareRevision: string;
  /** What runs now, for the `running` field of outcomes. */
  running(): RunningVersions;
  /** After an install or rollback changed what runs: the headset reports its shadow. */
  onRunningChanged(): void;
  /** Drops the connection (the disconnect-mid-download fault). */
  dropLink(): void;
  counts: OtaCounts;
  faults?: HeadsetFaults;
  /** Chunk requests in flight at once (default 4). */
  window?: number;
  /** A request with no reply after this is asked again (default 5000 ms of the clock). */
  requestTimeoutMs?: number;
  /** Timeouts and temporary refusals in a row, with no new chunk, before the job fails (default 24). */
  maxMisses?: number;
  /** Period of the timer that checks timeouts and paces a slow link (default 100 ms). */
  tickMs?: number;
}

export interface OtaAgentEvents {
  /** Every update the agent reported. */
  update: [jobId: string, update: JobUpdate];
  /** Subscribed to jobs and chunks after a connect. */
  ready: [];
  /** A new chunk is held. */
  progress: [jobId: string, heldBytes: number, size: number];
  /** An OTA payload that was not what the contract says (and what was done about it). */
  'bad-message': [topic: string, reason: string];
}

interface Download {
  job: JobDocument;
  buffer: DownloadBuffer;
  /** Chunk index -> clock time of the request. */
  outstanding: Map<number, number>;
  tokens: number;
  refilledAt: number;
  misses: number;
  reportedBytes: number;
  dropped: boolean;
}

const notifyChecker = TypeCompiler.Compile(JobNotify);
const rejectedChecker = TypeCompiler.Compile(ChunkRejected);
const FINISHED_REMEMBERED = 256;

export class OtaAgent extends EventEmitter<OtaAgentEvents> {
  readonly #o: OtaAgentOptions;
  readonly #notifyTopic: string;
  readonly #otaPrefix: string;
  #client: MqttClient | undefined;
  #subscribed = false;
  #queue: JobDocument[] = [];
  readonly #finished = new Set<string>();
  #download: Download | undefined;
  #stopTicks: (() => void) | undefined;

  constructor(options: OtaAgentOptions) {
    super();
    this.#o = options;
    this.#notifyTopic = buildTopic({ kind: 'jobs/notify', deviceId: options.deviceId });
    this.#otaPrefix = `${deviceRoot(options.deviceId)}ota/`;
  }

  /** The job being downloaded: bytes held, and chunk requests waiting for their reply. */
  get downloading(): { jobId: string; offset: number; heldBytes: number; outstanding: number } | undefined {
    const d = this.#download;
    return d && { jobId: d.job.jobId, offset: d.buffer.offset, heldBytes: d.buffer.heldBytes, outstanding: d.outstanding.size };
  }

  attach(client: MqttClient): void {
    this.#client = client;
    client.on('connect', () => this.#onConnect(client));
    client.on('close', () => this.#onClose());
    client.on('message', (topic, payload) => this.#onMessage(topic, payload));
  }

  stop(): void {
    this.#stopTicks?.();
    this.#stopTicks = undefined;
  }

  #onConnect(client: MqttClient): void {
    this.#subscribed = false;
    const root = deviceRoot(this.#o.deviceId);
    const filters = { [`${root}ota/+/chunk/data`]: { qos: 0 as const }, [`${root}ota/+/chunk/rejected`]: { qos: 0 as const }, [this.#notifyTopic]: { qos: 1 as const } };
    client.subscribe(filters, (error) => {
      if (error || !client.connected) return; // mqtt.js reconnects; the next connect subscribes again
      this.#subscribed = true;
      this.emit('ready');
      const d = this.#download;
      if (d) {
        this.#report(d.job, 'downloading', { offset: d.buffer.offset }); // resumed from what is held
        this.#pump();
      } else {
        this.#next();
      }
    });
  }

  #onClose(): void {
    this.#subscribed = false;
    this.#download?.outstanding.clear(); // replies to them are lost with the connection
  }

  #onMessage(topic: string, payload: Buffer): void {
    if (topic === this.#notifyTopic) return this.#onNotify(payload);
    if (!topic.startsWith(this.#otaPrefix)) return;
    const parsed = parseTopic(topic);
    if (!parsed.ok) return;
    const t = parsed.topic;
    if (t.kind === 'ota/chunk/data') this.#onChunk(topic, t.artifact, payload);
    else if (t.kind === 'ota/chunk/rejected') this.#onRejected(topic, t.artifact, payload);
  }

  #onNotify(payload: Buffer): void {
    let value: unknown;
    try {
      value = JSON.parse(payload.toString('utf8'));
    } catch {
      return this.#bad(this.#notifyTopic, 'jobs/notify is not JSON: ignored');
    }
    if (!notifyChecker.Check(value)) {
      const e = notifyChecker.Errors(value).First();
      return this.#bad(this.#notifyTopic, `jobs/notify ${e ? `${e.path || '/'}: ${e.message}` : 'is not a job list'}: ignored`);
    }
    this.#queue = value.jobs.filter((j) => !this.#finished.has(j.jobId));
    const d = this.#download;
    // a job the server no longer lists was cancelled or timed out there: nothing to report
    if (d && !value.jobs.some((j) => j.jobId === d.job.jobId)) this.#endDownload();
    this.#next();
  }

  #next(): void {
    if (this.#download || !this.#subscribed) return;
    const job = this.#queue.find((j) => !this.#finished.has(j.jobId));
    if (!job) return;
    if (job.action === 'rollback') return this.#finish(job, this.#o.installer.rollback(job));
    if (job.size > MAX_BUNDLE_LENGTH) {
      return this.#finish(job, { state: 'failed', reason: `bundle of ${job.size} bytes is over the ${MAX_BUNDLE_LENGTH}-byte limit` });
    }
    const buffer = new DownloadBuffer(job.size, job.chunkSize);
    const now = this.#o.clock.now();
    this.#download = { job, buffer, outstanding: new Map(), tokens: job.chunkSize, refilledAt: now, misses: 0, reportedBytes: 0, dropped: false };
    this.#report(job, 'downloading', { offset: 0 });
    this.#stopTicks ??= this.#o.clock.every(this.#o.tickMs ?? 100, () => this.#onTick());
    this.#pump();
  }

  /** Asks for missing chunks while the window (and a slow link's byte budget) allow. */
  #pump(): void {
    const d = this.#download;
    const client = this.#client;
    if (!d || !client || !this.#subscribed || d.buffer.complete) return;
    const rate = this.#o.faults?.linkBytesPerSecond;
    const now = this.#o.clock.now();
    if (rate) {
      const cap = Math.max(d.job.chunkSize, (rate * (this.#o.tickMs ?? 100)) / 1000);
      d.tokens = Math.min(cap, d.tokens + (rate * (now - d.refilledAt)) / 1000);
    }
    d.refilledAt = now;
    const room = (this.#o.window ?? 4) - d.outstanding.size;
    if (room <= 0) return;
    const topic = buildTopic({ kind: 'ota/chunk/get', deviceId: this.#o.deviceId, artifact: d.job.artifact });
    for (const span of d.buffer.missing(room, d.outstanding)) {
      if (rate) {
        if (d.tokens < span.length) break;
        d.tokens -= span.length;
      }
      d.outstanding.set(span.index, now);
      this.#o.counts.otaRequests++;
      client.publish(topic, JSON.stringify({ offset: span.offset, length: span.length }), { qos: 0 });
    }
  }

  #onTick(): void {
    const d = this.#download;
    if (!d || !this.#subscribed) return;
    const now = this.#o.clock.now();
    const timeout = this.#o.requestTimeoutMs ?? 5000;
    for (const [index, at] of d.outstanding) {
      if (now - at < timeout) continue;
      d.outstanding.delete(index);
      d.misses++;
      this.#o.counts.otaRetries++;
    }
    if (d.misses > (this.#o.maxMisses ?? 24)) {
      return this.#fail(d, `download stalled at ${d.buffer.offset} of ${d.job.size} bytes: ${d.misses} requests unanswered or refused in a row`);
    }
    this.#pump();
  }

  #onChunk(topic: string, artifact: string, payload: Buffer): void {
    const d = this.#download;
    if (!d || artifact !== d.job.artifact) return; // a late reply of an earlier download
    const chunk = decodeChunk(payload);
    if (!chunk) return this.#fail(d, `malformed chunk/data: ${payload.length} bytes, shorter than its ${OTA_LIMITS.chunkHeaderBytes}-byte header`, topic);
    const verdict = d.buffer.accept(chunk);
    if (!verdict.ok) return this.#fail(d, verdict.reason, topic);
    d.outstanding.delete(verdict.index);
    if (!verdict.fresh) return this.#pump();
    d.misses = 0;
    this.#o.counts.otaBytes += chunk.bytes.length;
    const held = d.buffer.heldBytes;
    this.emit('progress', d.job.jobId, held, d.job.size);
    if (d.buffer.complete) return this.#verifyAndInstall(d);
    // progress at every quarter, so the server sees a download move without a report per chunk
    if (held - d.reportedBytes >= d.job.size / 4) {
      d.reportedBytes = held;
      this.#report(d.job, 'downloading', { offset: d.buffer.offset });
    }
    const dropAt = this.#o.faults?.disconnectAfterBytes;
    if (dropAt !== undefined && !d.dropped && held >= dropAt) {
      d.dropped = true;
      d.outstanding.clear();
      this.#subscribed = false;
      this.#o.dropLink();
      return;
    }
    this.#pump();
  }

  #onRejected(topic: string, artifact: string, payload: Buffer): void {
    const d = this.#download;
    if (!d || artifact !== d.job.artifact) return;
    let value: unknown;
    try {
      value = JSON.parse(payload.toString('utf8'));
    } catch {
      value = undefined;
    }
    if (!rejectedChecker.Check(value)) return this.#fail(d, 'malformed chunk/rejected reply from the server', topic);
    const { offset, code, reason } = value;
    // no job (yet) or busy: the request stays in flight and is asked again at its timeout
    if ((code === 'no-job' || code === 'unavailable') && ++d.misses <= (this.#o.maxMisses ?? 24)) return;
    this.#fail(d, `server refused chunk at offset ${offset}: ${code}${reason ? `: ${reason}` : ''}`);
  }

  #verifyAndInstall(d: Download): void {
    const { job } = d;
    this.#endDownload();
    this.#report(job, 'verifying', {});
    let outcome: InstallOutcome;
    try {
      const parsed = checkDownloadedBundle(d.buffer.bytes(), job, {
        trustedKeys: this.#o.trustedKeys,
        hardwareRevision: this.#o.hardwareRevision,
        rollbackCounter: this.#o.installer.rollbackCounter,
      });
      this.#report(job, 'applying', {});
      outcome = this.#o.installer.install(parsed, job);
    } catch (error) {
      outcome = { state: 'failed', reason: (error as Error).message };
    }
    this.#finish(job, outcome);
  }

  /** Ends the download as `failed`; `badTopic` when a payload broke the contract. */
  #fail(d: Download, reason: string, badTopic?: string): void {
    if (badTopic) this.#bad(badTopic, reason);
    this.#endDownload();
    this.#finish(d.job, { state: 'failed', reason });
  }

  #endDownload(): void {
    this.#download = undefined;
    this.stop();
  }

  #finish(job: JobDocument, outcome: InstallOutcome): void {
    this.#finished.add(job.jobId);
    if (this.#finished.size > FINISHED_REMEMBERED) this.#finished.delete(this.#finished.values().next().value!);
    this.#queue = this.#queue.filter((j) => j.jobId !== job.jobId);
    const counts = this.#o.counts;
    if (outcome.state === 'succeeded') counts.otaSucceeded++;
    else if (outcome.state === 'rolled_back') counts.otaRolledBack++;
    else counts.otaFailed++;
    const ran = outcome.state !== 'failed';
    this.#report(job, outcome.state, { ...(outcome.reason ? { reason: outcome.reason } : {}), ...(ran ? { running: this.#o.running() } : {}) });
    if (ran) this.#o.onRunningChanged();
    this.#next();
  }

  #report(job: JobDocument, state: DeviceJobState, extra: Pick<JobUpdate, 'offset' | 'reason' | 'running'>): void {
    const reason = extra.reason && extra.reason.slice(0, OTA_LIMITS.maxReasonLength);
    const update: JobUpdate = { v: 1, state, t: Math.floor(this.#o.clock.now()), ...extra, ...(reason ? { reason } : {}) };
    // QoS 1: while offline mqtt.js keeps it and sends it on reconnect
    this.#client?.publish(buildTopic({ kind: 'jobs/update', deviceId: this.#o.deviceId, jobId: job.jobId }), JSON.stringify(update), { qos: 1 });
    this.emit('update', job.jobId, update);
  }

  #bad(topic: string, reason: string): void {
    this.#o.counts.otaBadMessages++;
    this.emit('bad-message', topic, reason);
  }
}
