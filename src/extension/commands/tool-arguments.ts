// Arguments asked for in the palette: step by step for flat tool schemas, a validated JSON document for
// anything nested, and one input per prompt argument.
import * as vscode from 'vscode';
import type { Prompt, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { FieldModel } from '../../core/forms/index.js';
import { errorMessage } from '../../core/util/logger.js';
import { loadCore } from '../core-loader.js';

/** Step-by-step inputs for flat schemas; a validated JSON document for anything nested. */
export async function askArguments(tool: Tool): Promise<Record<string, unknown> | undefined> {
  const { coerceInput, createValidator, defaultArguments, isFlatSchema, buildFormModel } = loadCore().forms;
  const validate = createValidator(tool.inputSchema);
  if (isFlatSchema(tool.inputSchema)) {
    const fields: FieldModel[] = buildFormModel(tool.inputSchema).properties;
    const args: Record<string, unknown> = {};
    for (const [i, field] of fields.entries()) {
      const key = field.path[field.path.length - 1] as string;
      const step = `${tool.name} (${i + 1}/${fields.length}): ${field.label}${field.required ? '' : ' (optional)'}`;
      let value: unknown;
      if (field.kind === 'boolean' || field.kind === 'enum') {
        const options: { label: string; value: unknown }[] =
          field.kind === 'boolean' ? [{ label: 'true', value: true }, { label: 'false', value: false }] : field.options.map((o) => ({ label: o.label, value: o.value }));
        if (!field.required) options.push({ label: '(leave out)', value: undefined });
        const picked = await vscode.window.showQuickPick(options.map((o) => ({ ...o, description: o.value === field.default ? 'default' : undefined })), {
          title: step,
          placeHolder: field.description,
          ignoreFocusOut: true,
        });
        if (!picked) return undefined;
        value = picked.value;
      } else {
        const text = await vscode.window.showInputBox({
          title: step,
          prompt: field.description,
          value: field.default !== undefined ? String(field.default) : '',
          validateInput: (t) => coerceInput(field, t).error,
          ignoreFocusOut: true,
        });
        if (text === undefined) return undefined;
        value = coerceInput(field, text).value;
      }
      if (value !== undefined) args[key] = value;
    }
    const issues = validate(args);
    if (issues.length) {
      void vscode.window.showErrorMessage(`Invalid arguments: ${issues.map((x) => `${x.path.join('.') || '(root)'}: ${x.message}`).join('; ')}`);
      return undefined;
    }
    return args;
  }
  const text = await vscode.window.showInputBox({
    title: `${tool.name}: arguments (JSON)`,
    prompt: 'Edit the JSON arguments; they are checked against the tool\'s schema as you type',
    value: JSON.stringify(defaultArguments(tool.inputSchema)),
    validateInput: (t) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(t);
      } catch (e) {
        return `not valid JSON: ${errorMessage(e)}`;
      }
      const issues = validate(parsed);
      return issues.length ? issues.map((x) => `${x.path.join('.') || '(root)'}: ${x.message}`).join('; ') : undefined;
    },
    ignoreFocusOut: true,
  });
  return text === undefined ? undefined : (JSON.parse(text) as Record<string, unknown>);
}

/** One input per prompt argument; undefined when the user cancels. */
export async function askPromptArguments(prompt: Prompt): Promise<Record<string, string> | undefined> {
  const args: Record<string, string> = {};
  for (const a of prompt.arguments ?? []) {
    const v = await vscode.window.showInputBox({ title: `${prompt.name}: ${a.name}${a.required ? '' : ' (optional)'}`, prompt: a.description, validateInput: (t) => (a.required && !t ? 'required' : undefined), ignoreFocusOut: true });
    if (v === undefined) return undefined;
    if (v !== '') args[a.name] = v;
  }
  return args;
}
