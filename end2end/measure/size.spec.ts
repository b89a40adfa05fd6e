import { expect, Response, test } from "@playwright/test";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { coldContext, PAGES, service, table } from "./pages";

// What each page makes the browser fetch from the service on a cold cache, raw and compressed as
// the build does (gzip -9, brotli 11): the widget's first load must stay under 150 KB brotli, an
// administration page's under 200 KB.
const BUDGET_KB = { widget: 150, admin: 200 };
const kb = (bytes: number) => (bytes / 1024).toFixed(1);

test("first-load size of the widget and of each administration page", async ({ browser }) => {
  const report: string[] = [];
  const totals: [string, string, number][] = [];
  for (const measured of PAGES) {
    const context = await coldContext(browser, measured);
    const page = await context.newPage();
    const fetched: Response[] = [];
    page.on("response", (response) => {
      if (response.url().startsWith(service) && response.status() === 200) fetched.push(response);
    });
    await page.goto(measured.url());
    await expect(measured.optIn(page)).toBeVisible();
    await page.waitForLoadState("networkidle");
    const rows: (string | number)[][] = [];
    let brotli = 0;
    for (const response of fetched) {
      const body = await response.body();
      const compressed = brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
      brotli += compressed;
      const path = new URL(response.url()).pathname.replace(/\.[A-Za-z0-9_-]{22}\./, ".<hash>.");
      rows.push([path, kb(body.length), kb(gzipSync(body, { level: 9 }).length), kb(compressed)]);
    }
    rows.push(["**total**", "", "", `**${kb(brotli)}**`]);
    report.push(table(`${measured.name} (KB)`, ["file", "raw", "gzip", "brotli"], rows));
    totals.push([measured.name, measured.kind, brotli]);
    await context.close();
  }
  report.push(
    table(
      "First load, brotli (KB)",
      ["page", "total", "budget"],
      totals.map(([name, kind, bytes]) => [name, kb(bytes), BUDGET_KB[kind as "widget" | "admin"]]),
    ),
  );
  console.log("\n" + report.join("\n"));
  for (const [name, kind, bytes] of totals) {
    expect(bytes / 1024, `${name}: first load in KB brotli`).toBeLessThanOrEqual(BUDGET_KB[kind as "widget" | "admin"]);
  }
});
