import { createRequire } from 'node:module';
await import(process.argv[2]);
const req = createRequire(import.meta.url);
const keys = Object.keys(req.cache);
console.log(keys.length, 'cjs modules;', keys.filter((k) => /node_modules\/(fast-json-stringify|ajv|ajv-formats|@fastify\/swagger-ui|@fastify\/static|glob|@faker-js)\//.test(k)).map((k) => k.replace(/.*node_modules\//, '')).slice(0, 15));
