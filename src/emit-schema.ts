// `npm run schema:generate`: writes the GraphQL schema to schema.gql at the project root.
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildSchemaText } from './schema.js';

const file = resolve(process.argv[2] ?? 'schema.gql');
writeFileSync(file, await buildSchemaText());
console.warn(`wrote ${file}`);
