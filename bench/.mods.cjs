const t0 = performance.now();
require('fastify');
console.log('fastify', (performance.now() - t0).toFixed(0), Object.keys(require.cache).filter((k) => /fast-json-stringify|ajv/.test(k)).length);
const t1 = performance.now();
require('fast-json-stringify');
console.log('fjs', (performance.now() - t1).toFixed(0));
const t2 = performance.now();
require('ajv-formats');
console.log('ajv-formats', (performance.now() - t2).toFixed(0));
