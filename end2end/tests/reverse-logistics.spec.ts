import { expect, test } from "@playwright/test";
import { consentOnSandbox, expectAccessible, SANDBOX_USER, signIn } from "./fixtures";

const FAQ = [
  ["What is OAuth 2.0?", "temporary token framework"],
  ["Why has UPS adopted the OAuth standard?", "without sharing credentials"],
  ["What if I have a lot of shipper accounts?", "must be linked to the UPS.com ID"],
];

test("wrong credentials are refused with a clear message", async ({ page }) => {
  await page.goto("/sign-in");
  await expectAccessible(page, "the sign-in page");
  await page.getByLabel("Sign in name").fill("irl.admin");
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("alert")).toHaveText("The sign-in name or password is incorrect.");
  await expect(page).toHaveURL(/\/sign-in/);
});

test("the administration page shows the company, the FAQ, the warning and the tip", async ({ page }) => {
  await signIn(page, "irl.admin", "/reverse-logistics");
  await expect(page.getByRole("heading", { name: "Administration" })).toBeVisible();
  await expect(page.getByTestId("registered-company")).toHaveText("Acme Returns");
  await expect(page.getByText("Ada Admin")).toBeVisible();
  await expect(page.getByText(/changing the password of the UPS\.com user that opted in will invalidate/)).toBeVisible();
  await expect(page.getByText("If you require assistance, reach out to your Account Executive.")).toBeVisible();
  await expectAccessible(page, "Reverse Logistics, not authorized");

  // Native disclosures: each question opens and closes its answer, by click or by keyboard.
  for (const [question, answer] of FAQ) {
    const entry = page.locator("details", { hasText: question });
    const summary = entry.locator("summary");
    await expect(summary).toHaveText(question);
    await expect(page.getByText(answer)).toBeHidden();
    await summary.click();
    await expect(entry).toHaveAttribute("open", "");
    await expect(page.getByText(answer)).toBeVisible();
    await summary.click();
    await expect(entry).not.toHaveAttribute("open");
    await expect(page.getByText(answer)).toBeHidden();
  }

  // By keyboard: Enter opens, Space closes.
  const first = page.locator("details", { hasText: FAQ[0][0] });
  await first.locator("summary").focus();
  await page.keyboard.press("Enter");
  await expect(first).toHaveAttribute("open", "");
  await page.keyboard.press("Space");
  await expect(first).not.toHaveAttribute("open");
});

test("denying consent on UPS.com comes back with a clear message and changes nothing", async ({ page }) => {
  await signIn(page, "irl.admin", "/reverse-logistics");
  await page.getByRole("button", { name: "Opt-In" }).click();
  await expect(page.getByRole("heading", { name: "Log In" })).toBeVisible();
  await page.getByRole("button", { name: "Cancel and return to the application" }).click();
  await expect(page.getByRole("alert")).toContainText("UPS.com consent was not given");
  await expect(page.getByRole("button", { name: "Opt-In" })).toBeVisible();
});

test("an admin opts in through UPS.com, sees Authorized, cancels the Opt-Out, then opts out", async ({ page }) => {
  await signIn(page, "irl.admin", "/reverse-logistics");
  await page.getByRole("button", { name: "Opt-In" }).click();

  // The sandbox shows its own errors on the page.
  await page.getByLabel("Email or Username").fill(SANDBOX_USER);
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("alert")).toContainText("Please agree to the UPS Technology Agreement");
  await expectAccessible(page, "the sandbox's UPS.com sign-in");
  await consentOnSandbox(page, "Customer Solutions - Intelligent Reverse Logistics");

  await expect(page).toHaveURL(/\/reverse-logistics\?company=\d+&outcome=authorized$/);
  await expect(page.getByRole("status")).toContainText("Intelligent Reverse Logistics is authorized");
  const authorized = page.getByRole("button", { name: "Authorized" });
  await expect(authorized).toBeVisible();
  await expect(page.getByTestId("authorization-status")).toContainText("Authorized by Ada Admin");
  await page.reload();
  await expect(authorized).toBeVisible();
  await expectAccessible(page, "Reverse Logistics, authorized");

  // Check now: UPS is asked to refresh once and the page says how it answered; asked again at
  // once, it is not.
  await page.getByRole("button", { name: "Check now" }).click();
  await expect(page).toHaveURL(/\/reverse-logistics\?company=\d+&checked=refreshed$/);
  await expect(page.getByRole("status")).toContainText("UPS accepts this authorization and issued a new token just now");
  await page.getByRole("heading", { name: "Activity" }).click();
  await expect(page.getByText("Authorization checked with UPS", { exact: true }).first()).toBeVisible();
  await page.getByRole("button", { name: "Check now" }).click();
  await expect(page).toHaveURL(/checked=too_soon$/);
  await expect(page.getByRole("status")).toContainText("checked less than a minute ago");
  await expectAccessible(page, "Reverse Logistics, checked");

  // Escape closes the confirmation; focus starts on Cancel and stays inside the dialog.
  const dialog = page.getByRole("dialog", { name: "Opt-Out of UPS OAuth?" });
  await authorized.click();
  await expect(dialog).toBeVisible();
  await expectAccessible(page, "Reverse Logistics, the Opt-Out confirmation");
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  for (let i = 0; i < 4; i++) {
    await page.keyboard.press("Tab");
    const outside = await page.evaluate(() => {
      const active = document.activeElement;
      const dialog = document.querySelector("dialog[open]");
      return !!active && active !== document.body && !dialog?.contains(active);
    });
    expect(outside, "focus must not leave the dialog").toBe(false);
  }
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(authorized).toBeVisible();

  // Cancel changes nothing, even after a reload.
  await authorized.click();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  await page.reload();
  await expect(authorized).toBeVisible();

  // Opt-Out.
  await authorized.click();
  await dialog.getByRole("button", { name: "Opt-Out" }).click();
  await expect(page.getByRole("status")).toContainText("was opted out");
  await expect(page.getByRole("button", { name: "Opt-In" })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("button", { name: "Opt-In" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Authorized" })).toHaveCount(0);
});
