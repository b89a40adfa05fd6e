//! The browser entry point, and nothing else: a crate of its own keeps the wasm bundle to what
//! hydration needs. Only the islands (`#[island]`) come alive in the browser; everything else is
//! the server's HTML, which works without any script.

// The islands are `app`'s; naming the crate links it, and with it each island's entry point.
extern crate app;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
