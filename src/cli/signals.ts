// How a long-running command (broker, simulate, demo, proxy, gateway, bridge) waits: until Ctrl+C or
// SIGTERM, or until something it serves ends first. Listeners are removed again either way.
export function untilStopped(stopped?: Promise<unknown>): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    void stopped?.then(done, done);
  });
}
