// What the end-to-end OTA tests do to a fleet node over REST: upload a bundle, read a rollout,
// and wait (on the service's evaluations, with a deadline) until a rollout reaches a state.
import type { FleetNode } from '../support/fleet-node.ts';

export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** `waitMs`: how long `waitForRollout` waits unless told otherwise. */
export function rolloutDriver(node: FleetNode, waitMs: number) {
  const upload = (bytes: Uint8Array) =>
    node.server.app.inject({ method: 'POST', url: '/api/v1/artifacts', payload: Buffer.from(bytes), headers: { authorization: `Bearer ${node.token('operator')}`, 'content-type': 'application/octet-stream' } });
  const rollout = async (id: string) => (await node.api('viewer', { url: `/api/v1/rollouts/${id}` })).json();
  /** Re-reads the rollout after each evaluation until `test` holds. */
  const waitForRollout = (id: string, test: (r: any) => boolean, what: string, ms = waitMs): Promise<any> =>
    within(
      new Promise((resolve) => {
        let busy = false;
        const check = async () => {
          if (busy) return;
          busy = true;
          const r = await rollout(id);
          busy = false;
          if (test(r)) {
            unsubscribe();
            resolve(r);
          }
        };
        const unsubscribe = node.server.rollouts.onEvaluated((evaluated) => evaluated === id && void check());
        void check();
      }),
      ms,
      what,
    );
  return { upload, rollout, waitForRollout };
}
