// The conformance checker: "is my firmware's MCP over MQTT right?"
export { runConformance, summarize } from './runner.js';
export { reportToMarkdown, groupResults, VERDICT_SYMBOL } from './report-markdown.js';
export { reportToJunit } from './report-junit.js';
export { CHECKS, GROUP_TITLES, checkDefinition } from './catalogue.js';
export { DEFAULT_TIMEOUTS } from './types.js';
export type { CheckDefinition, CheckGroup, CheckResult, ConformanceOptions, ConformanceReport, ConformanceTimeouts, Verdict } from './types.js';
