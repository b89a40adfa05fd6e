import { expect, test } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, IncomingHttpHeaders } from "node:http";
import { AddressInfo } from "node:net";
import { consentOnSandbox, expectAccessible, signIn } from "./fixtures";
import { servicePort } from "../ports";

const port = servicePort();
const data = `.e2e-data/${port}`;
const numbers = JSON.parse(readFileSync(`${data}/companies.json`, "utf8"));
const company: number = numbers["Links Co"];

/** The service's own command line, on the spec's database (as an operator runs it). */
function operator(...args: string[]): string {
  return execFileSync(`${data}/optin/bin/server`, args, {
    encoding: "utf8",
    env: {
      ...process.env,
      OPTIN_DATABASE: `${data}/optin.db`,
      OPTIN_SECRET_KEY_FILE: `${data}/secret.key`,
      OPTIN_SITE_ROOT: `${data}/optin/site`,
      RUST_LOG: "warn",
    },
  });
}

type Received = { headers: IncomingHttpHeaders; body: string };

/** A webhook receiver on a free loopback port, as a product's backend runs one. */
async function webhookReceiver() {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      received.push({ headers: request.headers, body });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return { url, received, close: () => server.close() };
}

/** Standard Webhooks: HMAC-SHA256 of `id.timestamp.body` with the secret after `whsec_`. */
function signedBy(secret: string, message: Received): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const signed = `${message.headers["webhook-id"]}.${message.headers["webhook-timestamp"]}.${message.body}`;
  const expected = createHmac("sha256", key).update(signed).digest("base64");
  return String(message.headers["webhook-signature"]).split(" ").includes(`v1,${expected}`);
}

test("an admin's consent link lets someone with no account here consent, once", async ({ page, browser, request }) => {
  const receiver = await webhookReceiver();
  const added = operator("webhook", "add", "reverse-logistics", receiver.url);
  const endpoint = added.match(/endpoint (\d+)/)![1];
  const secret = added.trim().split(" ").pop()!;
  try {
    // The admin makes a link out to the holder of the company's UPS.com user.
    await signIn(page, "links.admin", "/reverse-logistics");
    await expect(page.getByRole("heading", { name: "Ask someone else to authorize" })).toBeVisible();
    await page.getByLabel("Their email address").fill("shipper@links.example");
    await page.getByLabel("A message for them (optional)").fill("Could you approve this today?");
    await page.getByRole("button", { name: "Create consent link" }).click();
    await expect(page.getByRole("heading", { name: "Consent link created" })).toBeVisible();
    await expect(page.getByTestId("link-created")).toContainText("shown only this once");
    const link = await page.getByLabel("Consent link").inputValue();
    expect(link).toContain("/consent/reverse-logistics/");
    await expectAccessible(page, "the consent link, shown once");
    await page.getByRole("link", { name: "Back to Intelligent Reverse Logistics" }).click();
    await expect(page.getByTestId("pending-links")).toContainText("shipper@links.example");
    await expect(page.getByTestId("pending-links")).toContainText("Not yet");

    // Its recipient, in a browser of their own with no session here.
    const theirs = await browser.newContext();
    const recipient = await theirs.newPage();
    await recipient.goto(link);
    await expect(recipient.getByRole("heading", { name: "Authorize Intelligent Reverse Logistics for Links Co" })).toBeVisible();
    await expect(recipient.getByTestId("link-request")).toContainText("Lina Links asks you to authorize");
    await expect(recipient.getByText("Could you approve this today?")).toBeVisible();
    await expect(recipient.getByText(/changing the password of the UPS.com user/)).toBeVisible();
    await recipient.getByText("What is OAuth 2.0?").click();
    await expect(recipient.getByText(/modern API security protocol/)).toBeVisible();
    await expectAccessible(recipient, "the consent link's page");
    await recipient.getByRole("button", { name: "Continue to UPS.com" }).click();
    await consentOnSandbox(recipient, "Customer Solutions - Intelligent Reverse Logistics");
    await expect(recipient.getByRole("heading", { name: "Authorized" })).toBeVisible();
    await expect(recipient.getByTestId("link-outcome")).toContainText("can now act on Links Co's behalf");
    await expectAccessible(recipient, "the consent link's outcome");

    // The admin's page says Authorized, the link no longer waits, and the product's backend hears.
    await page.reload();
    await expect(page.getByTestId("authorization-status")).toContainText("Authorized by shipper@links.example");
    await expect(page.getByTestId("no-links")).toBeVisible();
    await page.getByText("Activity").click();
    await expect(page.getByTestId("activity")).toContainText("Consent link opened");
    await expect
      .poll(() => receiver.received.map((message) => JSON.parse(message.body)).find((event) => event.company === company)?.type)
      .toBe("authorization.authorized");
    const event = receiver.received.find((message) => JSON.parse(message.body).company === company)!;
    expect(signedBy(secret, event)).toBe(true);

    // Used: it does not open again, nor under another product's address.
    await recipient.goto(link);
    await expect(recipient.getByRole("heading", { name: "This consent link was already used" })).toBeVisible();
    await expectAccessible(recipient, "a used consent link");
    await recipient.goto(link.replace("/reverse-logistics/", "/pickup-manager/"));
    await expect(recipient.getByRole("heading", { name: "This consent link is not valid" })).toBeVisible();
    await theirs.close();
  } finally {
    operator("webhook", "remove", endpoint);
    receiver.close();
  }
});

test("a revoked or expired consent link is refused with a page that says so", async ({ page, browser, request }) => {
  await signIn(page, "links.admin", "/reverse-logistics");
  await page.getByLabel("Their email address").fill("revoked@links.example");
  await page.getByRole("button", { name: "Create consent link" }).click();
  const revoked = await page.getByLabel("Consent link").inputValue();
  await page.getByRole("link", { name: "Back to Intelligent Reverse Logistics" }).click();
  await page.getByRole("button", { name: "Revoke the link sent to revoked@links.example" }).click();
  await expect(page.getByText("The consent link was revoked: it no longer opens.")).toBeVisible();
  await expect(page.getByTestId("no-links")).toBeVisible();

  // The product's backend makes one that lasts a second.
  const key = readFileSync(`${data}/links-key`, "utf8").trim();
  const made = await request.post(`/api/v1/companies/${company}/consent-links`, {
    headers: { authorization: `Bearer ${key}` },
    data: { recipient: "late@links.example", expires_in: 1, send_email: false },
  });
  expect(made.status()).toBe(201);
  const { url: expired } = await made.json();
  await new Promise((resolve) => setTimeout(resolve, 2_100));

  const stranger = await (await browser.newContext()).newPage();
  await stranger.goto(revoked);
  await expect(stranger.getByRole("heading", { name: "This consent link was revoked" })).toBeVisible();
  await expectAccessible(stranger, "a revoked consent link");
  await stranger.goto(expired);
  await expect(stranger.getByRole("heading", { name: "This consent link has expired" })).toBeVisible();
  await expect(stranger.getByRole("alert")).toContainText("Ask whoever sent it for a new one");
});
