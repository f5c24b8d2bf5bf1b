// How connections reach the broker: MQTT over TCP on its own port, and MQTT over WebSocket on
// `/mqtt` of the REST server (browsers, and networks that only pass HTTP(S)).
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server } from 'node:net';
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
  for (let attempt = 0; ; attempt++) {
    const server: Server = createServer((socket) => broker.accept(socket));
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
