import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkGraph, type GraphNode } from '../../../src/config/graph.js';

const src = (id: string): GraphNode => ({ id, kind: 'source', inputs: [], outputs: undefined });
const tr = (id: string, inputs: string[], outputs?: string[]): GraphNode => ({ id, kind: 'transform', inputs, outputs });
const sink = (id: string, inputs: string[]): GraphNode => ({ id, kind: 'sink', inputs, outputs: undefined });

test('a valid graph has no problems', () => {
  assert.deepEqual(checkGraph([src('a'), tr('r', ['a'], ['edge', '_unmatched']), tr('f', ['r.edge']), sink('s', ['f', 'r._unmatched'])]), []);
});

test('unknown inputs, sinks as inputs and bad outputs are reported with their paths', () => {
  const problems = checkGraph([
    src('a'),
    tr('r', ['a'], ['edge', '_unmatched']),
    sink('s1', ['a', 'nope']),
    sink('s2', ['s1', 'r.origin', 'r', 'a.x']),
  ]);
  assert.deepEqual(
    problems.map((p) => p.path),
    ['sinks.s1.inputs[1]', 'sinks.s2.inputs[0]', 'sinks.s2.inputs[1]', 'sinks.s2.inputs[2]', 'sinks.s2.inputs[3]', 'transforms.r'],
  );
  assert.match(problems[0]!.message, /unknown input "nope"/);
  assert.match(problems[2]!.message, /no output "origin"/);
  assert.match(problems[3]!.message, /named outputs; use one of r\.edge, r\._unmatched/);
  assert.match(problems[5]!.message, /no path to a sink/);
});

test('cycles are found and reported once', () => {
  const problems = checkGraph([src('a'), tr('x', ['a', 'z']), tr('y', ['x']), tr('z', ['y']), sink('s', ['z'])]);
  const cycles = problems.filter((p) => p.message.startsWith('cycle'));
  assert.equal(cycles.length, 1);
  assert.match(cycles[0]!.message, /x → y → z → x|y → z → x → y|z → x → y → z/);
});

test('a graph without sources or sinks is an error', () => {
  const problems = checkGraph([]);
  assert.deepEqual(problems.map((p) => p.path), ['sources', 'sinks']);
});

test('a component that failed its own validation causes no follow-on graph errors', () => {
  const bad: GraphNode = { id: 'r', kind: 'transform', inputs: ['a'], outputs: undefined, invalid: true };
  assert.deepEqual(checkGraph([src('a'), bad, sink('s', ['r.edge'])]), []);
});
