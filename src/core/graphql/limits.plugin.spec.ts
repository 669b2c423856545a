import { GraphQLInt, GraphQLList, GraphQLObjectType, GraphQLSchema, GraphQLString, parse } from 'graphql';
import type { OperationDefinitionNode } from 'graphql';
import { measureOperation, operationDepth, rootFieldCount, sourceNesting } from './limits.plugin.js';

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

const Item = new GraphQLObjectType({
  name: 'Item',
  fields: { name: { type: GraphQLString }, tags: { type: GraphQLString } },
});

/** Fragments F0 … Fn, each spreading the next twice: 2^n spreads once expanded, n lines of text. */
function fragmentBomb(n: number): string {
  const lines = ['query Bomb { ...F0 }'];
  for (let i = 0; i < n; i++) lines.push(`fragment F${i} on Query { a ...F${i + 1} ...F${i + 1} }`);
  lines.push(`fragment F${n} on Query { a }`);
  return lines.join('\n');
}

describe('measureOperation', () => {
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({
      name: 'Query',
      fields: () => ({
        a: { type: GraphQLInt },
        items: {
          type: new GraphQLList(Item),
          args: { first: { type: GraphQLInt } },
          extensions: {
            complexity: ({ args, childComplexity }: { args: { first?: number }; childComplexity: number }) =>
              1 + (args.first ?? 700) * Math.max(1, childComplexity),
          },
        },
        plain: { type: new GraphQLList(Item), extensions: { complexity: 174 } },
      }),
    }),
  });

  it('measures a fragment bomb of 31 levels in linear time', () => {
    const doc = parse(fragmentBomb(31));
    const op = doc.definitions[0] as OperationDefinitionNode;
    const started = performance.now();
    const m = measureOperation(doc, op, schema);
    const ms = performance.now() - started;
    expect(m.depth).toBe(1);
    // Every spread counts where it is used: 2^32 - 1 fields `a` once expanded.
    expect(m.rootFields).toBe(2 ** 32 - 1);
    expect(m.complexity).toBe(2 ** 32 - 1);
    expect(ms).toBeLessThan(100);
  });

  it('costs a list by its hint: a function of its arguments, or its real size', () => {
    const op = (q: string) => {
      const doc = parse(q);
      return measureOperation(doc, doc.definitions[0] as OperationDefinitionNode, schema, { n: 5 });
    };
    expect(op('{ items { name } }').complexity).toBe(1 + 700 * 1);
    expect(op('query($n: Int) { items(first: $n) { name tags } }').complexity).toBe(1 + 5 * 2);
    expect(op('{ plain { name } }').complexity).toBe(1 + 174);
    expect(op('{ a @skip(if: true) plain @include(if: false) { name } }').complexity).toBe(0);
  });
});
