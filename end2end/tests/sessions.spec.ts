import { expect, test } from "@playwright/test";
import { expectAccessible, signIn } from "./fixtures";

const SAFARI_ON_IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

test("an admin signed in on two browsers sees both, and signing the phone out from the laptop ends only it", async ({ browser }) => {
  const laptop = await (await browser.newContext()).newPage();
  const phone = await (await browser.newContext({ userAgent: SAFARI_ON_IPHONE })).newPage();
  await signIn(phone, "sessions.admin");
  await signIn(laptop, "sessions.admin");

  await laptop.getByRole("link", { name: "Where you're signed in" }).click();
  await expect(laptop.getByRole("heading", { name: "Where you're signed in" })).toBeVisible();
  const rows = laptop.getByTestId("sessions").locator("tbody tr");
  await expect(rows).toHaveCount(2);
  await expect(rows.filter({ hasText: "This browser" })).toContainText("Chrome");
  await expect(rows.filter({ hasText: "Safari 17 on iOS" })).toContainText("127.0.0.1");
  await expectAccessible(laptop, "the list of sessions");

  await laptop.getByRole("button", { name: "Sign out Safari 17 on iOS (127.0.0.1)" }).click();
  await expect(laptop.getByRole("status")).toHaveText("Signed out that session.");
  await expect(rows).toHaveCount(1);
  await expect(rows).toContainText("This browser");

  // The phone's next page asks it to sign in again; the laptop stays signed in.
  await phone.reload();
  await expect(phone).toHaveURL(/\/sign-in\?next=/);
  await laptop.goto("/");
  await expect(laptop.getByRole("heading", { name: "Authorize your applications" })).toBeVisible();
});
