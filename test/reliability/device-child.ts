// A scripted device in a process of its own, so a test can SIGKILL it mid-call. Prints "ready" when online.
import { startScriptedDevice } from './scripted-device.js';

const [url, serverId, serverName] = process.argv.slice(2) as [string, string, string];
void startScriptedDevice({ url, serverId, serverName, onCall: (c) => (c.tool === 'quick' ? { id: c.id, result: { content: [{ type: 'text', text: 'quick' }] } } : undefined) }).then(() =>
  process.stdout.write('ready\n'),
);
