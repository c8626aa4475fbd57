// Fixtures shared by the whole real-VS-Code phase, started by run.mjs before code-server.
//
// Hook for the end-to-end features: start the embedded broker and simulated devices here (`mqtt-mcp demo`,
// dist/cli.js) and return how to reach them. What startFixtures returns flows into the tests:
//   userSettings  merged into the code-server User settings (e.g. the broker URL setting of the extension)
//   env           added to code-server's environment (so the extension host sees it) and to the UI test processes
//   stop()        called once at the end, also after failures
// Keep it fast and self-cleaning: the whole phase shares one instance.

/**
 * @param {{ log: (line: string) => void, tempDir: string }} _context
 * @returns {Promise<{ userSettings: Record<string, unknown>, env: Record<string, string>, description: string, stop: () => Promise<void> }>}
 */
export async function startFixtures(_context) {
  // No fixtures yet: the current tests need neither a broker nor devices.
  return { userSettings: {}, env: {}, description: 'none', async stop() {} };
}
