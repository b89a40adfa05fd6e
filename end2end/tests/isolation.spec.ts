import { expect, test } from "@playwright/test";
import { consentOnSandbox, screenshotForReadme, signIn } from "./fixtures";

test("two admins of two companies can neither see nor change each other's authorizations", async ({ browser }) => {
  const alice = await (await browser.newContext()).newPage();
  await signIn(alice, "alice", "/reverse-logistics");
  await alice.goto("/reverse-logistics");
  await alice.getByRole("button", { name: "Opt-In" }).click();
  await consentOnSandbox(alice, "Customer Solutions - Intelligent Reverse Logistics");
  // Exactly "Authorized": the decorative check mark is not part of the button's name.
  await expect(alice.getByRole("button", { name: "Authorized", exact: true })).toBeVisible();
  await screenshotForReadme(alice, "reverse-logistics");
  const alphaId = new URL(alice.url()).searchParams.get("company")!;

  const bob = await (await browser.newContext()).newPage();
  await signIn(bob, "bob", "/reverse-logistics");
  await bob.goto("/reverse-logistics");
  await expect(bob.getByTestId("registered-company")).toHaveText("Beta Co");
  await expect(bob.getByText("Alpha Co")).toHaveCount(0);
  await expect(bob.getByRole("button", { name: "Opt-In" })).toBeVisible();

  for (const path of ["/reverse-logistics", "/pickup-manager/settings", "/data-management/admin"]) {
    await bob.goto(`${path}?company=${alphaId}`);
    await expect(bob.getByRole("alert")).toHaveText("You are not allowed to manage this company.");
    await expect(bob.getByText("Alpha Co")).toHaveCount(0);
  }

  // Direct calls to the server functions, with Bob's session.
  for (const product of ["reverse-logistics", "pickup-manager", "data-management"]) {
    const optOut = await bob.request.post("/api/opt_out", { form: { product, company: alphaId } });
    expect(optOut.status()).toBe(403);
    const overview = await bob.request.post("/api/load_overview", { form: { product, company: alphaId } });
    expect(overview.status()).toBe(403);
  }
  const tokens = await bob.request.post("/api/token_history", { form: { product: "data-management", company: alphaId, page: "1" } });
  expect(tokens.status()).toBe(403);

  await alice.reload();
  await expect(alice.getByRole("button", { name: "Authorized" })).toBeVisible();
});
