// "Scaffold Device Server from Model": a device model file in, a TypeScript or C device server project out,
// opened in the editor. A thin face over core/scaffold, like `mqtt-mcp scaffold`.
import { basename, dirname, join } from 'node:path';
import { existsSync, readdirSync } from 'node:fs';
import * as vscode from 'vscode';
import { errorMessage } from '../core/util/logger.js';
import { loadCore } from './core-loader.js';
import type { Logger } from '../core/util/logger.js';
import { fileArgument } from './commands/arguments.js';
import type { CommandHandlers } from './commands/register.js';

type Language = 'ts' | 'c';

const MODEL_FILE = /\.device\.(json|ya?ml)$/i;

async function pickModel(uri: vscode.Uri | undefined): Promise<vscode.Uri | undefined> {
  if (uri) return uri;
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && MODEL_FILE.test(active.fsPath)) return active;
  return (await vscode.window.showOpenDialog({ filters: { 'Device models': ['json', 'yaml', 'yml'] }, canSelectMany: false, openLabel: 'Scaffold from this model' }))?.[0];
}

async function pickLanguage(): Promise<Language | undefined> {
  const picked = await vscode.window.showQuickPick(
    [
      { label: 'TypeScript', description: 'npm project on mqtt and @modelcontextprotocol/sdk', language: 'ts' as const },
      { label: 'C', description: 'CMake project on Eclipse Paho MQTT C (MQTT 5) and cJSON', language: 'c' as const },
    ],
    { title: 'Scaffold Device Server: language', placeHolder: 'Language of the generated device server' },
  );
  return picked?.language;
}

/** A folder that already holds this kind of project (regeneration) or is empty is used as is; otherwise a subfolder. */
function outputFolder(chosen: string, modelPath: string, language: Language): string {
  const marker = language === 'ts' ? 'package.json' : 'CMakeLists.txt';
  if (existsSync(join(chosen, marker)) || readdirSync(chosen).length === 0) return chosen;
  return join(chosen, `${basename(modelPath).replace(MODEL_FILE, '')}-${language}`);
}

async function scaffoldDevice(services: { log: Logger }, uri: vscode.Uri | undefined): Promise<void> {
  const modelUri = await pickModel(uri);
  if (!modelUri) return;
  const language = await pickLanguage();
  if (!language) return;
  const folder = (await vscode.window.showOpenDialog({
    canSelectFiles: false, canSelectFolders: true, canSelectMany: false, defaultUri: vscode.Uri.file(dirname(modelUri.fsPath)),
    openLabel: 'Scaffold here', title: 'Folder for the device server (an existing scaffold is updated: your handlers are kept)',
  }))?.[0];
  if (!folder) return;
  const core = loadCore();
  const modelName = vscode.workspace.asRelativePath(modelUri);
  let model;
  try {
    model = await core.device.loadDeviceModel({ path: modelUri.fsPath });
  } catch (e) {
    void vscode.window.showErrorMessage(`MQTT MCP: ${errorMessage(e)}`);
    return;
  }
  const out = outputFolder(folder.fsPath, modelUri.fsPath, language);
  try {
    const outcome = await core.scaffold.scaffold(model, language, out, modelName);
    services.log.info(`scaffold ${modelName} --lang ${language} --out ${out}: ${outcome.written.length + outcome.created.length} written, kept ${outcome.kept.join(', ') || 'nothing'}`);
    const readme = vscode.Uri.file(join(out, 'README.md'));
    await vscode.window.showTextDocument(readme, { preview: false });
    const kept = outcome.kept.length ? ` Kept ${outcome.kept.length} existing file(s) of yours (handlers, README, project files).` : '';
    const choice = await vscode.window.showInformationMessage(`Scaffolded a ${language === 'ts' ? 'TypeScript' : 'C'} device server for ${model.serverName} in ${out}.${kept}`, 'Open Folder');
    if (choice === 'Open Folder') await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(out), { forceNewWindow: true });
  } catch (e) {
    void vscode.window.showErrorMessage(`MQTT MCP: cannot scaffold into ${out}: ${errorMessage(e)}`);
  }
}

export function scaffoldCommands(services: { log: Logger }): CommandHandlers {
  return { 'mqttMcp.scaffoldDevice': (arg?: unknown) => scaffoldDevice(services, fileArgument(arg)) };
}
