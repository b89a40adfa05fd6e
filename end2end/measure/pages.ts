import { Browser, BrowserContext, expect, Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { signIn } from "../tests/fixtures";

export const servicePort = Number(process.env.E2E_PORT) /* set by measure.config.ts */;
export const service = `http://127.0.0.1:${servicePort}`;
/** serve.sh's demo portals: one per product on the three ports after the service's. */
export const portal = {
  "reverse-logistics": `http://127.0.0.1:${servicePort + 1}`,
  "pickup-manager": `http://127.0.0.1:${servicePort + 2}`,
  "data-management": `http://127.0.0.1:${servicePort + 3}`,
};

export function company(name: string): number {
  return JSON.parse(readFileSync(`.e2e-data/${servicePort}/companies.json`, "utf8"))[name];
}

/** A page measured on a cold cache: what it opens, and its Opt-In control. */
export type Measured = {
  name: string;
  kind: "widget" | "admin";
  /** Where it is (read when measured: serve.sh numbers the companies at start). */
  url: () => string;
  /** The control that starts the opt-in, in the page or in its widget's frame. */
  optIn: (page: Page) => ReturnType<Page["getByRole"]>;
};

export const PAGES: Measured[] = [
  {
    name: "widget (Reverse Logistics portal)",
    kind: "widget",
    url: () => `${portal["reverse-logistics"]}/?company=${company("Portal Returns Co")}`,
    optIn: (page) => page.frameLocator("iframe").getByRole("button", { name: "Opt-In" }),
  },
  {
    name: "widget (Data Management portal)",
    kind: "widget",
    url: () => `${portal["data-management"]}/?company=${company("Portal Data Co")}`,
    optIn: (page) => page.frameLocator("iframe").getByRole("button", { name: "Authorize" }),
  },
  {
    name: "Reverse Logistics administration",
    kind: "admin",
    url: () => `${service}/reverse-logistics`,
    optIn: (page) => page.getByRole("button", { name: "Opt-In" }),
  },
  {
    name: "Pickup Manager settings",
    kind: "admin",
    url: () => `${service}/pickup-manager/settings`,
    optIn: (page) => page.getByRole("button", { name: "API", exact: true }),
  },
  {
    name: "Data Management Token Manager",
    kind: "admin",
    url: () => `${service}/data-management/admin`,
    optIn: (page) => page.getByRole("button", { name: "Authorize" }),
  },
];

/** Signed in as the admin of the companies the portals' widgets are for (no cache kept). */
let signedIn: Awaited<ReturnType<BrowserContext["storageState"]>> | undefined;

/** A fresh context (an empty cache) for `measured`: signed in for the admin pages. */
export async function coldContext(browser: Browser, measured: Measured): Promise<BrowserContext> {
  if (measured.kind === "admin" && !signedIn) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, "portal.admin", "/reverse-logistics");
    await expect(page.getByTestId("registered-company")).toBeVisible();
    signedIn = await context.storageState();
    await context.close();
  }
  return browser.newContext(measured.kind === "admin" ? { storageState: signedIn } : {});
}

/** Prints `rows` as a Markdown table under `title`. */
export function table(title: string, header: string[], rows: (string | number)[][]): string {
  const lines = [`### ${title}`, "", `| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`];
  for (const row of rows) lines.push(`| ${row.join(" | ")} |`);
  return lines.join("\n") + "\n";
}
