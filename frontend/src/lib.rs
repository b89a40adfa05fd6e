//! The browser entry point, and nothing else: a crate of its own keeps the wasm bundle to what
//! hydration needs.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
