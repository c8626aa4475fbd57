// The conformance checker's catalogue and reporters, without a broker.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CHECKS, reportToJunit, reportToMarkdown, summarize, type CheckResult, type ConformanceReport, type Verdict } from '../../src/core/conformance/index.js';
import { xmlProblems } from './conformance-xml.js';

const NASTY = 'a <b> & "c" \'d\' ]]> \u0001\u0008 \uD800 | `x` [link](http://e) 🔌\r\nline';

function report(verdicts: Verdict[]): ConformanceReport {
  const results: CheckResult[] = verdicts.map((verdict, i) => ({ ...(CHECKS[i] as (typeof CHECKS)[number]), verdict, expected: `expected ${NASTY}`, observed: `observed ${NASTY}`, basis: `basis ${NASTY}` }));
  return { server: `dev/${NASTY}`, instance: 'id&1', broker: 'mqtt://127.0.0.1:1883', startedAt: '2025-01-01T00:00:00.000Z', durationMs: 1234, results, summary: summarize(results) };
}

describe('conformance catalogue', () => {
  it('has unique ids, each in its group and with a rule, a section and a spec link', () => {
    const ids = CHECKS.map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const c of CHECKS) {
      assert.ok(c.id.startsWith(`${c.group}.`), c.id);
      assert.ok(c.rule.length > 20 && c.title.length > 0, c.id);
      assert.match(c.section, /^§/, c.id);
      assert.match(c.specUrl, /^https:\/\/\S+$/, c.id);
    }
  });
});

describe('JUnit report', () => {
  const verdicts: Verdict[] = ['pass', 'warn', 'fail', 'skip', 'fail', 'pass'];
  const xml = reportToJunit(report(verdicts));

  it('is judged by a checker that does reject broken XML', () => {
    for (const broken of ['<a>&</a>', '<a><b></a>', '<a x=1/>', '<a/><b/>', '<a>\u0001</a>']) assert.notDeepEqual(xmlProblems(broken), [], broken);
  });

  it('is well-formed XML even when device text contains markup, control characters and lone surrogates', () => {
    assert.deepEqual(xmlProblems(xml), []);
    assert.ok(!xml.includes('\u0001') && !xml.includes('<b>'));
  });

  it('has one testcase per check: fail is a failure, warn passes with system-out, skip is skipped', () => {
    assert.equal(xml.match(/<testcase /g)?.length, verdicts.length);
    assert.equal(xml.match(/<failure /g)?.length, 2);
    assert.equal(xml.match(/<skipped /g)?.length, 1);
    assert.equal(xml.match(/<system-out>WARNING: /g)?.length, 1);
    assert.match(xml, /<testsuite [^>]*tests="6" failures="2" errors="0" skipped="1"/);
    assert.match(xml, new RegExp(`name="${CHECKS[2]?.id}: `));
  });
});

describe('Markdown report', () => {
  it('groups checks in tables, marks verdicts, and keeps device text from breaking the table or becoming markup', () => {
    const md = reportToMarkdown(report(['pass', 'warn', 'fail', 'skip']));
    assert.match(md, /\*\*FAILED\*\*: 1 passed, 1 warnings, 1 failed, 1 skipped/);
    assert.match(md, /^## Presence and discovery$/m);
    const rows = md.split('\n').filter((l) => l.startsWith('| ✔') || l.startsWith('| ⚠') || l.startsWith('| ✖') || l.startsWith('| –'));
    assert.equal(rows.length, 4);
    for (const row of rows) assert.equal(row.split(/(?<!\\)\|/).length, 7, row); // 5 cells between 6 unescaped pipes
    assert.ok(!md.includes('<b>') && !md.includes('[link](http'));
  });
});
