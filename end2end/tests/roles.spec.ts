import { expect, test } from "@playwright/test";
import { consentOnSandbox, expectAccessible, signIn } from "./fixtures";

test("a viewer sees the company's authorization and token grid, with no button that would change them", async ({ browser }) => {
  // The admin authorizes Data Management for Roles Co.
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, "roles.admin", "/data-management/admin");
  await admin.goto("/data-management/admin");
  await admin.getByRole("button", { name: "Authorize" }).click();
  await consentOnSandbox(admin, "Customer Solutions - Intelligent Data Management");
  await expect(admin).toHaveURL(/\?company=\d+&outcome=authorized$/);
  const company = new URL(admin.url()).searchParams.get("company") ?? "";
  await expect(admin.getByRole("button", { name: "Clear" })).toBeVisible();

  // The viewer, made one with `server member add roles.viewer "Roles Co" --role viewer`.
  const viewer = await (await browser.newContext()).newPage();
  await signIn(viewer, "roles.viewer", "/data-management/admin");
  await viewer.goto("/data-management/admin");
  await expect(viewer.getByRole("heading", { name: "Token Manager", level: 1 })).toBeVisible();
  await expect(viewer.getByTestId("authorization-status")).toContainText("Authorized by");
  await expect(viewer.getByTestId("view-only")).toHaveText(
    "You can view Roles Co's authorization; only its admins can change it.",
  );
  const grid = viewer.getByRole("table", { name: /Most recently created access tokens/ });
  await expect(grid.getByRole("row").nth(1).getByRole("cell").nth(2)).toHaveText("Active");
  await expect(viewer.getByRole("button", { name: "Clear" })).toHaveCount(0);
  await expect(viewer.getByRole("button", { name: "Authorize" })).toHaveCount(0);
  await expect(viewer.getByRole("button", { name: "Check now" })).toHaveCount(0);
  await expectAccessible(viewer, "the Token Manager for a viewer");

  // What the page does not offer, the server refuses too.
  const refused = await viewer.request.post("/api/opt_out", {
    form: { product: "data-management", company },
    headers: { Accept: "application/json", Origin: new URL(viewer.url()).origin },
  });
  expect(refused.status()).toBe(403);
  expect(await refused.json()).toBe("ViewOnly");
});
