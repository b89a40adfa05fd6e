/**
 * Types for the UPS OAuth Opt-In host SDK: `/embed/v1/optin.mjs` (an ES module) and
 * `/embed/v1/optin.js` (a classic script that defines `window.UpsOptIn`). Both are served by the
 * Opt-In service beside this file. A portal built with a bundler keeps the module and this file
 * side by side in its source, as `optin.js` and `optin.d.ts`, and imports `./optin`.
 *
 * The event names below are the service's own list: its tests fail if they drift apart.
 */

/** The product whose widget this is. */
export type Product = "reverse-logistics" | "pickup-manager" | "data-management";

/** The company's status for the product, as the widget showed it when the event was sent. */
export type Status = "not_authorized" | "authorized" | "reauthorization_required";

interface WidgetEvent<Type extends string> {
  source: "ups-optin";
  type: Type;
  product: Product;
  /** The company's number, as your backend named it when it created the embed session. */
  company: string;
  status: Status;
}

/** The widget is shown. */
export type ReadyEvent = WidgetEvent<"optin:ready">;
/** The company is now authorized. */
export type AuthorizedEvent = WidgetEvent<"optin:authorized">;
/** An admin opted out (Reverse Logistics, Pickup Manager). */
export type OptedOutEvent = WidgetEvent<"optin:opted_out">;
/** An admin cleared the authorization (Data Management). */
export type ClearedEvent = WidgetEvent<"optin:cleared">;
/** UPS no longer accepts the grant: an admin must opt in again. */
export interface ReauthorizationRequiredEvent extends WidgetEvent<"optin:reauthorization_required"> {
  reason: string;
}
/** The browser blocked the consent window; the widget offers to continue in the whole window. */
export type PopupBlockedEvent = WidgetEvent<"optin:popup_blocked">;
/** The consent window closed without an outcome: the person closed it. */
export type WindowClosedEvent = WidgetEvent<"optin:window_closed">;
/**
 * Something went wrong: consent denied, UPS unavailable, the session expired or reused, the
 * service unreachable. A refused session's event has no product, company or status.
 */
export interface ErrorEvent extends Partial<Omit<WidgetEvent<"optin:error">, "source" | "type">> {
  source: "ups-optin";
  type: "optin:error";
  /** `consent-denied`, `state-expired`, `provider-unavailable`, `session_invalid`, `not_allowed`, `network`, `failed`, … */
  code: string;
  message: string;
}

/** Every event `onEvent` receives (never a token). */
export type OptInEvent =
  | ReadyEvent
  | AuthorizedEvent
  | OptedOutEvent
  | ClearedEvent
  | ReauthorizationRequiredEvent
  | ErrorEvent
  | PopupBlockedEvent
  | WindowClosedEvent;

export type OptInEventType = OptInEvent["type"];

export interface MountOptions {
  /** `widget_url` from `POST /api/v1/embed/sessions` (your backend, with its API key). */
  url: string;
  /** Called with each event; each is also dispatched on the container as `ups-optin`. */
  onEvent?: (event: OptInEvent) => void;
  /** The iframe's accessible title (default "UPS OAuth authorization"). */
  title?: string;
  /** The iframe's height before the widget reports its own, in pixels (default 480). */
  minHeight?: number;
}

export interface MountedWidget {
  iframe: HTMLIFrameElement;
  /** Removes the iframe and stops listening. */
  destroy(): void;
}

/** Mounts the widget into `target` (an element, or a selector for one). */
export declare function mount(target: string | Element, options: MountOptions): MountedWidget;

declare const UpsOptIn: { mount: typeof mount };
export default UpsOptIn;

declare global {
  interface Window {
    UpsOptIn: { mount: typeof mount };
  }
  interface HTMLElementEventMap {
    "ups-optin": CustomEvent<OptInEvent>;
  }
}
