const t0 = performance.now();
const m = await import('@faker-js/faker/locale/en');
console.log('locale/en', (performance.now() - t0).toFixed(0), Object.keys(m).slice(0, 20));
