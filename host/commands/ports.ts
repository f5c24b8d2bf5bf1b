// `anc ports`: serial ports the OS knows. Listing needs udev on Linux; where it is missing
// (containers) the error says to pass --port directly. Pseudo-terminals are never listed.
import { TransportError } from '../transport/transport.ts';

export interface PortEntry {
  path: string;
  manufacturer?: string;
  serialNumber?: string;
  vendorId?: string;
  productId?: string;
}

export type PortLister = () => Promise<PortEntry[]>;

export async function listPorts(lister: PortLister): Promise<{ ports: PortEntry[] }> {
  try {
    const ports = await lister();
    return { ports: ports.map((p) => ({ path: p.path, manufacturer: p.manufacturer, serialNumber: p.serialNumber, vendorId: p.vendorId, productId: p.productId })) };
  } catch (e) {
    const m = (e as Error).message ?? String(e);
    const hint = /udevadm/.test(m) ? 'udevadm is not available here (no udev, e.g. in a container)' : m;
    throw new TransportError('list-failed', `cannot list serial ports: ${hint}: pass the port directly, e.g. --port /dev/ttyACM0 (a virtual headset prints its /dev/pts path)`);
  }
}
