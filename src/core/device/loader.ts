// Reads a device model from JSON or YAML, validates it, and reports every problem with the path of
// the bad field and, where the text allows, its line and column.
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { DeviceModelError, type DeviceModel, type ModelIssue } from './model.js';
import { checkAgainstSchema, formatPath, type PathIssue, type PathSegment } from './schema-check.js';
import { checkSemantics } from './semantic-check.js';

export type DeviceModelSource = { path: string } | { text: string; format: 'json' | 'yaml'; sourceName?: string };

export async function loadDeviceModel(fileOrText: DeviceModelSource): Promise<DeviceModel> {
  if ('text' in fileOrText) return parseDeviceModel(fileOrText.text, fileOrText.format, fileOrText.sourceName);
  let text: string;
  try {
    text = await readFile(fileOrText.path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new DeviceModelError([{ path: '', message: `cannot read the model: ${reason}` }], fileOrText.path);
  }
  return parseDeviceModel(text, formatOf(fileOrText.path, text), fileOrText.path);
}

function formatOf(path: string, text: string): 'json' | 'yaml' {
  const extension = extname(path).toLowerCase();
  if (extension === '.json') return 'json';
  if (extension === '.yaml' || extension === '.yml') return 'yaml';
  return text.trimStart().startsWith('{') ? 'json' : 'yaml';
}

/** Synchronous core of loadDeviceModel, for callers that already hold the text (editor diagnostics). */
export function parseDeviceModel(text: string, format: 'json' | 'yaml', sourceName?: string): DeviceModel {
  const lineCounter = new LineCounter();
  // The YAML document is kept even for JSON: it maps a field path back to a line and column.
  const document = parseDocument(text, { lineCounter, prettyErrors: true });
  let data: unknown;
  if (format === 'json') {
    data = parseJson(text, sourceName);
    const duplicates = document.errors.filter((e) => e.code === 'DUPLICATE_KEY');
    if (duplicates.length) throw new DeviceModelError(duplicates.map(yamlIssue), sourceName);
  } else {
    if (document.errors.length) throw new DeviceModelError(document.errors.map(yamlIssue), sourceName);
    data = document.toJS();
  }
  const locate = (path: PathSegment[]): Pick<ModelIssue, 'line' | 'column'> => locateInDocument(document, lineCounter, path);
  const schemaIssues = checkAgainstSchema(data);
  if (schemaIssues.length) throw new DeviceModelError(schemaIssues.map((i) => toModelIssue(i, locate)), sourceName);
  const model = normalize(data as DeviceModel, sourceName);
  const semanticIssues = checkSemantics(model);
  if (semanticIssues.length) throw new DeviceModelError(semanticIssues.map((i) => toModelIssue(i, locate)), sourceName);
  return model;
}

function parseJson(text: string, sourceName: string | undefined): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    // V8 reports either "(line L column C)" or "at position P", depending on the version.
    const lineColumn = /line (\d+) column (\d+)/.exec(message);
    const position = /position (\d+)/.exec(message);
    let where: Pick<ModelIssue, 'line' | 'column'> = {};
    if (lineColumn) where = { line: Number(lineColumn[1]), column: Number(lineColumn[2]) };
    else if (position) where = lineAndColumnAt(text, Number(position[1]));
    const reason = message.replace(/\s*\(line \d+ column \d+\)/, '').replace(/ in JSON at position \d+/, '');
    throw new DeviceModelError([{ path: '', message: `JSON syntax error: ${reason}`, ...where }], sourceName);
  }
}

function lineAndColumnAt(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

function yamlIssue(error: { message: string; linePos?: [{ line: number; col: number }, ...unknown[]] }): ModelIssue {
  const position = error.linePos?.[0];
  // prettyErrors appends a "at line L, column C" and a code excerpt; the issue carries the position itself.
  const message = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return { path: '', message: `YAML syntax error: ${message}`, ...(position ? { line: position.line, column: position.col } : {}) };
}

function toModelIssue(issue: PathIssue, locate: (path: PathSegment[]) => Pick<ModelIssue, 'line' | 'column'>): ModelIssue {
  return { path: formatPath(issue.path), message: issue.message, ...locate(issue.path) };
}

/** The line and column of the deepest part of `path` that exists in the text (a missing field points at its parent). */
function locateInDocument(document: Document, lineCounter: LineCounter, path: PathSegment[]): Pick<ModelIssue, 'line' | 'column'> {
  let node: unknown = document.contents;
  let offset = (document.contents as Node | null)?.range?.[0];
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => String((p.key as { value?: unknown } | null)?.value ?? p.key) === String(segment));
      if (!pair) break;
      offset = (pair.key as Node | null)?.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment]) {
      node = node.items[segment];
      offset = (node as Node).range?.[0] ?? offset;
    } else {
      break;
    }
  }
  if (offset === undefined) return {};
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

function normalize(raw: DeviceModel, sourceName: string | undefined): DeviceModel {
  return {
    ...raw,
    attributes: raw.attributes ?? {},
    functions: raw.functions ?? [],
    events: raw.events ?? [],
    prompts: raw.prompts ?? [],
    ...(sourceName ? { source: sourceName } : {}),
  };
}
