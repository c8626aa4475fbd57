// The conformance checker: "is my firmware's MCP over MQTT right?"
export { runConformance, summarize } from './runner.js';
export { reportToMarkdown, groupResults, VERDICT_SYMBOL } from './report-markdown.js';
export { reportToJunit } from './report-junit.js';
export { CHECKS, GROUP_TITLES, checkDefinition } from './catalogue.js';
export { DEFAULT_TIMEOUTS } from './types.js';
export { takeoverCrashTest } from './teardown.js';
export { PacketCapture } from './packets.js';
export { startListening, type FoundDevice, type ListenOptions, type ListeningChecker } from './listen.js';
export type { CheckDefinition, CheckGroup, CheckResult, ConformanceOptions, ConformanceReport, ConformanceTimeouts, CrashTest, PacketSource, Requirement, Verdict } from './types.js';
