// Load-time checks of the proxy bindings (attribute source, function publish, event source) that the
// schema cannot express: topics that are valid MQTT, placeholders that exist, transforms that fit the
// attribute, expressions that read only what exists where they run.
import type { DeviceModel, FunctionModel } from './model.js';
import type { PathSegment } from './schema-check.js';
import type { ReadableNames } from './readable-names.js';
import { filterProblem, isSparkplugTopic, publishTopicProblem, unknownPlaceholders } from './topic-binding.js';
import { templateExpressions } from './expression.js';

export interface BindingCheckTools {
  report(path: PathSegment[], message: string): void;
  checkExpression(source: string, path: PathSegment[], names: ReadableNames): void;
  checkTemplate(template: string, path: PathSegment[], names: ReadableNames): void;
  checkValue(value: unknown, path: PathSegment[], names: ReadableNames): void;
}

const SIMULATION_ONLY = ['drift', 'noise', 'periodic'] as const;

export function checkBindings(model: DeviceModel, tools: BindingCheckTools): void {
  const attributeNames = new Set(Object.keys(model.attributes));
  const checkPlaceholders = (topic: string, path: PathSegment[]): void => {
    for (const placeholder of unknownPlaceholders(topic)) tools.report(path, `unknown placeholder ${placeholder}; use {n} (instance number) or {id} (server-id)`);
  };
  const checkFilter = (topic: string, path: PathSegment[]): void => {
    checkPlaceholders(topic, path);
    if (templateExpressions(topic).length) tools.report(path, 'a topic that is read from cannot use {{ }} templates (only {n} and {id})');
    const problem = filterProblem(topic);
    if (problem) tools.report(path, problem);
  };

  for (const [name, attribute] of Object.entries(model.attributes)) {
    const source = attribute.source;
    if (!source) continue;
    const at = (...rest: PathSegment[]): PathSegment[] => ['attributes', name, ...rest];
    checkFilter(source.topic, at('source', 'topic'));
    for (const key of SIMULATION_ONLY) {
      if (attribute[key] !== undefined) tools.report(at(key), `a proxied attribute takes its value from ${source.topic}; ${key} only makes sense in a simulation`);
    }
    const numeric = attribute.type === 'number' || attribute.type === 'integer';
    for (const key of ['scale', 'offset'] as const) {
      if (source[key] !== undefined && !numeric) tools.report(at('source', key), `only number and integer attributes can be scaled`);
    }
    if (source.extract === 'number' && !numeric) tools.report(at('source', 'extract'), `"number" needs a number or integer attribute (this one is ${attribute.type})`);
    const sparkplug = typeof source.extract === 'object' && 'sparkplug' in source.extract;
    if (sparkplug && !isSparkplugTopic(source.topic)) tools.report(at('source', 'topic'), 'a Sparkplug B metric is read from a spBv1.0/... topic');
  }

  model.functions.forEach((fn, index) => checkPublish(fn, ['functions', index, 'publish'], attributeNames, tools, checkPlaceholders, checkFilter));

  model.events.forEach((event, index) => {
    if (!event.source) return;
    checkFilter(event.source.topic, ['events', index, 'source', 'topic']);
    if (event.everySeconds !== undefined) tools.report(['events', index, 'everySeconds'], "an event with a source fires on messages; use either 'source' or 'everySeconds'");
  });
}

function checkPublish(
  fn: FunctionModel, at: PathSegment[], attributes: Set<string>, tools: BindingCheckTools,
  checkPlaceholders: (topic: string, path: PathSegment[]) => void, checkFilter: (topic: string, path: PathSegment[]) => void,
): void {
  const publish = fn.publish;
  if (!publish) return;
  const names: ReadableNames = { attributes, args: new Set(Object.keys((fn.parameters?.properties as object | undefined) ?? {})) };
  checkPlaceholders(publish.topic, [...at, 'topic']);
  tools.checkTemplate(publish.topic, [...at, 'topic'], names);
  // Templates are filled at call time; the literal text around them must already be a publishable topic.
  const literal = publish.topic.replace(/\{\{[\s\S]*?\}\}/g, 'x');
  const problem = publishTopicProblem(literal);
  if (problem) tools.report([...at, 'topic'], problem);
  if (publish.payload !== undefined) tools.checkValue(publish.payload, [...at, 'payload'], names);
  if (publish.format === 'sparkplug') {
    if (!isSparkplugTopic(publish.topic)) tools.report([...at, 'topic'], 'a Sparkplug B command goes to a spBv1.0/.../NCMD or DCMD topic');
    const payload = publish.payload as { metrics?: unknown } | undefined;
    if (!payload || typeof payload !== 'object' || !Array.isArray(payload.metrics)) tools.report([...at, 'payload'], 'a Sparkplug B payload is {"metrics": [{"name", "type", "value"}]}');
  }
  if (publish.format === 'text' && publish.payload !== undefined && typeof publish.payload !== 'string') {
    tools.report([...at, 'payload'], 'format text needs a string payload (a template)');
  }
  const confirm = publish.confirm;
  if (!confirm) return;
  if (!confirm.topic && !confirm.correlate) tools.report([...at, 'confirm'], "needs a 'topic' to wait on, or 'correlate: true' for an MQTT 5 reply");
  if (confirm.topic) {
    if (confirm.correlate) {
      checkPlaceholders(confirm.topic, [...at, 'confirm', 'topic']);
      const responseProblem = publishTopicProblem(confirm.topic);
      if (responseProblem) tools.report([...at, 'confirm', 'topic'], `is sent as the response topic and ${responseProblem}`);
    } else {
      checkFilter(confirm.topic, [...at, 'confirm', 'topic']);
    }
  }
  if (confirm.when) tools.checkExpression(confirm.when, [...at, 'confirm', 'when'], { ...names, received: true });
}
