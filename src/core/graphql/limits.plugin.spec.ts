import { parse } from 'graphql';
import type { OperationDefinitionNode } from 'graphql';
import { operationDepth, rootFieldCount, sourceNesting } from './limits.plugin.js';

describe('operationDepth', () => {
  it('counts nested selections', () => {
    expect(operationDepth(parse('{ a { b { c } } }'))).toBe(3);
  });

  it('follows fragments and ignores introspection fields', () => {
    const doc = parse('query { a { ...F __typename } } fragment F on A { b { c { d } } }');
    expect(operationDepth(doc)).toBe(4);
  });

  it('survives fragment cycles', () => {
    const doc = parse('query { a { ...F } } fragment F on A { b { ...G } } fragment G on B { ...F }');
    expect(operationDepth(doc)).toBe(2);
  });

  it('only measures the named operation', () => {
    const doc = parse('query Small { a } query Big { a { b { c } } }');
    expect(operationDepth(doc, 'Small')).toBe(1);
  });
});

describe('sourceNesting', () => {
  it('counts braces, brackets and parentheses, not those in strings or comments', () => {
    expect(sourceNesting('{ a(f: { x: [[1]] }) { b } }')).toBe(5);
    expect(sourceNesting('{ a(s: "{{{{[[[(") # {{{{{{\n { b } }')).toBe(2);
    expect(sourceNesting('{ a(s: """ {{{ "quoted" """) }')).toBe(2);
  });
});

describe('rootFieldCount', () => {
  it('counts aliases and the fields of fragments spread at the root', () => {
    const doc = parse('query Q { a b: a ...F ... on Query { c } __typename } fragment F on Query { d e }');
    const op = doc.definitions[0] as OperationDefinitionNode;
    expect(rootFieldCount(doc, op)).toBe(5);
  });
});
