import { expect, test } from "@playwright/test";
import { consentOnSandbox, expectAccessible, expectNoHorizontalScroll, screenshotForReadme, signIn } from "./fixtures";

test("Manage ▸ Settings works by keyboard", async ({ page }) => {
  await signIn(page, "ipm.admin", "/pickup-manager");
  await page.goto("/pickup-manager");
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  const nav = page.getByRole("navigation", { name: "Intelligent Pickup Manager" });
  for (const item of ["Overview", "Create Pickup", "Pickup Locations", "Batch Pickups"]) {
    await expect(nav.getByText(item, { exact: true })).toBeVisible();
  }
  const manage = page.getByRole("button", { name: "Manage" });
  await manage.focus();
  await page.keyboard.press("Enter");
  await expect(manage).toHaveAttribute("aria-expanded", "true");
  const settings = page.getByRole("menuitem", { name: "Settings" });
  await expect(settings).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("menu")).toBeHidden();
  await expect(manage).toBeFocused();
  await page.keyboard.press("ArrowDown");
  await expect(settings).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/pickup-manager\/settings$/);
  await expect(page.getByRole("heading", { name: "Settings", level: 1 })).toBeVisible();
});

test("an admin selects a company, opts in with API ▸ OAuth, and opts out with OK", async ({ page }) => {
  await signIn(page, "ipm.admin", "/pickup-manager");
  await page.getByRole("button", { name: "Manage" }).click();
  await page.getByRole("menuitem", { name: "Settings" }).click();

  const companies = page.getByRole("navigation", { name: "Companies" });
  await expect(companies.getByRole("link")).toHaveCount(2);
  await companies.getByRole("link", { name: /Initech Parcels/ }).click();
  await expect(companies.getByRole("link", { name: /Initech Parcels/ })).toHaveAttribute("aria-current", "true");
  await expect(page.getByTestId("authorization-status")).toContainText("not authorized for Initech Parcels");

  // The UPS API dialog: Cancel changes nothing.
  const api = page.getByRole("button", { name: "API", exact: true });
  const explain = page.getByRole("dialog", { name: "UPS API" });
  await api.click();
  await expect(explain).toBeVisible();
  await expectAccessible(page, "Pickup Manager, the UPS API explanation");
  await explain.getByRole("button", { name: "Cancel" }).click();
  await expect(explain).toBeHidden();
  await expect(page).toHaveURL(/\/pickup-manager\/settings/);

  await api.click();
  await explain.getByRole("button", { name: "OAuth" }).click();
  await consentOnSandbox(page, "Customer Solutions - Intelligent Pickup Manager");

  await expect(page).toHaveURL(/\/pickup-manager\/settings\?company=\d+&outcome=authorized$/);
  await expect(page.getByRole("status")).toContainText("Intelligent Pickup Manager is authorized");
  await expect(companies.getByRole("link", { name: /Initech Parcels/ })).toHaveAttribute("aria-current", "true");
  await expect(companies.getByRole("link", { name: /Initech Parcels/ })).toContainText("Authorized");
  await expect(companies.getByRole("link", { name: /Globex Freight/ })).toContainText("Not authorized");
  await screenshotForReadme(page, "pickup-manager");
  await page.reload();
  const authorized = page.getByRole("button", { name: "Authorized" });
  await expect(authorized).toBeVisible();

  // Authorized reveals Opt-Out; its confirmation's Cancel changes nothing.
  const optOut = page.getByRole("button", { name: "Opt-Out" });
  await expect(optOut).toBeHidden();
  await authorized.click();
  await optOut.click();
  const confirm = page.getByRole("dialog", { name: "Opt-Out of UPS API access?" });
  await expect(confirm).toBeVisible();
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(confirm).toBeHidden();
  // Focus comes back to where the confirmation opened from.
  await expect(optOut).toBeFocused();
  await page.reload();
  await expect(authorized).toBeVisible();

  await authorized.click();
  await optOut.click();
  await confirm.getByRole("button", { name: "OK" }).click();
  await expect(page.getByRole("status")).toContainText("Intelligent Pickup Manager was opted out");
  await expect(api).toBeVisible();
  await page.reload();
  await expect(api).toBeVisible();
  await expect(companies.getByRole("link", { name: /Initech Parcels/ })).toContainText("Not authorized");
});

test("the Pickup Manager pages fit a 360 px phone", async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await signIn(page, "ipm.admin", "/pickup-manager");
  await page.goto("/");
  await expectAccessible(page, "the home page on a phone");
  for (const path of ["/pickup-manager", "/pickup-manager/settings"]) {
    await page.goto(path);
    await expect(page.getByRole("navigation", { name: "Intelligent Pickup Manager" })).toBeVisible();
    await expectNoHorizontalScroll(page);
    await expectAccessible(page, `${path} on a phone`);
  }
});
