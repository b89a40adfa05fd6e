// A portal's page typed against the host SDK (`/embed/v1/optin.d.ts`, fetched by sdk.spec.ts
// into the folder it checks this file in). It must type-check as it is, and fail with a wrong
// event name.
import { mount, type MountedWidget, type OptInEvent } from "./optin";

export function showOptIn(container: HTMLElement, widgetUrl: string, log: (line: string) => void): MountedWidget {
  container.addEventListener("ups-optin", (event) => log(`dispatched ${event.detail.type}`));
  return mount(container, {
    url: widgetUrl,
    minHeight: 420,
    onEvent: (event: OptInEvent) => {
      switch (event.type) {
        case "optin:authorized":
          log(`company ${event.company} authorized ${event.product}`);
          break;
        case "optin:reauthorization_required":
          log(`ask an admin to opt in again: ${event.reason}`);
          break;
        case "optin:error":
          log(`${event.code}: ${event.message}`);
          break;
        case "optin:popup_blocked":
        case "optin:window_closed":
          log(`consent not finished (${event.status})`);
          break;
        default:
          log(event.type);
      }
    },
  });
}
