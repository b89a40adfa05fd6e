import { expect, test } from "@playwright/test";
import { consentOnSandbox, signIn } from "./fixtures";

// Nothing here runs a script: every step is a link, a form or a dialog the browser opens itself.
test.use({ javaScriptEnabled: false });

test("with JavaScript off an admin signs in, opts in through UPS.com, cancels the Opt-Out, then opts out", async ({ page }) => {
  await signIn(page, "noscript.returns", "/reverse-logistics");
  await expect(page.getByTestId("registered-company")).toHaveText("No Script Returns");
  const faq = page.locator("details", { hasText: "What is OAuth 2.0?" });
  await faq.locator("summary").click();
  await expect(faq.getByText("temporary token framework")).toBeVisible();
  await page.getByRole("button", { name: "Opt-In" }).click();
  await consentOnSandbox(page, "Customer Solutions - Intelligent Reverse Logistics");

  await expect(page).toHaveURL(/\/reverse-logistics\?company=\d+&outcome=authorized$/);
  await expect(page.getByRole("status")).toContainText("Intelligent Reverse Logistics is authorized");
  const authorized = page.getByRole("button", { name: "Authorized" });
  const confirm = page.getByRole("dialog", { name: "Opt-Out" });
  await authorized.click();
  await expect(confirm).toBeVisible();
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(confirm).toBeHidden();
  await page.reload();
  await expect(authorized).toBeVisible();

  await authorized.click();
  await confirm.getByRole("button", { name: "Opt-Out" }).click();
  await expect(page).toHaveURL(/\/reverse-logistics\?company=\d+&outcome=revoked$/);
  await expect(page.getByRole("status")).toContainText("Intelligent Reverse Logistics was opted out");
  await expect(page.getByTestId("authorization-status")).toContainText("not authorized for No Script Returns");
  await expect(page.getByRole("button", { name: "Opt-In" })).toBeVisible();
});

test("with JavaScript off the Token Manager authorizes, lists the token and clears it", async ({ page }) => {
  await signIn(page, "noscript.data", "/data-management/admin");
  await page.getByRole("button", { name: "Authorize" }).click();
  await consentOnSandbox(page, "Customer Solutions - Intelligent Data Management");

  await expect(page).toHaveURL(/\/data-management\/admin\?company=\d+&outcome=authorized$/);
  const grid = page.getByRole("table", { name: /Most recently created access tokens/ });
  await expect(grid.getByRole("row").nth(1).getByRole("cell").nth(2)).toHaveText("Active");

  const confirm = page.getByRole("dialog", { name: "Clear the authorization?" });
  await page.getByRole("button", { name: "Clear" }).click();
  await confirm.getByRole("button", { name: "Clear" }).click();
  await expect(page).toHaveURL(/\/data-management\/admin\?company=\d+&outcome=revoked$/);
  await expect(page.getByRole("status")).toContainText("authorization was cleared");
  await expect(grid.getByRole("row").nth(1).getByRole("cell").nth(2)).toHaveText("Cleared");
  await expect(page.getByRole("button", { name: "Authorize" })).toBeVisible();
});

test("with JavaScript off Pickup Manager's Manage ▸ Settings, API ▸ OAuth, and Authorized ▸ Opt-Out work", async ({ page }) => {
  await signIn(page, "noscript.pickups", "/pickup-manager");
  // Manage ▸ Settings is the browser's own popover.
  await expect(page.getByRole("menuitem", { name: "Settings" })).toBeHidden();
  await page.getByRole("button", { name: "Manage" }).click();
  await page.getByRole("menuitem", { name: "Settings" }).click();
  await expect(page).toHaveURL(/\/pickup-manager\/settings$/);
  await page.getByRole("button", { name: "API", exact: true }).click();
  await page.getByRole("dialog", { name: "UPS API" }).getByRole("button", { name: "OAuth" }).click();
  await consentOnSandbox(page, "Customer Solutions - Intelligent Pickup Manager");

  await expect(page).toHaveURL(/\/pickup-manager\/settings\?company=\d+&outcome=authorized$/);
  // The reveal is the browser's own popover: it needs no script.
  const optOut = page.getByRole("button", { name: "Opt-Out" });
  await expect(optOut).toBeHidden();
  await page.getByRole("button", { name: "Authorized" }).click();
  await optOut.click();
  await page.getByRole("dialog", { name: "Opt-Out of UPS API access?" }).getByRole("button", { name: "OK" }).click();
  await expect(page).toHaveURL(/\/pickup-manager\/settings\?company=\d+&outcome=revoked$/);
  await expect(page.getByRole("status")).toContainText("Intelligent Pickup Manager was opted out");
  await expect(page.getByRole("button", { name: "API", exact: true })).toBeVisible();
});
