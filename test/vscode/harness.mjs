// Real-VS-Code test harness: code-server (VS Code in a browser, with a normal Node extension host) driven by
// Debian's Chromium through playwright-core. Used by test/vscode/run.mjs and by the UI tests in test/vscode/ui/.
//
// Selectors below are VS Code DOM internals, not an API: when a VS Code update breaks one, fix it here once.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { URLSearchParams, fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { cachedSetup } from '../../scripts/vscode-setup.mjs';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const screenshotDir = join(repoRoot, 'test-results/vscode');
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const EXTENSION_ID = 'mqtt-mcp-devkit.mqtt-mcp-devkit';
/**
 * How long a UI step may take before it counts as failed (each wait returns as soon as its state holds, so a
 * generous limit costs nothing when things work). A loaded 2-core machine makes steps 10× slower than an idle
 * one; `VSCODE_E2E_PATIENCE_MS` changes it.
 */
export const PATIENCE_MS = Number(process.env.VSCODE_E2E_PATIENCE_MS) || 45_000;
/** Set by run.mjs so that UI test files re-use its code-server and browser instead of starting their own. */
export const SESSION_ENV = 'VSCODE_E2E_SESSION';
/** Set to 1 by run.mjs for the smoke tests of the packaged extension (test/vscode/installed/). */
export const INSTALLED_ENV = 'VSCODE_E2E_INSTALLED';

/** User settings for every test run: no startup editors, no network look-ups, nothing that pops up. */
export const defaultUserSettings = {
  'workbench.startupEditor': 'none',
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': 'off',
  'extensions.ignoreRecommendations': true,
  'workbench.enableExperiments': false,
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.editor.empty.hint': 'hidden',
  'security.workspace.trust.enabled': false,
  'chat.mcp.access': 'all',
  // Tests start brokers and devices on local ports; auto-forwarding would announce each one in a toast.
  'remote.autoForwardPorts': false,
  'git.enabled': false,
  'json.schemaDownload.enable': false,
  'terminal.integrated.enablePersistentSessions': false,
  'window.restoreWindows': 'none',
  'editor.minimap.enabled': false,
  // Its GitHub look-ups fail offline and flood the console.
  'chat.agentHost.githubMcpServer.enabled': false,
};

const liveProcessGroups = new Set();
const liveTempDirs = new Set();
let exitHandlersInstalled = false;

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

// A crashed or interrupted test run must not leave code-server (and its extension hosts) running.
function installExitHandlers() {
  if (exitHandlersInstalled) return;
  exitHandlersInstalled = true;
  process.on('exit', () => {
    for (const pid of liveProcessGroups) killGroup(pid, 'SIGKILL');
    if (!process.env.VSCODE_E2E_KEEP) for (const dir of liveTempDirs) rmSync(dir, { recursive: true, force: true });
  });
  // process.exit runs the 'exit' handler above; Playwright's own handlers close the browsers it launched.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, () => process.exit(signal === 'SIGINT' ? 130 : 143));
  }
}

/**
 * Kills the process group `pid` leads (a child spawned with `detached: true`) if this process exits or is
 * interrupted first. Returns the function that cancels this once the group has been stopped normally.
 */
export function killGroupOnExit(pid) {
  installExitHandlers();
  liveProcessGroups.add(pid);
  return () => liveProcessGroups.delete(pid);
}

/** Removes `dir` if this process exits or is interrupted first; returns the cancelling function. */
export function removeOnExit(dir) {
  installExitHandlers();
  liveTempDirs.add(dir);
  return () => liveTempDirs.delete(dir);
}

