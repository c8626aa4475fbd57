// The extension's log channel is reachable the way a user finds it: Output panel, channel picker.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { useSession } from '../harness.mjs';

let session;
before(async () => {
  session = await useSession();
});
after(async () => {
  await session?.close();
});

test('the "MQTT MCP" log channel can be selected in the Output panel', async () => {
  await session.withWorkbench('output-channel', async (workbench) => {
    await workbench.showOutputChannel('MQTT MCP');
    assert.equal(await workbench.selectedOutputChannel(), 'MQTT MCP');
    assert.ok(await workbench.page.locator('.part.panel .output-view').isVisible(), 'the Output view is shown');
    await workbench.screenshot('output-channel-mqtt-mcp');
  });
});
