import { expect, test } from "@playwright/test";
import { expectAccessible } from "./fixtures";

// serve.sh starts the OpenID Provider (oidc-provider, with its development sign-in and consent
// pages) and names it to the service as "Corp"; sso.admin's verified address is theirs here, and
// their group makes them an admin of SSO Co.

test("an admin signs in through the OpenID Provider and lands on the product page with their companies", async ({ page }) => {
  await page.goto("/reverse-logistics");
  await expect(page).toHaveURL(/\/sign-in\?next=/);
  await expectAccessible(page, "the sign-in page with an identity provider");
  await page.getByRole("button", { name: "Sign in with Corp" }).click();

  // The provider's own pages.
  await page.getByPlaceholder("Enter any login").fill("sso.admin");
  await page.getByPlaceholder("and password").fill("anything");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await page.getByRole("button", { name: "Continue" }).click();

  await expect(page).toHaveURL(/\/reverse-logistics$/);
  await expect(page.getByText("SSO Co").first()).toBeVisible();
  await expect(page.getByRole("button", { name: "Opt-In" })).toBeVisible();

  // Signing out ends the provider's session too (it advertises a sign-out): its page asks, then
  // sends the browser back to the sign-in page, and the next sign-in there asks for the login again.
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page.getByRole("heading", { name: /Do you want to sign-out from/ })).toBeVisible();
  await page.getByRole("button", { name: "Yes, sign me out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.getByRole("button", { name: "Sign in with Corp" }).click();
  await expect(page.getByPlaceholder("Enter any login")).toBeVisible();
});

test("someone the provider knows and nobody here is, is refused with a clear page", async ({ page }) => {
  await page.goto("/sign-in");
  await page.getByRole("button", { name: "Sign in with Corp" }).click();
  await page.getByPlaceholder("Enter any login").fill("eve");
  await page.getByPlaceholder("and password").fill("anything");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await page.getByRole("button", { name: "Continue" }).click();

  await expect(page.getByRole("alert")).toContainText("Corp signed you in, but no admin here is linked to that account");
  await expectAccessible(page, "the refused single sign-on");
  await page.getByRole("link", { name: "Back to sign-in" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
});