function healthz(url) {
  return new Promise((resolvePromise) => {
    const req = httpGet(`${url}/healthz`, (res) => {
      res.resume();
      resolvePromise(res.statusCode === 200);
    });
    req.on('error', () => resolvePromise(false));
    req.setTimeout(2000, () => req.destroy());
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Races `promise` against a timer that is cleared afterwards (a pending timer would keep the process alive). */
async function withTimeout(promise, ms, onTimeout) {
  let timer;
  const expired = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(onTimeout())), ms);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Extension host logs of a user-data-dir; each window gets its own extension host and log. */
function extensionHostLogFiles(userDataDir) {
  const logsDir = join(userDataDir, 'logs');
  if (!existsSync(logsDir)) return [];
  const files = [];
  for (const session of readdirSync(logsDir)) {
    const sessionDir = join(logsDir, session);
    let entries;
    try {
      entries = readdirSync(sessionDir);
    } catch {
      continue;
    }
    for (const name of entries) {
      const file = join(sessionDir, name, 'remoteexthost.log');
      if (name.startsWith('exthost') && existsSync(file)) files.push(file);
    }
  }
  return files;
}

/** How often `extensionId` has been activated by any extension host of this user-data-dir so far. */
export function countActivations(userDataDir, extensionId = EXTENSION_ID) {
  const needle = `ExtensionService#_doActivateExtension ${extensionId},`;
  let count = 0;
  for (const file of extensionHostLogFiles(userDataDir)) {
    count += readFileSync(file, 'utf8').split(needle).length - 1;
  }
  return count;
}

/** How often the extension said it finished activate() (ACTIVATED_MESSAGE in src/extension/extension.ts) in its own log. */
export function countActivationsCompleted(userDataDir) {
  const logsDir = join(userDataDir, 'logs');
  if (!existsSync(logsDir)) return 0;
  let count = 0;
  for (const session of readdirSync(logsDir)) {
    let hosts;
    try {
      hosts = readdirSync(join(logsDir, session)).filter((name) => name.startsWith('exthost'));
    } catch {
      continue;
    }
    for (const host of hosts) {
      const file = join(logsDir, session, host, EXTENSION_ID, 'MQTT MCP.log');
      if (existsSync(file)) count += readFileSync(file, 'utf8').split('MQTT MCP activated').length - 1;
    }
  }
  return count;
}

/** Extension host log lines (with what follows) saying that `extensionId` failed to activate. */
export function activationFailures(userDataDir, extensionId = EXTENSION_ID) {
  const needle = `Activating extension ${extensionId} failed`;
  const failures = [];
  for (const file of extensionHostLogFiles(userDataDir)) {
    const text = readFileSync(file, 'utf8');
    for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) failures.push(text.slice(at, at + 1500));
  }
  return failures;
}

/** Merges `patch` into the User settings.json; VS Code picks the change up live in open windows. */
export function updateUserSettings(userDataDir, patch) {
  const file = join(userDataDir, 'User/settings.json');
  const current = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ ...current, ...patch }, null, 2));
}

/**
 * Starts code-server on a free loopback port with a fresh user-data-dir, extensions-dir, XDG dirs and
 * workspace folder, and waits for /healthz.
 * @param {{ settings?: object, env?: Record<string,string>, log?: (line: string) => void, workspaceFiles?: Record<string,string> }} [options]
 */
