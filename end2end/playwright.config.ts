import { defineConfig } from "@playwright/test";
import { servicePort } from "./ports";

// Free ports of this run's own (see ports.ts): nothing already listening can collide with it.
const port = servicePort();

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  // One server, one database: tests run in order so each sees the state it set up.
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    // The walk-throughs read the seeds' English, whatever this machine's own language is; the
    // languages spec asks for French and Spanish itself.
    locale: "en-US",
    trace: "retain-on-failure",
    launchOptions: {
      // Debian's Chromium: a test tool's own browser download cannot work here.
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  projects: [{ name: "chromium", use: { browserName: "chromium" } }],
  webServer: [
    {
      command: `bash ./serve.sh ${port}`,
      url: `http://127.0.0.1:${port}/healthz`,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: "pipe",
      stderr: "pipe",
    },
    {
      // The second-factor spec's own service (port + 6), on localhost, requiring second factors.
      command: `bash ./serve.sh ${port + 6} --second-factors`,
      url: `http://127.0.0.1:${port + 6}/healthz`,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: "pipe",
      stderr: "pipe",
    },
  ],
});
