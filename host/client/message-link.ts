// Frames and messages over a transport, for either side (the host client and the virtual headset).
// Sends encodeFrame(encodeMessage(m)); receives through one FrameDecoder and hands out envelopes.
// A frame that fails CRC or COBS is dropped and counted here; retries above recover it.
import { encodeFrame } from '../protocol/frame.ts';
import { FrameDecoder, type FrameDecoderStats } from '../protocol/frame-decoder.ts';
import { HANDSHAKE_MAX_PAYLOAD } from '../protocol/frame-limits.ts';
import { decodeEnvelope, encodeMessage, type Envelope, type Message } from '../protocol/message.ts';
import { ProtocolError } from '../protocol/protocol-error.ts';
import type { Transport } from '../transport/transport.ts';

export type EnvelopeListener = (e: Envelope) => void;

export class MessageLink {
  readonly #decoder = new FrameDecoder();
  readonly #listeners = new Set<EnvelopeListener>();
  #sendMax = HANDSHAKE_MAX_PAYLOAD;
  /** Frames whose header could not be read (too short, reserved flags): dropped like bad CRCs. */
  badHeaders = 0;

  constructor(readonly transport: Transport) {
    transport.onData((chunk) => {
      for (const payload of this.#decoder.push(chunk)) {
        let e: Envelope;
        try {
          e = decodeEnvelope(payload);
        } catch (err) {
          if (!(err instanceof ProtocolError)) throw err;
          this.badHeaders++;
          continue;
        }
        for (const l of [...this.#listeners]) l(e);
      }
    });
  }

  get stats(): FrameDecoderStats {
    return this.#decoder.stats;
  }
  get sendMaxPayload(): number {
    return this.#sendMax;
  }
  get receiveMaxPayload(): number {
    return this.#decoder.maxPayload;
  }

  onEnvelope(listener: EnvelopeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Encodes and writes one message; throws ProtocolError('too-large') rather than send a frame the peer would drop. */
  send(m: Message): Promise<void> {
    return this.transport.write(encodeFrame(encodeMessage(m), this.#sendMax));
  }

  /** After the handshake: what each side agreed to receive. */
  setLimits(limits: { send: number; receive: number }): void {
    this.#sendMax = limits.send;
    this.#decoder.setMaxPayload(limits.receive);
  }

  /** Forgets a half-received frame (after a baud change or reconnect) and flushes the peer's decoder. */
  async resync(): Promise<void> {
    this.#decoder.reset();
    await this.transport.write(Uint8Array.of(0));
  }
}