export async function startCodeServer({ settings = {}, env = {}, log = () => {}, workspaceFiles = {}, installExtensions = [] } = {}) {
  const setup = cachedSetup();
  if (!setup) throw new Error('code-server is not set up: run `node scripts/vscode-setup.mjs` first');

  const tempDir = mkdtempSync(join(tmpdir(), 'mqtt-mcp-vscode-'));
  const keepTempDir = removeOnExit(tempDir);
  const userDataDir = join(tempDir, 'user-data');
  const extensionsDir = join(tempDir, 'extensions');
  const workspaceDir = join(tempDir, 'workspace');
  for (const dir of [userDataDir, extensionsDir, workspaceDir]) mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(workspaceFiles)) {
    mkdirSync(dirname(join(workspaceDir, name)), { recursive: true });
    writeFileSync(join(workspaceDir, name), content);
  }
  updateUserSettings(userDataDir, { ...defaultUserSettings, ...settings });

  // Variables of a surrounding VS Code (integrated terminal) would make code-server talk to that instance; the
  // test options (VSCODE_E2E_GREP...) must reach the extension host.
  const inherited = Object.fromEntries(Object.entries(process.env)
    .filter(([key]) => (!key.startsWith('VSCODE_') || key.startsWith('VSCODE_E2E_')) && key !== 'ELECTRON_RUN_AS_NODE' && key !== SESSION_ENV));
  const childEnv = {
    ...inherited,
    XDG_CONFIG_HOME: join(tempDir, 'xdg-config'),
    XDG_DATA_HOME: join(tempDir, 'xdg-data'),
    XDG_CACHE_HOME: join(tempDir, 'xdg-cache'),
    XDG_STATE_HOME: join(tempDir, 'xdg-state'),
    ...env,
  };
  // Packaged extensions (.vsix) are installed the way users install them, before the server starts.
  for (const vsix of installExtensions) {
    const install = spawnSync(setup.nodeBin, [setup.codeServerEntry, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir,
      '--install-extension', vsix], { env: childEnv, encoding: 'utf8', timeout: 120_000 });
    if (install.status !== 0) {
      keepTempDir();
      rmSync(tempDir, { recursive: true, force: true });
      throw new Error(`code-server --install-extension ${vsix} failed (${install.status ?? install.signal}):\n${install.stdout}${install.stderr}`);
    }
    log(`installed ${vsix}: ${install.stdout.trim().split('\n').pop()}`);
  }
  const args = [
    setup.codeServerEntry,
    '--bind-addr', '127.0.0.1:0', // the OS picks a free port; code-server prints which
    '--auth', 'none',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--reconnection-grace-time', '5',
    // Without the smoke-test driver the workbench ignores the `payload` URL parameter (dev path, tests path).
    '--vscode-option', 'enable-smoke-test-driver',
    workspaceDir,
  ];
  const child = spawn(setup.nodeBin, args, { env: childEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const forgetGroup = killGroupOnExit(child.pid);

  let output = '';
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const listening = new Promise((resolvePromise, reject) => {
    const onData = (chunk) => {
      output += chunk;
      if (output.length > 500_000) output = output.slice(-250_000);
      const match = /HTTP server listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(output);
      if (match) resolvePromise(match[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', reject);
    exited.then(({ code, signal }) => reject(new Error(`code-server exited during start-up (${signal ?? code}):\n${output}`)));
  });

  const server = {
    tempDir,
    userDataDir,
    extensionsDir,
    workspaceDir,
    url: '',
    authority: '',
    pid: child.pid,
    output: () => output,
    async stop() {
      if (liveProcessGroups.has(child.pid)) {
        killGroup(child.pid, 'SIGTERM');
        const stopped = await withTimeout(exited, 5000, () => 'timeout').then(() => true, () => false);
        // Extension hosts and helpers can outlive the main process: always finish the whole group.
        killGroup(child.pid, 'SIGKILL');
        forgetGroup();
        if (!stopped) log('code-server did not stop within 5 s; killed');
      }
      if (!process.env.VSCODE_E2E_KEEP) rmSync(tempDir, { recursive: true, force: true });
      keepTempDir();
    },
  };

  try {
    server.url = await withTimeout(listening, 60_000, () => `code-server did not listen within 60 s:\n${output}`);
    server.authority = new URL(server.url).host;
    const deadline = Date.now() + 30_000;
    while (!(await healthz(server.url))) {
      if (Date.now() > deadline) throw new Error(`${server.url}/healthz did not answer within 30 s:\n${output}`);
      await sleep(200);
    }
  } catch (err) {
    await server.stop();
    throw err;
  }
  log(`code-server ${setup.codeServerVersion} on ${server.url} (user data ${userDataDir})`);
  return server;
}

const chromiumArgs = [
  '--no-sandbox', // test machines and containers run as root
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launch options, with Chromium's own config (its crash-report database) kept out of the user's home. */
function chromiumLaunchOptions() {
  if (!existsSync(chromiumPath)) throw new Error(`no Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`);
  const configDir = mkdtempSync(join(tmpdir(), 'mqtt-mcp-chromium-'));
  const forget = removeOnExit(configDir);
  const cleanUp = () => {
    rmSync(configDir, { recursive: true, force: true });
    forget();
  };
  const env = { ...process.env, XDG_CONFIG_HOME: configDir, XDG_CACHE_HOME: configDir };
  return { options: { executablePath: chromiumPath, headless: true, args: chromiumArgs, env }, cleanUp };
}

/** Launches headless Chromium for this process only. */
export async function launchBrowser() {
  const { options, cleanUp } = chromiumLaunchOptions();
  const browser = await chromium.launch(options).catch((err) => {
    cleanUp();
    throw err;
  });
  browser.once('disconnected', cleanUp);
  return browser;
}

/** Launches headless Chromium that other processes can connect to (run.mjs shares one with all UI test files). */
export async function launchBrowserServer() {
  const { options, cleanUp } = chromiumLaunchOptions();
  const browserServer = await chromium.launchServer(options).catch((err) => {
    cleanUp();
    throw err;
  });
  browserServer.once('close', cleanUp);
  return browserServer;
}

/** The workbench URL for `folder`, optionally with the development extension and an extension-tests module. */
export function workbenchUrl(server, { folder = server.workspaceDir, extensionDevelopmentPath, extensionTestsPath } = {}) {
  const remote = (path) => `vscode-remote://${server.authority}${resolve(path)}`;
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(extensionDevelopmentPath)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  const params = new URLSearchParams({ folder: resolve(folder) });
  if (payload.length) params.set('payload', JSON.stringify(payload));
  return `${server.url}/?${params}`;
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One browser tab showing the workbench. Create it with `session.openWorkbench()` or `openWorkbench()`. */
export class Workbench {
  constructor(page, context, server) {
    this.page = page;
    this.context = context;
    this.server = server;
    // Baselines: activation is read from the server's extension host logs, shared by all windows.
    this.activationsBefore = countActivations(server.userDataDir);
    this.activationFailuresBefore = activationFailures(server.userDataDir).length;
    this.activationsCompletedBefore = countActivationsCompleted(server.userDataDir);
  }

  /**
   * Waits until the development extension (EXTENSION_ID) has been activated by an extension host started
   * after this Workbench was created, and fails with the logged error if activate() threw.
   */
  async waitForExtensionActivated({ timeout = PATIENCE_MS * 4 } = {}) {
    const deadline = Date.now() + timeout;
    while (countActivations(this.server.userDataDir) <= this.activationsBefore) {
      if (Date.now() > deadline) {
        await this.screenshot('activation-timeout');
        throw new Error(`${EXTENSION_ID} did not activate within ${timeout / 1000} s (is it in activationEvents?)`);
      }
      await sleep(250);
    }
    // That log line comes before activate() runs: then either the extension logs its last step, or the host
    // logs the error activate() threw.
    for (;;) {
      const failures = activationFailures(this.server.userDataDir).slice(this.activationFailuresBefore);
      if (failures.length) throw new Error(`${EXTENSION_ID} failed to activate:\n${failures[0]}`);
      if (countActivationsCompleted(this.server.userDataDir) > this.activationsCompletedBefore) return;
      if (Date.now() > deadline) {
        await this.screenshot('activation-incomplete');
        throw new Error(`${EXTENSION_ID} started activating but logged neither "MQTT MCP activated" nor an error within ${timeout / 1000} s`);
      }
      await sleep(250);
    }
  }

  /** The quick input (command palette, quick picks). */
  get quickInput() {
    return this.page.locator('.quick-input-widget');
  }

  /**
   * Answers one step of a multi-step input: waits until the quick input's title contains `title` (the step
   * is shown), then types `text` and presses Enter. Typing before the step is shown would land in the last
   * step's box, which a loaded machine keeps on screen for a while.
   */
  async answerInputStep(title, text, { timeout = PATIENCE_MS } = {}) {
    await this.quickInput.locator('.quick-input-title').filter({ hasText: title }).waitFor({ state: 'visible', timeout });
    const input = this.quickInput.locator('input');
    await input.fill(text);
    await input.press('Enter');
  }

  /**
   * Runs `label` from `row`'s context menu. A click that lands while the menu is still being laid out is
   * lost (seen under load: the menu stays open), so the menu is reopened until the click closes it.
   */
  async contextMenuAction(row, label, { timeout = PATIENCE_MS } = {}) {
    const deadline = Date.now() + timeout;
    const item = this.page.locator('.monaco-menu .action-label', { hasText: new RegExp(`^${escapeRegExp(label)}$`) });
    for (;;) {
      if (!(await item.isVisible())) await row.click({ button: 'right' });
      await item.waitFor({ state: 'visible', timeout: Math.max(1000, deadline - Date.now()) });
      await item.hover();
      await item.click();
      try {
        await item.waitFor({ state: 'hidden', timeout: 5000 });
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`the context menu item "${label}" did not run within ${timeout / 1000} s`, { cause: err });
      }
    }
  }

  /** Picks the row whose label is exactly `label` in the open quick input. */
  async pickQuickInputItem(label, { timeout = PATIENCE_MS } = {}) {
    const row = this.quickInput.locator('.monaco-list-row').filter({
      has: this.page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) }),
    }).first();
    await row.waitFor({ state: 'visible', timeout });
    await row.click();
  }

  /** Runs a command by its exact palette title, e.g. "Output: Show Output Channels...". */
  async runCommand(title, { timeout = PATIENCE_MS } = {}) {
    // The palette lists the commands registered when it opens; in a window still starting up (slow under
    // load) a command may come later, so a miss closes the palette and opens it again until the deadline.
    const deadline = Date.now() + timeout;
    for (;;) {
      await this.openPalette(title);
      await this.quickInput.locator('input').fill(`>${title}`);
      try {
        await this.pickQuickInputItem(title, { timeout: Math.min(PATIENCE_MS / 6, Math.max(1000, deadline - Date.now())) });
        return;
      } catch (err) {
        const offered = await this.quickInput.locator('.monaco-list-row .label-name').allInnerTexts();
        await this.page.keyboard.press('Escape');
        if (Date.now() > deadline) {
          throw new Error(`no command titled "${title}" in the palette within ${timeout / 1000} s (offered: ${offered.join(' | ') || 'nothing'})`, { cause: err });
        }
      }
    }
  }

  async openPalette(title) {
    const input = this.quickInput.locator('input');
    // The palette opens on F1 only when the workbench has focus; retry once after focusing it.
    for (let attempt = 0; ; attempt++) {
      await this.page.keyboard.press('F1');
      try {
        await input.waitFor({ state: 'visible', timeout: PATIENCE_MS / 4 });
        break;
      } catch (err) {
        const dialog = await this.dialogMessage();
        if (dialog !== undefined) throw new Error(`cannot run "${title}": a modal dialog is open: ${dialog}`, { cause: err });
        if (attempt >= 2) throw err;
        await this.page.locator('.monaco-workbench .part.statusbar').click({ position: { x: 5, y: 5 } });
      }
    }
  }

  /** The text of the open modal dialog (it blocks all other input), or undefined when there is none. */
  async dialogMessage() {
    const dialog = this.page.locator('.monaco-dialog-box').filter({ visible: true });
    return (await dialog.count()) ? (await dialog.first().innerText()).replace(/\s+/g, ' ').trim() : undefined;
  }

  /** Clicks a button of the open modal dialog by its exact label, e.g. "OK" or "Cancel". */
  async answerDialog(buttonLabel, { timeout = PATIENCE_MS } = {}) {
    await this.page.locator('.monaco-dialog-box').getByRole('button', { name: buttonLabel, exact: true }).click({ timeout });
  }

  /** Opens a view container (activity bar entry) by its title, e.g. "Explorer" or "MQTT MCP". */
  async openViewContainer(title, { timeout = PATIENCE_MS } = {}) {
    // Activity bar entries are tabs labelled "Title" or "Title (keybinding)".
    const tab = this.page.locator('.part.activitybar').getByRole('tab', { name: new RegExp(`^${escapeRegExp(title)}( \\(.*\\))?$`) });
    await tab.waitFor({ state: 'visible', timeout });
    // Clicking the selected entry would close the side bar again.
    if ((await tab.getAttribute('aria-selected')) !== 'true') await tab.click();
    await this.page.locator('.part.sidebar').waitFor({ state: 'visible', timeout });
  }

  /** The `.pane` of a view by its title (e.g. "Outline"), in the side bar or panel. */
  view(title) {
    const header = this.page.locator('.pane-header', { has: this.page.locator('h3.title', { hasText: new RegExp(`^\\s*${escapeRegExp(title)}\\s*$`, 'i') }) });
    return this.page.locator('.pane', { has: header });
  }

  /** A tree row by its exact label inside a view. */
  treeItem(viewTitle, label) {
    return this.view(viewTitle).locator('.monaco-list-row').filter({
      has: this.page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) }),
    }).first();
  }

  /** Expands a tree row (no-op when already expanded) and returns its locator. */
  async expandTreeItem(viewTitle, label, { timeout = PATIENCE_MS } = {}) {
    const row = this.treeItem(viewTitle, label);
    await row.waitFor({ state: 'visible', timeout });
    if ((await row.getAttribute('aria-expanded')) === 'false') {
      await row.locator('.monaco-tl-twistie').click();
      await this.page.waitForFunction((el) => el.getAttribute('aria-expanded') === 'true', await row.elementHandle(), { timeout });
    }
    return row;
  }

  /**
   * The content frame of a webview (panel or view). Webviews are nested: an outer iframe owned by the
   * workbench, and the extension's document in `#active-frame` inside it.
   */
  webview({ nth = 0 } = {}) {
    return this.page.frameLocator('iframe.webview.ready').nth(nth).frameLocator('#active-frame');
  }

  /** Shows an Output channel by name in the panel, the way a user picks it from "Output: Show Output Channels...". */
  async showOutputChannel(name, { timeout = PATIENCE_MS } = {}) {
    await this.runCommand('Output: Show Output Channels...');
    await this.pickQuickInputItem(name, { timeout });
    const deadline = Date.now() + timeout;
    while ((await this.selectedOutputChannel()) !== name) {
      if (Date.now() > deadline) throw new Error(`the Output panel shows "${await this.selectedOutputChannel()}", not "${name}"`);
      await sleep(200);
    }
  }

  /** The channel selected in the Output panel's channel picker, or undefined when the panel is not shown. */
  async selectedOutputChannel() {
    // The view renders a second, hidden picker in its pane header; only the visible one is the user's.
    const picker = this.page.locator('.part.panel select[aria-label="Switch Output"]').filter({ visible: true });
    return (await picker.count()) ? picker.first().inputValue() : undefined;
  }

  /** The text shown in the Output panel (only the rendered, i.e. visible, lines). */
  async outputText() {
    return this.page.locator('.part.panel .output-view .view-lines').innerText();
  }

  /** Messages in the Notification Center (toasts come and go too quickly to assert on). */
  async notifications() {
    const center = this.page.locator('.notifications-center');
    if (!(await center.isVisible())) await this.runCommand('Notifications: Show Notifications');
    await center.waitFor({ state: 'visible' });
    return center.locator('.notification-list-item-message').allInnerTexts();
  }

  /** Waits until a notification matching `text` (substring or RegExp) is in the Notification Center. */
  async waitForNotification(text, { timeout = PATIENCE_MS * 2 } = {}) {
    const matches = (message) => (text instanceof RegExp ? text.test(message) : message.includes(text));
    const deadline = Date.now() + timeout;
    for (;;) {
      const messages = await this.notifications();
      const found = messages.find(matches);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no notification matching ${text} (have: ${messages.join(' | ') || 'none'})`);
      await sleep(500);
    }
  }

  /** Saves a PNG of the whole window to test-results/vscode/<name>.png and returns its path. */
  async screenshot(name) {
    mkdirSync(screenshotDir, { recursive: true });
    const path = join(screenshotDir, `${name.replace(/[^\w.-]+/g, '-')}.png`);
    await this.page.screenshot({ path });
    return path;
  }

  async close() {
    await this.context.close();
  }
}

/**
 * Opens the workbench for a folder in a new browser context, with this repository as the development
 * extension, and (by default) waits for the extension to activate.
 * Open workbenches one after another: activation is detected from the extension host logs of the server.
 */
/** True in the installed-.vsix phase: the extension comes from the extensions folder, not the source tree. */
/**
 * Packs test/vscode/lm-provider (a language-model chat provider with one deterministic model) into `outDir`
 * for startCodeServer's installExtensions; returns the .vsix path. No real model is reachable in tests.
 */
export function packageLmProvider(outDir) {
  const vsix = join(outDir, 'mqtt-mcp-test-lm-provider.vsix');
  const r = spawnSync(process.execPath, [join(repoRoot, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', vsix],
    { cwd: join(repoRoot, 'test/vscode/lm-provider'), encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`packaging test/vscode/lm-provider failed:\n${r.stdout}${r.stderr}`);
  return vsix;
}

export function installedExtensionUnderTest() {
  return process.env[INSTALLED_ENV] === '1';
}

export async function openWorkbench(server, browser, {
  folder = server.workspaceDir,
  extensionDevelopmentPath = installedExtensionUnderTest() ? undefined : repoRoot,
  waitForActivation = true,
  viewport = { width: 1400, height: 900 },
  timeout = PATIENCE_MS * 4,
} = {}) {
  const context = await browser.newContext({ viewport });
  // Also the limit of every Playwright wait a test makes without naming one (Playwright's own is 30 s).
  context.setDefaultTimeout(PATIENCE_MS);
  const page = await context.newPage();
  const workbench = new Workbench(page, context, server);
  const started = Date.now();
  const after = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  try {
    // Only the first response is awaited here ('load' waits for every script, which takes over Playwright's
    // default 30 s on a loaded machine); the workbench being drawn is the state that matters.
    await page.goto(workbenchUrl(server, { folder, extensionDevelopmentPath }), { waitUntil: 'commit', timeout });
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout }).catch((err) => {
      throw new Error(`the workbench did not draw its status bar within ${timeout / 1000} s of loading ${server.url}`, { cause: err });
    });
    const drawn = after();
    if (waitForActivation && (extensionDevelopmentPath || installedExtensionUnderTest())) await workbench.waitForExtensionActivated({ timeout });
    // Every test pays this (a fresh browser context loads the whole workbench): where a slow test's time went.
    console.log(`[vscode-e2e] workbench drawn after ${drawn}, ready after ${after()}`);
  } catch (err) {
    await workbench.screenshot('open-workbench-failed').catch(() => {});
    await context.close();
    throw err;
  }
  return workbench;
}

/** Saves test-results/vscode/<name>-failed.png and adds an open modal dialog's text to the error; returns the error. */
async function noteFailure(workbench, name, err) {
  await workbench.screenshot(`${name}-failed`).catch(() => {});
  const dialog = await workbench.dialogMessage().catch(() => undefined);
  if (dialog !== undefined && err instanceof Error) err.message += `\n(a modal dialog was open: ${dialog})`;
  return err;
}

/**
 * The code-server + browser for a test file: the ones run.mjs shares through VSCODE_E2E_SESSION, or its
 * own (started here, stopped by close()) when the file is run alone with `node --test`.
 * @param {{ settings?: object, env?: Record<string,string> }} [options] only used when starting its own server
 */
export async function useSession(options = {}) {
  const shared = process.env[SESSION_ENV] ? JSON.parse(process.env[SESSION_ENV]) : undefined;
  let server;
  let browser;
  let ownServer = false;
  if (shared) {
    server = shared.server;
    browser = await chromium.connect(shared.browserWsEndpoint, { timeout: 30_000 });
  } else {
    server = await startCodeServer(options);
    ownServer = true;
    browser = await launchBrowser();
  }
  const openWorkbenchHere = (opts) => openWorkbench(server, browser, opts);
  return {
    server,
    browser,
    openWorkbench: openWorkbenchHere,
    /**
     * Opens a workbench, runs `use(workbench)`, and closes it; on failure it first saves
     * test-results/vscode/<name>-failed.png and notes open dialogs in the error.
     */
    async withWorkbench(name, use, opts) {
      const workbench = await openWorkbenchHere(opts);
      try {
        return await use(workbench);
      } catch (err) {
        throw await noteFailure(workbench, name, err);
      } finally {
        await workbench.close();
      }
    },
    /**
     * One window for the tests of a file, opened by the first `use` (opening one costs 10–20 s of a test's
     * time). A test that fails is noted like in withWorkbench and closes the window, so whatever it left on
     * screen cannot fail the next test: that one gets a fresh window.
     */
    sharedWorkbench(opts) {
      let current;
      return {
        async use(name, body) {
          current ??= await openWorkbenchHere(opts);
          try {
            return await body(current);
          } catch (err) {
            const failed = current;
            current = undefined;
            await noteFailure(failed, name, err);
            await failed.close().catch(() => {});
            throw err;
          }
        },
        async close() {
          await current?.close();
          current = undefined;
        },
      };
    },
    updateUserSettings: (patch) => updateUserSettings(server.userDataDir, patch),
    async close() {
      await browser.close();
      if (ownServer) await server.stop();
    },
  };
}

/** The parts of a started server that UI test processes need (passed in VSCODE_E2E_SESSION). */
export function describeSession(server, browserServer) {
  const { url, authority, userDataDir, extensionsDir, workspaceDir } = server;
  return JSON.stringify({ server: { url, authority, userDataDir, extensionsDir, workspaceDir }, browserWsEndpoint: browserServer.wsEndpoint() });
}

/**
 * Runs an extension-tests module (exporting `run()`) inside the extension host of a fresh window, like
 * @vscode/test-electron does in desktop VS Code. The window's whole console (workbench and extension host)
 * goes to test-results/vscode/<name>.console.log; lines for which `show(line)` is true also go to `log`.
 * @returns {Promise<{ exitCode: number | 'timeout', logs: string[], consoleLogPath: string }>}
 */
export async function runExtensionTests(server, browser, {
  extensionTestsPath,
  extensionDevelopmentPath = repoRoot,
  folder = server.workspaceDir,
  timeout = 180_000,
  name = 'extension-tests',
  log = (line) => console.log(line),
  show = (line) => line.includes('[extension-tests]'),
}) {
  mkdirSync(screenshotDir, { recursive: true });
  const consoleLogPath = join(screenshotDir, `${name}.console.log`);
  writeFileSync(consoleLogPath, '');
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const logs = [];
  let reportExit;
  const exited = new Promise((r) => (reportExit = r));
  // The workbench calls these two when they exist on `window`, but only in smoke-test-driver mode.
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const line = (Array.isArray(args) ? args : [args]).map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
    logs.push(line);
    appendFileSync(consoleLogPath, `[${type}] ${line}\n`);
    if (show(line)) log(line);
  });
  await page.exposeFunction('codeAutomationExit', (code) => reportExit(code));
  let timer;
  try {
    // The suite reports its own end (codeAutomationExit), bounded by `timeout`: the page load needs no limit of its own.
    await page.goto(workbenchUrl(server, { folder, extensionDevelopmentPath, extensionTestsPath }), { waitUntil: 'commit', timeout });
    const exitCode = await Promise.race([exited, new Promise((r) => (timer = setTimeout(() => r('timeout'), timeout)))]);
    if (exitCode !== 0) {
      const shot = new Workbench(page, context, server);
      await shot.screenshot(`${name}-${exitCode === 'timeout' ? 'timeout' : 'failed'}`).catch(() => {});
      if (exitCode === 'timeout') log(`extension tests timed out after ${timeout / 1000} s; window console: ${consoleLogPath}`);
    }
    return { exitCode, logs, consoleLogPath };
  } finally {
    clearTimeout(timer);
    await context.close();
  }
}
