import { expect, test } from "@playwright/test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const service = `http://127.0.0.1:${Number(process.env.E2E_PORT) /* set by playwright.config.ts */}`;

/** Type-checks `host` beside the SDK's types as the service serves them; answers tsc's status and output. */
function typeCheck(types: string, host: string): { status: number | null; output: string } {
  const folder = mkdtempSync(join(tmpdir(), "optin-sdk-"));
  try {
    writeFileSync(join(folder, "optin.d.ts"), types);
    writeFileSync(join(folder, "host.ts"), host);
    const tsc = resolve("node_modules/typescript/bin/tsc");
    const args = ["--noEmit", "--strict", "--target", "es2022", "--module", "esnext", "--moduleResolution", "bundler",
      "--lib", "es2022,dom", join(folder, "host.ts")];
    const run = spawnSync(process.execPath, [tsc, ...args], { encoding: "utf8" });
    return { status: run.status, output: run.stdout + run.stderr };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

test("a portal typed against the host SDK type-checks, and a wrong event name fails it", async ({ request }) => {
  const response = await request.get(`${service}/embed/v1/optin.d.ts`);
  expect(response.ok()).toBeTruthy();
  const types = await response.text();
  const host = readFileSync("sdk/host.ts", "utf8");

  const checked = typeCheck(types, host);
  expect(checked.output).toBe("");
  expect(checked.status).toBe(0);

  const misspelt = typeCheck(types, host.replace('"optin:authorized"', '"optin:authorised"'));
  expect(misspelt.status).not.toBe(0);
  expect(misspelt.output).toContain('"optin:authorised"');
});
