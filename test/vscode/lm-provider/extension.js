// One deterministic model for the device-request UI test: it answers with a fixed sentence that names how
// many characters of prompt it received, so the test can tell the answer came through vscode.lm.
/* global require, exports -- a CommonJS extension entry, as VS Code loads it */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const vscode = require('vscode');

const MODEL = {
  id: 'mqtt-mcp-test-model',
  name: 'MQTT MCP test model',
  family: 'test',
  version: '1',
  maxInputTokens: 100_000,
  maxOutputTokens: 1_000,
  capabilities: {},
};

exports.activate = (context) => {
  context.subscriptions.push(vscode.lm.registerLanguageModelChatProvider('mqtt-mcp-test', {
    provideLanguageModelChatInformation: () => [MODEL],
    provideLanguageModelChatResponse: async (_model, messages, _options, progress) => {
      const received = messages.flatMap((m) => m.content).filter((p) => p instanceof vscode.LanguageModelTextPart).map((p) => p.value).join('');
      progress.report(new vscode.LanguageModelTextPart(`Test model: the heating works toward its target (${received.length} characters of prompt received).`));
    },
    provideTokenCount: async (_model, text) => Math.ceil((typeof text === 'string' ? text : JSON.stringify(text)).length / 4),
  }));
};
