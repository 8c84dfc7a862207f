// Preloaded (`node --import`) where GNU time is missing: prints the process's own peak RSS as it exits.
process.on('exit', () => {
  process.stderr.write(`\nmaxrss-kib ${process.resourceUsage().maxRSS}\n`);
});
