// Bundles the extension host code, the CLI and the webviews with esbuild.
// Type-checking is a separate step (`npm run typecheck`): esbuild strips types without checking them.
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, existsSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  absWorkingDir: root,
};

// MQTT.js requires its SOCKS proxy client (socks, ip-address, smart-buffer: ~70 KB minified) from its TCP and TLS
// connectors, but only calls it for a `socksProxy` option, which nothing here sets (src/core/mqtt/options.ts).
const withoutMqttSocks = {
  name: 'without-mqtt-socks',
  setup(build) {
    build.onResolve({ filter: /^\.\/socks$/ }, (args) =>
      /[\\/]mqtt[\\/]build[\\/]lib[\\/]connect$/.test(args.resolveDir) ? { path: 'mqtt-socks-unsupported', namespace: 'stub' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents: "module.exports = function socksUnsupported() { throw new Error('SOCKS proxies are not supported by this build'); };",
      loader: 'js',
    }));
  },
};

const nodeTargets = [
  // The entry stays small; the heavy core is a second bundle required on first use (src/extension/core-loader.ts).
  { entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode', './extension-core.js'] },
  { entryPoints: ['src/extension/core-api.ts'], outfile: 'dist/extension-core.js', external: ['vscode'] },
  { entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
].map((t) => ({ ...common, platform: 'node', format: 'cjs', target: 'node20', plugins: [withoutMqttSocks], ...t }));

const webviewDir = join(root, 'webview');
const webviewEntries = existsSync(webviewDir)
  ? readdirSync(webviewDir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(webviewDir, d.name, 'main.ts')))
      .map((d) => ({ in: `webview/${d.name}/main.ts`, out: d.name }))
  : [];
const webviewTargets = webviewEntries.length
  ? [{ ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: webviewEntries, outdir: 'dist/webview' }]
  : [];

function copyAssets() {
  mkdirSync(join(root, 'dist/webview'), { recursive: true });
  const codicons = join(root, 'node_modules/@vscode/codicons/dist');
  for (const f of ['codicon.css', 'codicon.ttf']) cpSync(join(codicons, f), join(root, 'dist/webview', f));
}

/**
 * Each output is written beside its place and renamed into it. The real-VS-Code phase rebuilds (and packages a
 * production build) while the Node tests beside it start dist/cli.js: each start must read the old file or the
 * new one, never half of one.
 */
async function buildAtomically(options) {
  const result = await esbuild.build({ ...options, write: false });
  for (const file of result.outputFiles) {
    mkdirSync(dirname(file.path), { recursive: true });
    const temp = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temp, file.contents);
    renameSync(temp, file.path);
  }
}

const targets = [...nodeTargets, ...webviewTargets];
copyAssets();
if (watch) {
  for (const t of targets) await (await esbuild.context(t)).watch();
  console.log('[watch] build started');
} else {
  const started = Date.now();
  await Promise.all(targets.map((t) => buildAtomically(t)));
  console.log(`built ${targets.length} bundle(s) in ${Date.now() - started} ms${production ? ' (production)' : ''}`);
}
