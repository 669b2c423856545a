import { parse } from 'graphql';
import { operationDepth } from './limits.plugin.js';

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
