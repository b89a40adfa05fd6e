import { defineConfig } from "@playwright/test";
import base from "./playwright.config";
import { servicePort } from "./ports";

// The widget's size and speed, measured rather than tested (scripts/widget-bench.sh): the same
// server and browser as the suite, on free ports of its own (a run of its own probes again), with
// a report per measurement.
const port = servicePort();

export default defineConfig({
  ...base,
  testDir: "./measure",
  timeout: 180_000,
  use: { ...base.use, baseURL: `http://127.0.0.1:${port}` },
  // The suite's main service only (the second-factor spec's own is not measured).
  webServer: {
    ...(base.webServer as any[])[0],
    command: `bash ./serve.sh ${port}`,
    url: `http://127.0.0.1:${port}/healthz`,
  },
});
