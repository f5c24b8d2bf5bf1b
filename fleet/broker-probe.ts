// The seam between the REST app and the MQTT broker (part B): the app only needs to ask
// the broker how it is, for /health. The broker module implements this interface and is
// handed to buildApp; the app never imports the broker.
export interface BrokerHealth {
  status: 'up' | 'down';
  /** Clients connected to this node (devices and services). */
  clients: number;
  /** The shared store (Redis) behind sessions and the message bus, when there is one; down makes the broker down. */
  storage?: 'up' | 'down';
}

export interface BrokerProbe {
  health(): BrokerHealth;
}
