import { expect, Page, test } from "@playwright/test";
import { consentOnSandbox, expectAccessible, signIn } from "./fixtures";

// Its own UPS.com user, so the password change kills no other spec's grants.
const UPS_USER = "shipper.two";
const OLD_PASSWORD = "Sandbox-Pass-2";
const NEW_PASSWORD = "Changed-Pass-2";

const PRODUCTS = [
  { path: "/reverse-logistics", consent: "Customer Solutions - Intelligent Reverse Logistics", start: ["Opt-In"] },
  { path: "/pickup-manager/settings", consent: "Customer Solutions - Intelligent Pickup Manager", start: ["API", "OAuth"] },
  { path: "/data-management/admin", consent: "Customer Solutions - Intelligent Data Management", start: ["Authorize"] },
];

async function startOptIn(page: Page, buttons: string[]) {
  for (const name of buttons) {
    await page.getByRole("button", { name, exact: true }).click();
  }
}

test("after a UPS.com password change every product asks for re-authorization, and one click restores it", async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, "reauth.admin", "/reverse-logistics");
  for (const product of PRODUCTS) {
    await page.goto(product.path);
    await startOptIn(page, product.start);
    await consentOnSandbox(page, product.consent, UPS_USER, OLD_PASSWORD);
    await expect(page.getByTestId("authorization-status")).toContainText("Authorized by Rita Reauth");
  }

  // The UPS.com user changes their password on UPS.com (the sandbox's page).
  await page.goto("/security/sandbox/password");
  await page.getByLabel("Email or Username").fill(UPS_USER);
  await page.getByLabel("Current password").fill(OLD_PASSWORD);
  await page.getByLabel("New password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("status")).toContainText("3 application authorization(s)");

  // The refresh worker finds the grants dead at their next refresh.
  for (const product of PRODUCTS) {
    await expect(async () => {
      await page.goto(product.path);
      await expect(page.getByTestId("authorization-status")).toContainText("Re-authorization required since", { timeout: 1_000 });
    }).toPass({ timeout: 40_000 });
    await expect(page.getByTestId("authorization-status")).toContainText("password");
    await expect(page.getByRole("button", { name: "Re-authorize" })).toBeVisible();
    await expectAccessible(page, `${product.path}, re-authorization required`);
  }

  // The activity log says what happened, newest first.
  await page.getByText("Activity").click();
  await expect(page.getByTestId("activity").getByRole("row").nth(1)).toContainText("Re-authorization required");

  // One click (and UPS.com's sign-in with the new password) restores each product.
  for (const product of PRODUCTS) {
    await page.goto(product.path);
    await page.getByRole("button", { name: "Re-authorize" }).click();
    if (product.start.length > 1) await page.getByRole("button", { name: product.start[1], exact: true }).click();
    await consentOnSandbox(page, product.consent, UPS_USER, NEW_PASSWORD);
    await expect(page.getByTestId("authorization-status")).toContainText("Authorized by Rita Reauth");
    await page.reload();
    await expect(page.getByTestId("authorization-status")).toContainText("Authorized by Rita Reauth");
  }
});
