// The report as JUnit XML, which every CI system can show: one testcase per check; fail is a failure, warn a
// passed testcase with its warning in system-out, skip is skipped.
import type { CheckResult, ConformanceReport } from './types.js';

export function reportToJunit(report: ConformanceReport): string {
  const { summary } = report;
  const suiteName = `MCP over MQTT conformance: ${report.server}`;
  const cases = report.results.map(testcase);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xml(suiteName)}" tests="${report.results.length}" failures="${summary.fail}" skipped="${summary.skip}" time="${seconds(report.durationMs)}">`,
    `  <testsuite name="${xml(suiteName)}" tests="${report.results.length}" failures="${summary.fail}" errors="0" skipped="${summary.skip}" timestamp="${xml(report.startedAt.replace(/Z$/, ''))}" time="${seconds(report.durationMs)}">`,
    '    <properties>',
    `      <property name="server" value="${xml(report.server)}"/>`,
    `      <property name="instance" value="${xml(report.instance ?? '')}"/>`,
    `      <property name="broker" value="${xml(report.broker)}"/>`,
    '    </properties>',
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function testcase(r: CheckResult): string {
  const open = `    <testcase classname="mcp-over-mqtt.${xml(r.group)}" name="${xml(`${r.id}: ${r.title}`)}" time="0">`;
  const detail = `${r.rule}\nSpec: ${r.section} ${r.specUrl}\nExpected: ${r.expected}\nObserved: ${r.observed}\nVerdict: ${r.basis}`;
  switch (r.verdict) {
    case 'fail':
      return `${open}\n      <failure message="${xml(r.observed)}" type="conformance">${xml(detail)}</failure>\n    </testcase>`;
    case 'warn':
      return `${open}\n      <system-out>${xml(`WARNING: ${detail}`)}</system-out>\n    </testcase>`;
    case 'skip':
      return `${open}\n      <skipped message="${xml(r.observed)}"/>\n    </testcase>`;
    default:
      return `${open}</testcase>`;
  }
}

/**
 * Escapes for both text and attribute values, and drops what XML 1.0 cannot carry at all (control
 * characters, lone surrogates): device payloads quoted in "observed" may contain anything.
 */
export function xml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}
