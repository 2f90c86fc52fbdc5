const time = (label, f) => { let best = Infinity; for (let r = 0; r < 5; r++) { const c0 = process.cpuUsage(); for (let i = 0; i < 300; i++) f(i); const c = process.cpuUsage(c0); best = Math.min(best, (c.user + c.system) / 300); } console.log(label, best.toFixed(1), 'µs'); };
const parts = Array.from({ length: 1000 }, (_, i) => JSON.stringify({ resource_id: 'col_' + i.toString(36).padStart(10, 'x'), resource_type: 'collection', status: 'pending', progress_percent: 0, error_message: null }));
const big = 'y'.repeat(130000);
time('join', (i) => '[' + parts.join(',') + ']' + i);
time('join+byteLength', (i) => Buffer.byteLength('[' + parts.join(',') + ']' + i));
time('join+big+byteLength', (i) => Buffer.byteLength('{' + big + ',' + '[' + parts.join(',') + ']' + i + '}'));
time('flat byteLength', (i) => Buffer.byteLength(big));
time('concat big+byteLength', (i) => Buffer.byteLength(big + i));
