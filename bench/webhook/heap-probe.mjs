// Preloaded (--expose-gc --import) into the processes whose memory the bench measures: on SIGUSR2,
// a full garbage collection, then one line on stderr with process.memoryUsage(). The resident set
// alone cannot tell retained memory from heap V8 has reserved and not given back.
process.on('SIGUSR2', () => {
  globalThis.gc();
  process.stderr.write(`${JSON.stringify({ probe: process.memoryUsage() })}\n`);
});
