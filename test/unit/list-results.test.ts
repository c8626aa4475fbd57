// Lenient reading of list results and the gateway's repair of a device's list answers: valid items kept,
// invalid ones named, one line per problem naming method and field.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { listOfMethod, parseListPage } from '../../src/core/client/list-results.js';
import { repairListResponse } from '../../src/core/gateway/list-repair.js';

const tool = (name: string): Record<string, unknown> => ({ name, inputSchema: { type: 'object' } });

describe('parseListPage', () => {
  it('keeps a valid page as it is, with its cursor', () => {
    const page = parseListPage('tools', { tools: [tool('a'), tool('b')], nextCursor: 'p2' });
    assert.deepEqual(page.items.map((t) => t.name), ['a', 'b']);
    assert.equal(page.nextCursor, 'p2');
    assert.equal(page.problem, undefined);
    assert.equal(page.broken, false);
  });

  it('names the method and the missing field, and the keys it got instead', () => {
    const page = parseListPage('resources', { contents: [] });
    assert.equal(page.broken, true);
    assert.equal(page.problem, 'resources/list: result has no "resources" array (got keys: contents)');
    assert.equal(parseListPage('prompts', { prompts: 'x' }).problem, 'prompts/list: result has no "prompts" array ("prompts" is a string)');
    assert.equal(parseListPage('resourceTemplates', null).problem, 'resources/templates/list: result is null, not an object with a "resourceTemplates" array');
  });

  it('drops invalid items, names the first two and counts the rest', () => {
    const page = parseListPage('tools', { tools: [tool('ok'), { name: 'no schema' }, 7, { inputSchema: {} }, { name: 'x' }] });
    assert.deepEqual(page.items.map((t) => t.name), ['ok']);
    assert.equal(page.rawItems.length, 1);
    assert.equal(page.broken, false);
    assert.match(page.problem ?? '', /^tools\/list: dropped 4 of 5 tools: #2 "no schema": inputSchema: [^;]+; #3 \(a number\): [^;]+; and 2 more$/);
  });

  it('a cursor that is not a string ends pagination with a note', () => {
    const page = parseListPage('prompts', { prompts: [{ name: 'p' }], nextCursor: 3 });
    assert.equal(page.nextCursor, undefined);
    assert.equal(page.problem, 'prompts/list: "nextCursor" is a number, not a string: later pages skipped');
  });

  it('maps methods to lists', () => {
    assert.equal(listOfMethod('resources/templates/list'), 'resourceTemplates');
    assert.equal(listOfMethod('tools/call'), undefined);
  });
});

describe('repairListResponse (gateway pass-through)', () => {
  const caps = { tools: {}, resources: {}, prompts: {} };

  it('answers -32601 on an advertised list with an empty list, and leaves it alone when not advertised', () => {
    const error = { jsonrpc: '2.0' as const, id: 4, error: { code: -32601, message: 'Method not found' } };
    const repaired = repairListResponse('prompts/list', error, caps);
    assert.deepEqual(repaired?.message, { jsonrpc: '2.0', id: 4, result: { prompts: [] } });
    assert.match(repaired?.note ?? '', /^prompts\/list: not implemented \(-32601\) although the device advertises "prompts"/);
    assert.equal(repairListResponse('prompts/list', error, { tools: {} }), undefined);
    assert.equal(repairListResponse('tools/call', error, caps), undefined);
  });

  it('keeps the valid items of a malformed result as the device sent them, and passes a good one unchanged', () => {
    const bad = { jsonrpc: '2.0' as const, id: 'a', result: { tools: [{ ...tool('ok'), vendor: 1 }, { name: 'bad' }] } };
    const repaired = repairListResponse('tools/list', bad, caps);
    assert.deepEqual(repaired?.message, { jsonrpc: '2.0', id: 'a', result: { tools: [{ ...tool('ok'), vendor: 1 }] } });
    const contents = repairListResponse('resources/list', { jsonrpc: '2.0', id: 2, result: { contents: [{ uri: 'x://y', name: 'y' }] } }, caps);
    assert.deepEqual((contents?.message as unknown as { result: { resources: unknown[] } }).result.resources, []);
    assert.equal(repairListResponse('tools/list', { jsonrpc: '2.0', id: 3, result: { tools: [tool('fine')] } }, caps), undefined);
  });
});
