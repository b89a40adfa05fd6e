// Second factors in the browser, for the sign-in's second step and the "Sign-in security" page:
// passkeys (WebAuthn, with the browser's own JSON forms of the ceremony), adding an authenticator
// app (its key shown to type or open), and recovery codes (shown once). Everything it asks goes
// to the service's server functions on this origin; the pages work without it for codes.
(() => {
  "use strict";

  // The service's error names a refusal may carry; the page words each in its reader's language
  // on the error box (`data-message-wrong-code`, …), with `Failed` and `Cancelled` for the rest.
  const NAMED = ["WrongCode", "PasskeyRefused", "SignInStepOver", "Unauthenticated", "TooManyAttempts", "Busy"];

  const errorBox = () => document.querySelector("[data-factor-error]");

  /** The page's words for `name` (one of NAMED, `Failed` or `Cancelled`). */
  function words(name) {
    return errorBox()?.dataset[`message${name}`] ?? "";
  }

  function showError(message) {
    const box = errorBox();
    if (!box) return;
    box.textContent = message;
    box.hidden = false;
  }

  function clearError() {
    const box = errorBox();
    if (box) box.hidden = true;
  }

  function messageOf(body) {
    if (typeof body === "string") return NAMED.includes(body) ? words(body) : words("Failed");
    if (body && typeof body === "object") {
      const [name, detail] = Object.entries(body)[0] ?? [];
      if (typeof detail === "string" && (name === "Invalid" || name === "NotFound")) return detail;
    }
    return words("Failed");
  }

  /** Calls a server function with form fields; its JSON answer, or an Error with its message. */
  async function call(name, fields = {}) {
    const response = await fetch(`/api/${name}`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
      body: new URLSearchParams(fields),
      credentials: "same-origin",
    });
    const body = await response.json().catch(() => null);
    if (!response.ok) throw new Error(messageOf(body));
    return body;
  }

  /** Runs `work` for a button or form, showing its failure; the control is busy meanwhile. */
  async function busy(control, work) {
    clearError();
    control.setAttribute("aria-busy", "true");
    if ("disabled" in control) control.disabled = true;
    try {
      await work();
    } catch (error) {
      // A cancelled or timed-out passkey prompt is the person's choice, not a failure of ours.
      const cancelled = error && error.name === "NotAllowedError";
      showError(cancelled ? words("Cancelled") : error.message);
    } finally {
      control.removeAttribute("aria-busy");
      if ("disabled" in control) control.disabled = false;
    }
  }

  /** After a factor is added: its recovery codes (once), then on to where the sign-in was going. */
  function added(result) {
    const next = result.next ?? "/second-factors";
    if (!result.recovery_codes.length) {
      location.assign(next);
      return;
    }
    showRecoveryCodes(result.recovery_codes, next);
  }

  function showRecoveryCodes(codes, next) {
    const section = document.querySelector("[data-recovery]");
    const list = section.querySelector("[data-recovery-codes]");
    list.replaceChildren(...codes.map((code) => Object.assign(document.createElement("li"), { textContent: code })));
    section.querySelector("[data-recovery-continue]").href = next;
    document.querySelector("[data-totp-setup]")?.setAttribute("hidden", "");
    section.hidden = false;
    section.querySelector("h2").focus?.();
    section.scrollIntoView({ block: "start" });
  }

  document.querySelector("[data-passkey-sign-in]")?.addEventListener("click", (event) => {
    busy(event.currentTarget, async () => {
      const options = JSON.parse(await call("begin_passkey_sign_in"));
      const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(options.publicKey);
      const credential = await navigator.credentials.get({ publicKey });
      const next = await call("finish_passkey_sign_in", { credential: JSON.stringify(credential.toJSON()) });
      location.assign(next);
    });
  });

  document.querySelector("[data-passkey-register]")?.addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    busy(form.querySelector("button"), async () => {
      const options = JSON.parse(await call("begin_passkey_registration"));
      const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(options.publicKey);
      const credential = await navigator.credentials.create({ publicKey });
      const label = new FormData(form).get("label") ?? "";
      added(await call("finish_passkey_registration", { label, credential: JSON.stringify(credential.toJSON()) }));
    });
  });

  document.querySelector("[data-totp-begin]")?.addEventListener("click", (event) => {
    busy(event.currentTarget, async () => {
      const enrolment = await call("begin_totp_enrolment");
      const setup = document.querySelector("[data-totp-setup]");
      setup.querySelector("[data-totp-key]").textContent = enrolment.key;
      setup.querySelector("[data-totp-link]").href = enrolment.link;
      setup.hidden = false;
      setup.querySelector("input[name=code]").focus();
    });
  });

  document.querySelector("[data-totp-confirm]")?.addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    busy(form.querySelector("button"), async () => {
      added(await call("confirm_totp_enrolment", { code: new FormData(form).get("code") }));
    });
  });

  document.querySelector("[data-recovery-new]")?.addEventListener("click", (event) => {
    busy(event.currentTarget, async () => {
      showRecoveryCodes(await call("new_recovery_codes"), "/second-factors");
    });
  });
})();
