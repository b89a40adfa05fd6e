import { expect, FrameLocator, Page, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { createServer, Server } from "node:http";
import { consentOnSandbox, expectAccessible } from "./fixtures";

const servicePort = Number(process.env.E2E_PORT) /* set by playwright.config.ts */;
const service = `http://127.0.0.1:${servicePort}`;
/** serve.sh starts one demo portal per product on the three ports after the service's. */
const portal = {
  "reverse-logistics": `http://127.0.0.1:${servicePort + 1}`,
  "pickup-manager": `http://127.0.0.1:${servicePort + 2}`,
  "data-management": `http://127.0.0.1:${servicePort + 3}`,
};
/**
 * A host page server of the test's own, on the port after the portals': serve.sh allows its origin
 * to frame Data Management's widget, and nothing else.
 */
const host = (() => {
  const origin = `http://127.0.0.1:${servicePort + 4}`;
  const pages = new Map<string, string>();
  let server: Server | undefined;
  return {
    async start() {
      server = createServer((request, response) => {
        const html = pages.get(request.url ?? "");
        response.writeHead(html ? 200 : 404, { "content-type": "text/html" }).end(html ?? "not found");
      });
      await new Promise<void>((resolve) => server!.listen(servicePort + 4, "127.0.0.1", resolve));
    },
    async stop() {
      await new Promise((resolve) => server?.close(resolve));
    },
    /** Serves `html` at `path`; answers its URL. */
    serve(path: string, html: string): string {
      pages.set(path, html);
      return origin + path;
    },
  };
})();

test.beforeAll(() => host.start());
test.afterAll(() => host.stop());

// A panic in the widget's wasm would leave it dead in the frame: every test here fails on one.
test.beforeEach(({ page }, testInfo) => {
  page.on("console", (message) => {
    if (message.text().includes("panicked")) testInfo.annotations.push({ type: "panic", description: message.text() });
  });
});
test.afterEach(({}, testInfo) => {
  expect(testInfo.annotations.filter((note) => note.type === "panic")).toEqual([]);
});

function company(name: string): number {
  const numbers = JSON.parse(readFileSync(`.e2e-data/${servicePort}/companies.json`, "utf8"));
  return numbers[name];
}

function widget(page: Page): FrameLocator {
  return page.frameLocator('iframe[title="UPS OAuth authorization"]');
}

async function expectEvent(page: Page, text: string | RegExp) {
  await expect(page.getByTestId("events").getByRole("listitem").filter({ hasText: text })).toHaveCount(1);
}

/** A fresh widget URL, as the demo portal's backend gets one with its API key. */
async function widgetUrl(page: Page, product: keyof typeof portal, companyName: string): Promise<string> {
  const response = await page.request.post(`${portal[product]}/session`, { data: { company: company(companyName) } });
  expect(response.ok()).toBeTruthy();
  return (await response.json()).widget_url;
}

const products = [
  {
    product: "reverse-logistics" as const,
    companyName: "Portal Returns Co",
    consentName: "Customer Solutions - Intelligent Reverse Logistics",
    optIn: async (frame: FrameLocator) => frame.getByRole("button", { name: "Opt-In" }).click(),
    optOut: async (frame: FrameLocator) => {
      await frame.getByRole("button", { name: "Authorized" }).click();
      await frame.getByRole("dialog", { name: "Opt-Out of UPS OAuth?" }).getByRole("button", { name: "Opt-Out" }).click();
    },
    revokedEvent: "optin:opted_out",
  },
  {
    product: "pickup-manager" as const,
    companyName: "Portal Pickups Co",
    consentName: "Customer Solutions - Intelligent Pickup Manager",
    optIn: async (frame: FrameLocator) => {
      await frame.getByRole("button", { name: "API", exact: true }).click();
      await frame.getByRole("dialog", { name: "UPS API" }).getByRole("button", { name: "OAuth" }).click();
    },
    optOut: async (frame: FrameLocator) => {
      await frame.getByRole("button", { name: "Authorized" }).click();
      await frame.getByRole("button", { name: "Opt-Out" }).click();
      await frame.getByRole("dialog", { name: "Opt-Out of UPS API access?" }).getByRole("button", { name: "OK" }).click();
    },
    revokedEvent: "optin:opted_out",
  },
  {
    product: "data-management" as const,
    companyName: "Portal Data Co",
    consentName: "Customer Solutions - Intelligent Data Management",
    optIn: async (frame: FrameLocator) => frame.getByRole("button", { name: "Authorize" }).click(),
    optOut: async (frame: FrameLocator) => {
      await frame.getByRole("button", { name: "Clear" }).click();
      await frame.getByRole("dialog", { name: "Clear the authorization?" }).getByRole("button", { name: "Clear" }).click();
    },
    revokedEvent: "optin:cleared",
  },
];

for (const { product, companyName, consentName, optIn, optOut, revokedEvent } of products) {
  test(`the ${product} portal opts in through the consent window, hears "authorized", and opts out`, async ({ page }) => {
    await page.goto(`${portal[product]}/?company=${company(companyName)}`);
    const frame = widget(page);
    await expect(frame.getByTestId("embed-company")).toHaveText(companyName);
    await expect(frame.getByTestId("authorization-status")).toContainText("is not authorized");
    await expect(frame.getByText("What is OAuth 2.0?")).toBeVisible();
    await expectEvent(page, "optin:ready (not_authorized)");
    await expectAccessible(page, `the ${product} widget, not authorized`);
    const history = await page.evaluate(() => window.history.length);

    // UPS's sign-in opens in a window of its own, which reports back and closes.
    const popupOpened = page.waitForEvent("popup");
    await optIn(frame);
    const popup = await popupOpened;
    const popupClosed = popup.waitForEvent("close");
    await consentOnSandbox(popup, consentName);
    await popupClosed;

    await expectEvent(page, "optin:authorized (authorized)");
    await expect(frame.getByRole("status").first()).toContainText("is authorized");
    await expect(frame.getByTestId("authorization-status")).toContainText("Authorized by Pat Portal (portal user pat.portal)");
    // The snippet sizes the iframe to the widget's content.
    await expect(page.locator("iframe")).toHaveAttribute("style", /height: \d+px/);
    if (product === "data-management") {
      await expect(frame.getByTestId("token-grid").getByRole("row")).toHaveCount(2);
      await expect(frame.getByTestId("token-grid")).toContainText("Active");
    }
    if (product === "reverse-logistics") {
      await page.screenshot({ path: "../docs/screenshots/embedded-widget.png", fullPage: true });
    }
    await expectAccessible(page, `the ${product} widget, authorized`);

    await optOut(frame);
    await expectEvent(page, `${revokedEvent} (not_authorized)`);
    await expect(frame.getByTestId("authorization-status")).toContainText("is not authorized");
    if (product === "data-management") {
      await expect(frame.getByTestId("token-grid")).toContainText("Cleared");
    }
    // Nothing the host received carries a token.
    await expect(page.getByTestId("events")).not.toContainText(/access|refresh|token/i);
    // The widget changed in place: the portal's Back button has nothing of it to step through,
    // and the host heard each change once.
    expect(await page.evaluate(() => window.history.length)).toBe(history);
    await expect(page.getByTestId("events").getByRole("listitem").filter({ hasText: /optin:ready/ })).toHaveCount(1);
  });
}

test("a page on an origin that is not configured cannot frame the widget, nor anyone the admin pages", async ({ page }) => {
  const url = await widgetUrl(page, "reverse-logistics", "Portal Returns Co");
  const widgetResponse = page.waitForResponse((response) => response.url() === url);
  // The test's own host is allowed for Data Management only (serve.sh), not Reverse Logistics.
  await page.goto(
    host.serve("/stranger", `<!DOCTYPE html><title>Stranger</title>
      <iframe title="widget" src="${url}"></iframe><iframe title="admin" src="${service}/reverse-logistics"></iframe>`),
  );
  // The browser named the framing page, which is not a portal of the product: framed by nobody,
  // and the portals' origins are not listed to it.
  expect((await widgetResponse).headers()["content-security-policy"]).toBe("frame-ancestors 'none'");
  // Chromium replaces a frame refused by its policy with an error page.
  await expect.poll(() => page.frames().filter((frame) => frame.url().startsWith("chrome-error://")).length).toBe(2);
  await expect(page.frameLocator('iframe[title="widget"]').getByText("UPS OAuth")).toHaveCount(0);
  await expect(page.frameLocator('iframe[title="admin"]').getByText("Sign in")).toHaveCount(0);
});

test("a reused or expired embed session is refused, and the host is told", async ({ page }) => {
  const hostPage = (url: string) => `<!DOCTYPE html><title>Host</title>
    <div id="ups-optin"></div><ol data-testid="events"></ol>
    <script src="${service}/embed/v1/optin.js"></script>
    <script>UpsOptIn.mount("#ups-optin", { url: ${JSON.stringify(url)}, onEvent: (event) => {
      const item = document.createElement("li");
      item.textContent = event.type + (event.code ? " " + event.code : "");
      document.querySelector("[data-testid=events]").appendChild(item);
    } });</script>`;

  // The Data Management portal's session, opened by a page on another allowed origin: the widget
  // works, but its events go to the portal's origin only, so this host hears nothing.
  const url = await widgetUrl(page, "data-management", "Embed Expiry Co");
  await page.goto(host.serve("/first-use", hostPage(url)));
  await expect(widget(page).getByTestId("authorization-status")).toContainText("is not authorized");
  await page.waitForTimeout(500);
  await expect(page.getByTestId("events").getByRole("listitem")).toHaveCount(0);

  // The same session again: refused in the frame, and every allowed host is told why.
  await page.goto(host.serve("/second-use", hostPage(url)));
  await expect(widget(page).getByRole("alert")).toHaveText(/expired or was already used/);
  await expect(widget(page).getByRole("button", { name: "Authorize" })).toHaveCount(0);
  await expectEvent(page, "optin:error session_invalid");

  // A session not used within its lifetime (5 s in these tests) is refused too.
  const late = await widgetUrl(page, "data-management", "Embed Expiry Co");
  await page.waitForTimeout(6_000);
  await page.goto(host.serve("/late", hostPage(late)));
  await expect(widget(page).getByRole("alert")).toHaveText(/expired or was already used/);
  await expectEvent(page, "optin:error session_invalid");
});

test("with pop-ups blocked, the widget says so and completes the opt-in in the whole window instead", async ({ page }) => {
  // Every frame's window.open fails, as a pop-up blocker makes it.
  await page.addInitScript(() => {
    window.open = () => null;
  });
  const companyNumber = company("Portal Returns Co");
  await page.goto(`${portal["reverse-logistics"]}/?company=${companyNumber}`);
  const frame = widget(page);
  await expectEvent(page, "optin:ready");
  await frame.getByRole("button", { name: "Opt-In" }).click();
  await expect(frame.getByRole("alert")).toContainText("Your browser blocked the UPS.com sign-in window");
  await expectEvent(page, "optin:popup_blocked (not_authorized)");
  await frame.getByRole("button", { name: "Continue in this window" }).click();

  await consentOnSandbox(page, "Customer Solutions - Intelligent Reverse Logistics");
  await expect(page).toHaveURL(`${portal["reverse-logistics"]}/?company=${companyNumber}&optin_result=authorized`);
  await expect(page.getByRole("status")).toHaveText("Back from UPS.com: authorized");
  await expect(widget(page).getByTestId("authorization-status")).toContainText("Authorized by Pat Portal");

  await widget(page).getByRole("button", { name: "Authorized" }).click();
  await widget(page).getByRole("dialog", { name: "Opt-Out of UPS OAuth?" }).getByRole("button", { name: "Opt-Out" }).click();
  await expectEvent(page, "optin:opted_out");
});

test("a stranger's portal mounts the widget with the ES module, hears its events, and is told when the consent window is closed", async ({ page }) => {
  // The host's backend: a session for its company, with its own API key (serve.sh), for its origin.
  const key = readFileSync(`.e2e-data/${servicePort}/host-key`, "utf8").trim();
  const hostOrigin = new URL(host.serve("/", "")).origin;
  const session = await page.request.post(`${service}/api/v1/embed/sessions`, {
    headers: { authorization: `Bearer ${key}` },
    data: { company: company("SDK Host Co"), user: { id: "h-1", name: "Hana Host" }, origin: hostOrigin },
  });
  expect(session.status()).toBe(201);
  const { widget_url } = await session.json();
  await page.goto(
    host.serve("/module", `<!DOCTYPE html><title>Host</title>
      <div id="ups-optin"></div><ol data-testid="events"></ol>
      <script type="module">
        import { mount } from "${service}/embed/v1/optin.mjs";
        mount("#ups-optin", { url: ${JSON.stringify(widget_url)}, onEvent: (event) => {
          const item = document.createElement("li");
          item.textContent = event.type + " (" + event.status + ")";
          document.querySelector("[data-testid=events]").appendChild(item);
        } });
      </script>`),
  );
  const frame = widget(page);
  await expectEvent(page, "optin:ready (not_authorized)");
  await expect(frame.getByTestId("embed-company")).toHaveText("SDK Host Co");

  // The person closes UPS's window without consenting: the host hears it, and the widget offers
  // the Opt-In again.
  const popupOpened = page.waitForEvent("popup");
  await frame.getByRole("button", { name: "Authorize" }).click();
  const popup = await popupOpened;
  await popup.close();
  await expectEvent(page, "optin:window_closed (not_authorized)");
  await expect(frame.getByRole("button", { name: "Authorize" })).toBeVisible();
  await expect(page.getByTestId("events").getByRole("listitem").filter({ hasText: /optin:authorized/ })).toHaveCount(0);
});

test("with JavaScript off a bare iframe's widget opts in through the whole window, and clears in the frame", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const bare = async (path: string) => {
    const url = await widgetUrl(page, "data-management", "No Script Portal Co");
    await page.goto(host.serve(path, `<!DOCTYPE html><title>Bare</title><iframe title="UPS OAuth authorization" src="${url}"></iframe>`));
    return widget(page);
  };
  const frame = await bare("/bare-first");
  await expect(frame.getByTestId("authorization-status")).toContainText("is not authorized");
  await frame.getByRole("button", { name: "Authorize" }).click();

  // Before any script, the click takes the whole window to UPS.com and back to the portal.
  await consentOnSandbox(page, "Customer Solutions - Intelligent Data Management");
  await expect(page).toHaveURL(new RegExp(`^${portal["data-management"]}/.*optin_result=authorized`));
  const again = await bare("/bare-again");
  await expect(again.getByTestId("authorization-status")).toContainText("Authorized by Pat Portal");
  await expect(again.getByTestId("token-grid")).toContainText("Active");

  // Clear too: the confirmation's form posts the widget's key back to its page in the frame.
  await again.getByRole("button", { name: "Clear" }).click();
  await again.getByRole("dialog", { name: "Clear the authorization?" }).getByRole("button", { name: "Clear" }).click();
  await expect(again.getByRole("status")).toContainText("authorization was cleared");
  await expect(again.getByTestId("authorization-status")).toContainText("is not authorized");
  await expect(again.getByTestId("token-grid")).toContainText("Cleared");
  await expect(again.getByRole("button", { name: "Authorize" })).toBeVisible();
  await context.close();
});
