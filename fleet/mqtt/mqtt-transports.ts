// How connections reach the broker: MQTT over TCP on its own port, MQTT over WebSocket on
// `/mqtt` of the REST server (browsers, and networks that only pass HTTP(S)), and MQTT over TLS
// where devices log in with a client certificate of the fleet CA.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import fastifyWebsocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import { createWebSocketStream } from 'ws';
import type { FleetBroker } from './broker.ts';

export interface TcpListener {
  port: number;
  /** Stops accepting; open connections are closed by the broker. */
  close(): Promise<void>;
}

/**
 * Listens on `port`, or, when it is taken and `fallbacks` allows, on the next free one of the
 * ports after it: a machine that already runs a broker on 1883 can still start the fleet with
 * its defaults (the caller says which port it got).
 */
export async function listenMqttTcp(
  broker: Pick<FleetBroker, 'accept'>,
  options: { port: number; host?: string; fallbacks?: number },
): Promise<TcpListener> {
  return listenWithFallback(() => createServer((socket) => broker.accept(socket)), options);
}

export interface TlsListenerOptions {
  port: number;
  host?: string;
  fallbacks?: number;
  /** PEM: the listener's own certificate and key. */
  cert: string;
  key: string;
  /** PEM: the fleet CA that client certificates must chain to. */
  ca: string;
  /** A connection must finish its TLS handshake within this (default 10 s). */
  handshakeTimeoutMs?: number;
  /** Handshakes refused (no certificate, another CA, expired...): for the log. */
  onHandshakeError?(error: Error): void;
}

/**
 * MQTT over TLS with mandatory client certificates: a client without one, or with one the fleet
 * CA did not sign, is refused in the handshake. The broker gets the verified certificate's CN and
 * fingerprint and decides the rest (registered, not revoked) in its `authenticate` hook.
 */
export async function listenMqttTls(broker: Pick<FleetBroker, 'accept'>, options: TlsListenerOptions): Promise<TcpListener> {
  const make = () => {
    const server = createTlsServer(
      { cert: options.cert, key: options.key, ca: [options.ca], requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2', handshakeTimeout: options.handshakeTimeoutMs ?? 10_000 },
      (socket) => {
        const peer = socket.getPeerCertificate();
        // A certificate with several CNs names no one device: an empty CN is refused as malformed.
        const commonName = typeof peer.subject?.CN === 'string' ? peer.subject.CN : '';
        broker.accept(socket, undefined, { commonName, fingerprint: createHash('sha256').update(peer.raw).digest('hex') });
      },
    );
    server.on('tlsClientError', (error) => options.onHandshakeError?.(error));
    return server;
  };
  return listenWithFallback(make, options);
}

async function listenWithFallback(make: () => Server, options: { port: number; host?: string; fallbacks?: number }): Promise<TcpListener> {
  for (let attempt = 0; ; attempt++) {
    const server = make();
    try {
      server.listen(options.port + attempt, options.host);
      await once(server, 'listening');
      return {
        port: (server.address() as AddressInfo).port,
        close: () => new Promise<void>((resolve) => server.close(() => resolve())),
      };
    } catch (error) {
      const taken = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
      if (!taken || options.port === 0 || attempt >= (options.fallbacks ?? 0)) throw error;
    }
  }
}

/** Registers `GET /mqtt` (WebSocket upgrade, subprotocol `mqtt`) on the REST server. */
export async function registerMqttWebSocket(app: FastifyInstance, broker: FleetBroker, options: { maxPacketBytes: number }): Promise<void> {
  // maxPayload bounds one WebSocket frame; the broker's packet guard bounds MQTT packets.
  await app.register(fastifyWebsocket, { options: { maxPayload: options.maxPacketBytes + 16 } });
  app.get('/mqtt', { websocket: true, schema: { hide: true } }, (socket, request) => {
    broker.accept(createWebSocketStream(socket), request.raw);
  });
}
