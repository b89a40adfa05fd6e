import { execFileSync } from "node:child_process";

/**
 * The service's port for this run: `E2E_PORT` when given, or else the first of seven consecutive
 * loopback ports that are free now (the service, the three demo portals after it, the embed
 * spec's own host page, the OpenID Provider, and the second-factor spec's own service). It is
 * kept in `E2E_PORT`, so Playwright's workers, which inherit the runner's environment, and the
 * specs use the same one.
 */
export function servicePort(): number {
  process.env.E2E_PORT ??= String(freeBlock(7));
  return Number(process.env.E2E_PORT);
}

/** The first of `count` consecutive ports nothing listens on, probed by binding each. */
function freeBlock(count: number): number {
  // Node binds asynchronously and the configuration is read synchronously: ask a child process.
  // Below Linux's ephemeral range (32768+), so outgoing connections do not take them meanwhile.
  const probe = `
    const net = require("node:net");
    const free = (port) => new Promise((resolve) => {
      const server = net.createServer();
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    });
    (async () => {
      for (let attempt = 0; attempt < 500; attempt++) {
        const first = 10000 + Math.floor(Math.random() * 20000);
        let all = true;
        for (let port = first; all && port < first + ${count}; port++) all = await free(port);
        if (all) return console.log(first);
      }
      process.exit(1);
    })();`;
  return Number(execFileSync(process.execPath, ["-e", probe], { encoding: "utf8" }).trim());
}
