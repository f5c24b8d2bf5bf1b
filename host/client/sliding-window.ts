// Keeps up to `window` operations in flight (the device's receive window from the handshake).
// Stops issuing on the first failure and rejects with it once the in-flight ones settle.
export async function runWindowed<T>(items: readonly T[], window: number, op: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const item = items[next++];
      try {
        await op(item);
      } catch (e) {
        if (!failed) failure = e;
        failed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(window, items.length)) }, lane));
  if (failed) throw failure;
}
