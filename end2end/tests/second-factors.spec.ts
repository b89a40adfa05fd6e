import { createHmac } from "node:crypto";
import { BrowserContext, expect, Page, test } from "@playwright/test";
import { ADMIN_PASSWORD, expectAccessible } from "./fixtures";

// serve.sh starts a service of this spec's own (port + 6) on "localhost", a domain name a
// passkey's relying party can be, which requires a second factor of every admin: its admins add
// one at their first sign-in. Passkeys come from Chromium's virtual authenticator (DevTools'
// WebAuthn domain); authenticator-app codes are computed here, as an app computes them.
const service = `http://localhost:${Number(process.env.E2E_PORT) /* set by playwright.config.ts */ + 6}`;

/** The code an authenticator app shows for `key` (base32, as the page shows it) at `unix` seconds. */
function appCode(key: string, unix = Date.now() / 1000): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const char of key.replace(/\s/g, "").toUpperCase()) bits += alphabet.indexOf(char).toString(2).padStart(5, "0");
  const secret = Buffer.from(bits.match(/.{8}/g)!.map((byte) => parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(unix / 30)));
  const mac = createHmac("sha1", secret).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return value.toString().padStart(6, "0");
}

async function contextWithAuthenticator(browser: import("@playwright/test").Browser): Promise<[BrowserContext, Page]> {
  const context = await browser.newContext({ baseURL: service });
  const page = await context.newPage();
  const devtools = await context.newCDPSession(page);
  await devtools.send("WebAuthn.enable");
  await devtools.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return [context, page];
}

/** The password step, from a page that needs a session. */
async function password(page: Page, name: string) {
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in\?next=/);
  await page.getByLabel("Sign in name").fill(name);
  await page.getByLabel("Password").fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/sign-in\/second-factor$/);
}

async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/sign-in/);
}

test("an admin adds a passkey at their first sign-in, then signs in with it", async ({ browser }) => {
  const [context, page] = await contextWithAuthenticator(browser);
  await password(page, "passkey.admin");
  await expect(page.getByRole("heading", { name: "Add a second factor" })).toBeVisible();
  await expectAccessible(page, "adding a first second factor at sign-in");
  // The password alone opened nothing.
  const home = await context.request.get("/", { maxRedirects: 0, headers: { accept: "text/html" } });
  expect(home.status()).toBe(302);

  await page.getByLabel("Name this passkey").fill("Test laptop");
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await expect(page.getByRole("heading", { name: "Your recovery codes" })).toBeVisible();
  await expect(page.locator("[data-recovery-codes] li")).toHaveCount(10);
  await expectAccessible(page, "the recovery codes, shown once");
  await page.getByRole("link", { name: "Continue" }).click();
  await expect(page.getByRole("heading", { name: "Authorize your applications" })).toBeVisible();

  await signOut(page);
  await password(page, "passkey.admin");
  await expect(page.getByRole("heading", { name: "Confirm it's you" })).toBeVisible();
  await expectAccessible(page, "the second step with a passkey");
  await page.getByRole("button", { name: "Use your passkey" }).click();
  await expect(page.getByRole("heading", { name: "Authorize your applications" })).toBeVisible();

  await page.getByRole("link", { name: "Sign-in security" }).click();
  const rows = page.getByTestId("second-factors").locator("tbody tr");
  await expect(rows).toHaveCount(1);
  await expect(rows).toContainText("Test laptop");
  await expect(rows).toContainText("Passkey");
  await expect(rows).not.toContainText("Never");
  await expect(page.getByTestId("recovery-left")).toHaveText("10 of your recovery codes are unused.");
  await expectAccessible(page, "the sign-in security page");
  await context.close();
});

test("an authenticator app: added at sign-in, a wrong code refused, a recovery code working once, and letting a new browser through", async ({ browser }) => {
  const context = await browser.newContext({ baseURL: service });
  const page = await context.newPage();
  await password(page, "app.admin");
  await page.getByRole("button", { name: "Add an authenticator app" }).click();
  // The script fills the key in once the server answers: wait for it, then read it.
  await expect(page.locator("[data-totp-key]")).toHaveText(/^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$/);
  const key = (await page.locator("[data-totp-key]").textContent())!;
  await expect(page.getByRole("link", { name: "Open in an authenticator app" })).toHaveAttribute("href", /^otpauth:\/\/totp\//);
  const enrolledAt = Date.now() / 1000;
  await page.getByLabel("Code from the app").fill(appCode(key, enrolledAt));
  await page.getByRole("button", { name: "Confirm" }).click();
  await expect(page.getByRole("heading", { name: "Your recovery codes" })).toBeVisible();
  await expect(page.locator("[data-recovery-codes] li")).toHaveCount(10);
  const [recovery, spare] = await page.locator("[data-recovery-codes] li").allTextContents();
  expect(recovery).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
  await page.getByRole("link", { name: "Continue" }).click();
  await expect(page.getByRole("heading", { name: "Authorize your applications" })).toBeVisible();
  await signOut(page);

  // A wrong code is refused with a clear message; a recovery code signs in.
  await password(page, "app.admin");
  await expect(page.getByRole("heading", { name: "Confirm it's you" })).toBeVisible();
  const code = page.getByLabel("Code from your authenticator app, or a recovery code");
  await code.fill("000000");
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "That code is not right" })).toBeVisible();
  await code.fill(recovery);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("heading", { name: "Authorize your applications" })).toBeVisible();
  await signOut(page);

  // The same recovery code again: refused. The app's next code: signed in.
  await password(page, "app.admin");
  await code.fill(recovery);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "That code is not right" })).toBeVisible();
  await code.fill(appCode(key, enrolledAt + 30));
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("heading", { name: "Authorize your applications" })).toBeVisible();
  await context.close();

  // A browser new to the name can be let through with a recovery code (the way past the hold on
  // a name whose sign-ins keep failing from elsewhere): it then signs in as usual.
  const newcomer = await browser.newContext({ baseURL: service });
  const other = await newcomer.newPage();
  await other.goto("/sign-in/unlock");
  await expect(other.getByRole("heading", { name: "Confirm with a recovery code" })).toBeVisible();
  await expectAccessible(other, "letting a new browser through with a recovery code");
  await other.getByLabel("Sign in name").fill("app.admin");
  await other.getByLabel("A recovery code").fill("abcde-fghjk");
  await other.getByRole("button", { name: "Continue" }).click();
  await expect(other.getByRole("alert").filter({ hasText: "That code is not right" })).toBeVisible();
  await other.getByLabel("Sign in name").fill("app.admin");
  await other.getByLabel("A recovery code").fill(spare);
  await other.getByRole("button", { name: "Continue" }).click();
  await expect(other).toHaveURL(/\/sign-in\?unlocked=1$/);
  await expect(other.getByRole("status")).toHaveText(/This browser may now sign in as you/);
  await password(other, "app.admin");
  await expect(other.getByRole("heading", { name: "Confirm it's you" })).toBeVisible();
  await newcomer.close();
});
