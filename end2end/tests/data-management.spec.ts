import { expect, test } from "@playwright/test";
import { consentOnSandbox, expectAccessible, expectNoHorizontalScroll, screenshotForReadme, signIn } from "./fixtures";

test.use({ timezoneId: "America/New_York" });

test("Admin ▸ Token Manager: Authorize, see the token in the grid, then Clear it", async ({ page }) => {
  await signIn(page, "idm.admin", "/data-management");
  await page.goto("/data-management");
  const menu = page.getByRole("navigation", { name: "Intelligent Data Management" });
  await menu.getByRole("link", { name: "Admin" }).click();
  await expect(page.getByRole("heading", { name: "Token Manager", level: 1 })).toBeVisible();
  await expect(menu.getByRole("link", { name: "Admin" })).toHaveAttribute("aria-current", "page");
  await expect(page.getByTestId("token-grid-empty")).toBeVisible();
  await expectAccessible(page, "the Token Manager, empty");

  await page.getByRole("button", { name: "Authorize" }).click();
  await consentOnSandbox(page, "Customer Solutions - Intelligent Data Management");

  await expect(page).toHaveURL(/\/data-management\/admin\?company=\d+&outcome=authorized$/);
  await expect(page.getByRole("status")).toContainText("a token was generated");
  const grid = page.getByRole("table", { name: /Most recently created access tokens/ });
  // The newest token is first (the worker may already have refreshed it: that row is newest then).
  const first = grid.getByRole("row").nth(1);
  await expect(first.getByRole("cell").nth(2)).toHaveText("Active");
  await expect(first.getByRole("cell").nth(3)).toHaveText(/^[0-9a-f]{12}$/);
  // Created, in the admin's own time zone, with the zone named.
  await expect(first.getByRole("cell").first()).toHaveText(/\d{4}, \d{2}:\d{2} (AM|PM) (EST|EDT)$/);
  await screenshotForReadme(page, "data-management");
  await expectAccessible(page, "the Token Manager with a token");

  // Clear, behind a confirmation: Cancel first, then Clear.
  const clear = page.getByRole("button", { name: "Clear" });
  const confirm = page.getByRole("dialog", { name: "Clear the authorization?" });
  await clear.click();
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(confirm).toBeHidden();
  await expect(first.getByRole("cell").nth(2)).toHaveText("Active");

  await clear.click();
  await confirm.getByRole("button", { name: "Clear" }).click();
  await expect(page.getByRole("status")).toContainText("authorization was cleared");
  await expect(first.getByRole("cell").nth(2)).toHaveText("Cleared");
  await expect(page.getByRole("button", { name: "Authorize" })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("button", { name: "Authorize" })).toBeVisible();
  await expect(page.getByRole("table").getByRole("row").nth(1).getByRole("cell").nth(2)).toHaveText("Cleared");
});

test("the Data Management pages fit a 360 px phone", async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await signIn(page, "idm.admin", "/data-management");
  for (const path of ["/data-management", "/data-management/admin"]) {
    await page.goto(path);
    await expect(page.getByRole("navigation", { name: "Intelligent Data Management" })).toBeVisible();
    await expectNoHorizontalScroll(page);
    await expectAccessible(page, `${path} on a phone`);
  }
});
