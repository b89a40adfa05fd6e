import AxeBuilder from "@axe-core/playwright";
import { expect, Page } from "@playwright/test";

export const ADMIN_PASSWORD = "e2e-password-for-admins";
export const SANDBOX_USER = "shipper.one";
export const SANDBOX_PASSWORD = "Sandbox-Pass-1";

/** Opens `path`, signs in on the page it redirects to, and waits to be back on `path`. */
export async function signIn(page: Page, signInName: string, path = "/") {
  await page.goto(path);
  await expect(page).toHaveURL(/\/sign-in\?next=/);
  await page.getByLabel("Sign in name").fill(signInName);
  await page.getByLabel("Password").fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).not.toHaveURL(/\/sign-in/);
}

/** The sandbox's UPS.com pages: username and agreement, then password. */
export async function consentOnSandbox(page: Page, productConsentName: string, user = SANDBOX_USER, password = SANDBOX_PASSWORD) {
  await expect(page.getByRole("heading", { name: "Log In" })).toBeVisible();
  await expect(page.getByText(`authorize ${productConsentName} to access data`)).toBeVisible();
  await page.getByLabel("Email or Username").fill(user);
  await page.getByRole("checkbox").check();
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByText(`Welcome back, ${user}`)).toBeVisible();
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log In" }).click();
}

/** Saves a screenshot for the README (docs/screenshots/NAME.png). */
export async function screenshotForReadme(page: Page, name: string) {
  await page.screenshot({ path: `../docs/screenshots/${name}.png`, fullPage: true });
}

/** The page fits a phone: nothing wider than the viewport. */
export async function expectNoHorizontalScroll(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, "horizontal overflow in px").toBeLessThanOrEqual(0);
}

/**
 * An axe scan of the page as it is now (frames included, so a portal page scans its widget too):
 * no serious or critical finding. `state` names what is on screen, for the failure message.
 */
export async function expectAccessible(page: Page, state: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const findings = results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
  expect(findings, `accessibility findings on ${state}`).toEqual([]);
}
