// Preloaded into the API process by the soak (node --expose-gc -r bench/soak/probe.js …): every SOAK_PROBE_EVERY_MS it
// collects garbage (so the heap figure is what is really retained, not what awaits collection) and appends the process's
// memory to SOAK_PROBE_FILE as one JSON line. Costs one full GC per sample; nothing else in the API changes.
const { appendFileSync } = require('node:fs');

const file = process.env.SOAK_PROBE_FILE;
const every = Number(process.env.SOAK_PROBE_EVERY_MS || 5000);
if (file) {
  const sample = () => {
    if (typeof global.gc === 'function') global.gc();
    const m = process.memoryUsage();
    appendFileSync(file, `${JSON.stringify({ t: Date.now(), rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external })}\n`);
  };
  setInterval(sample, every).unref();
}
