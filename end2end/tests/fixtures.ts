import { expect, Page } from "@playwright/test";

export const ADMIN_PASSWORD = "e2e-password-for-admins";
export const SANDBOX_USER = "shipper.one";
export const SANDBOX_PASSWORD = "Sandbox-Pass-1";

export async function signIn(page: Page, signInName: string) {
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in/);
  await page.getByLabel("Sign in name").fill(signInName);
  await page.getByLabel("Password").fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** The sandbox's UPS.com pages: username and agreement, then password. */
export async function consentOnSandbox(page: Page, productConsentName: string) {
  await expect(page.getByRole("heading", { name: "Log In" })).toBeVisible();
  await expect(page.getByText(`authorize ${productConsentName} to access data`)).toBeVisible();
  await page.getByLabel("Email or Username").fill(SANDBOX_USER);
  await page.getByRole("checkbox").check();
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByText(`Welcome back, ${SANDBOX_USER}`)).toBeVisible();
  await page.getByLabel("Password").fill(SANDBOX_PASSWORD);
  await page.getByRole("button", { name: "Log In" }).click();
}
