import { expect, FrameLocator, Page, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { createServer, Server } from "node:http";
import { consentOnSandbox, expectAccessible } from "./fixtures";

const servicePort = Number(process.env.E2E_PORT) /* set by playwright.config.ts */;
const service = `http://127.0.0.1:${servicePort}`;
/** The Reverse Logistics demo portal, which asks its widget for the language in `?locale=`. */
const portal = `http://127.0.0.1:${servicePort + 1}`;
/** A host page of the test's own, on the origin serve.sh allows to frame Data Management. */
const hostOrigin = `http://127.0.0.1:${servicePort + 4}`;
let hostPage = "";
let server: Server | undefined;

test.beforeAll(async () => {
  server = createServer((_, response) => response.writeHead(200, { "content-type": "text/html" }).end(hostPage));
  await new Promise<void>((resolve) => server!.listen(servicePort + 4, "127.0.0.1", resolve));
});
test.afterAll(() => new Promise((resolve) => server?.close(resolve)));

function company(name: string): number {
  return JSON.parse(readFileSync(`.e2e-data/${servicePort}/companies.json`, "utf8"))[name];
}

function widget(page: Page): FrameLocator {
  return page.frameLocator('iframe[title="UPS OAuth authorization"]');
}

/** A host page framing Data Management's widget for "Langues Co", in `locale`. */
async function mountIn(page: Page, locale: string) {
  const key = readFileSync(`.e2e-data/${servicePort}/languages-key`, "utf8").trim();
  const session = await page.request.post(`${service}/api/v1/embed/sessions`, {
    headers: { authorization: `Bearer ${key}` },
    data: { company: company("Langues Co"), user: { id: "l-1", name: "Lou Langues" }, origin: hostOrigin, locale },
  });
  expect(session.status()).toBe(201);
  const { widget_url, locale: spoken } = await session.json();
  hostPage = `<!DOCTYPE html><html lang="en"><title>Host</title><main><div id="ups-optin"></div></main>
    <script src="${service}/embed/v1/optin.js"></script>
    <script>UpsOptIn.mount("#ups-optin", { url: ${JSON.stringify(widget_url)} });</script></html>`;
  await page.goto(`${hostOrigin}/`);
  return spoken;
}

test("the widget speaks French (Canada) when its session asks, through an opt-in and a clear", async ({ page }) => {
  expect(await mountIn(page, "fr-CA")).toBe("fr-CA");
  const frame = widget(page);
  await expect(frame.locator("main")).toHaveAttribute("lang", "fr-CA");
  await expect(frame.getByTestId("authorization-status")).toHaveText("Intelligent Data Management n’est pas autorisé pour Langues Co.");
  await expect(frame.getByText("Connecté à votre portail en tant que Lou Langues.")).toBeVisible();
  await expect(frame.getByRole("heading", { name: "Processus d’adhésion OAuth : FAQ" })).toBeVisible();
  await frame.getByText("Qu’est-ce qu’OAuth 2.0?").click();
  await expect(frame.getByText("OAuth 2.0 est un protocole moderne")).toBeVisible();
  await expect(frame.getByText("What is OAuth 2.0?")).toHaveCount(0);
  await expectAccessible(page, "the widget in French, not authorized");

  const popupOpened = page.waitForEvent("popup");
  await frame.getByRole("button", { name: "Autoriser", exact: true }).click();
  const popup = await popupOpened;
  const popupClosed = popup.waitForEvent("close");
  await consentOnSandbox(popup, "Customer Solutions - Intelligent Data Management");
  await popupClosed;

  await expect(frame.getByRole("status").first()).toHaveText("Intelligent Data Management est autorisé : un jeton a été généré.");
  // The moment is in the reader's language and time zone once the page is live.
  const status = frame.getByTestId("authorization-status");
  await expect(status).toContainText("Autorisé par Lou Langues (portal user l-1) le ");
  await expect(status.locator("time")).toHaveText(/\d{4}/);
  await expect(status.locator("time")).not.toHaveText(/Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec/);
  await expect(frame.getByTestId("token-grid")).toContainText("Actif");
  await expectAccessible(page, "the widget in French, authorized");

  await frame.getByRole("button", { name: "Effacer", exact: true }).click();
  const dialog = frame.getByRole("dialog", { name: "Effacer l’autorisation?" });
  await expect(dialog.getByRole("button", { name: "Annuler" })).toBeFocused();
  await dialog.getByRole("button", { name: "Effacer" }).click();
  await expect(status).toHaveText("Intelligent Data Management n’est pas autorisé pour Langues Co.");
  await expect(frame.getByTestId("token-grid")).toContainText("Effacé");
});

test("the widget speaks Spanish (Latin America) when its session asks es-MX, and the portal's choice reaches it", async ({ page }) => {
  expect(await mountIn(page, "es-MX")).toBe("es");
  const frame = widget(page);
  await expect(frame.locator("main")).toHaveAttribute("lang", "es");
  await expect(frame.getByTestId("authorization-status")).toHaveText("Intelligent Data Management no está autorizado para Langues Co.");
  await expect(frame.getByText("Sesión iniciada en su portal como Lou Langues.")).toBeVisible();
  await expect(frame.getByRole("heading", { name: "Proceso de adhesión OAuth: preguntas frecuentes" })).toBeVisible();
  await expect(frame.getByText("Advertencia:")).toBeVisible();
  await expect(frame.getByRole("button", { name: "Autorizar", exact: true })).toBeVisible();
  await expectAccessible(page, "the widget in Spanish");

  // The demo portal passes its page's choice to the session it asks for.
  await page.goto(`${portal}/?company=${company("Langues Co")}&locale=es`);
  await expect(widget(page).getByRole("button", { name: "Adherirse", exact: true })).toBeVisible();
  await expect(widget(page).locator("main")).toHaveAttribute("lang", "es");
});

test("admin pages follow the browser's language", async ({ browser }) => {
  for (const [locale, notFound] of [["fr-CA", "Page introuvable"], ["es-419", "Página no encontrada"], ["en-US", "Page not found"]]) {
    const context = await browser.newContext({ locale });
    const page = await context.newPage();
    await page.goto(`${service}/no-such-page`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(notFound);
    await page.goto(`${service}/sign-in`);
    await expect(page.locator("html")).toHaveAttribute("lang", locale.startsWith("es") ? "es" : locale === "fr-CA" ? "fr-CA" : "en");
    await expectAccessible(page, `the sign-in page in ${locale}`);
    await context.close();
  }
});
