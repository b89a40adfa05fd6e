/*
 * UPS OAuth Opt-In widget snippet.
 *
 *   <div id="ups-optin"></div>
 *   <script src="https://OPTIN-HOST/embed/v1/optin.js"></script>
 *   <script>
 *     UpsOptIn.mount("#ups-optin", {
 *       url: widgetUrl,                 // `widget_url` from POST /api/v1/embed/sessions (your backend)
 *       onEvent: function (event) {},   // { type: "optin:authorized", product, company, status, ... }
 *     });
 *   </script>
 *
 * The snippet creates the iframe, keeps it as tall as its content, and hands you the widget's
 * events. It accepts messages only from the widget's own origin and its own iframe. Each event is
 * also dispatched on the container as a DOM CustomEvent named "ups-optin" (event.detail).
 *
 * The same snippet is an ES module at /embed/v1/optin.mjs (`import { mount } from …`), typed by
 * /embed/v1/optin.d.ts, which lists every event and its fields.
 */
(function () {
  "use strict";

  function mount(target, options) {
    var container = typeof target === "string" ? document.querySelector(target) : target;
    if (!container) throw new Error("UpsOptIn.mount: no element matches " + target);
    if (!options || !options.url) throw new Error("UpsOptIn.mount: options.url (the widget_url) is required");
    var origin = new URL(options.url, document.baseURI).origin;

    var frame = document.createElement("iframe");
    frame.src = options.url;
    frame.title = options.title || "UPS OAuth authorization";
    frame.style.width = "100%";
    frame.style.border = "0";
    frame.style.display = "block";
    frame.style.minHeight = (options.minHeight || 480) + "px";
    frame.setAttribute("referrerpolicy", "origin");

    function onMessage(event) {
      if (event.origin !== origin || event.source !== frame.contentWindow) return;
      var data = event.data;
      if (!data || data.source !== "ups-optin" || typeof data.type !== "string") return;
      if (data.type === "optin:resize") {
        var height = parseInt(data.height, 10);
        if (height > 0) frame.style.height = height + "px";
        return;
      }
      if (typeof options.onEvent === "function") options.onEvent(data);
      container.dispatchEvent(new CustomEvent("ups-optin", { detail: data }));
    }

    window.addEventListener("message", onMessage);
    container.appendChild(frame);
    return {
      iframe: frame,
      destroy: function () {
        window.removeEventListener("message", onMessage);
        frame.remove();
      },
    };
  }

  window.UpsOptIn = { mount: mount };
})();
