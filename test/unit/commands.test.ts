// Command ids are a type (src/extension/commands/ids.ts) that must equal package.json's contributions: every
// contributed command has a handler id and title here, every id here is contributed, and every command a menu
// or view names exists.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMAND_IDS, COMMAND_TITLES } from '../../src/extension/commands/ids.js';

interface Manifest {
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    menus: Record<string, { command?: string }[]>;
    viewsWelcome?: { contents: string }[];
  };
}

const manifest = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as Manifest;

describe('command ids', () => {
  it('are exactly the contributed commands, with the same titles', () => {
    const contributed = manifest.contributes.commands;
    assert.deepEqual([...COMMAND_IDS].sort(), contributed.map((c) => c.command).sort());
    for (const c of contributed) assert.equal(COMMAND_TITLES[c.command as keyof typeof COMMAND_TITLES], c.title, c.command);
  });

  it('cover every command a menu or a welcome view refers to', () => {
    const known = new Set<string>(COMMAND_IDS);
    const referenced = Object.values(manifest.contributes.menus).flat().map((m) => m.command).filter((c): c is string => !!c);
    // Links in welcome views may run VS Code's own commands and the views' generated `.focus` commands.
    for (const welcome of manifest.contributes.viewsWelcome ?? []) referenced.push(...[...welcome.contents.matchAll(/command:(mqttMcp\.[\w.]+)/g)].map((m) => m[1] as string));
    assert.ok(referenced.length > 10, 'the manifest has menus');
    assert.deepEqual(referenced.filter((c) => !known.has(c) && !c.endsWith('.focus')), []);
  });
});
