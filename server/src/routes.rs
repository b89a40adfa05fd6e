//! The routes the service declares itself, each method and path written once: the router is built
//! from the declarations, and the same declarations (with the pages' and the server functions'
//! routes) are what [`Route`] lists. Tests that must reach every route read the list rather than
//! keep one of their own, so a new route cannot be left out of them: the test that tries every
//! change as a viewer, for one.

use axum::{
    handler::Handler,
    http::Method,
    routing::{on, MethodFilter},
    Router,
};
use std::convert::Infallible;
use tower::Service;

/// A route the service answers: its method and its path pattern (`{product}` for a parameter,
/// `{*file}` for the rest of the path).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Route {
    pub method: Method,
    pub path: String,
}

impl Route {
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Self { method, path: path.into() }
    }
}

/// A router being declared, with the list of what has been declared on it.
pub struct Declared<S> {
    router: Router<S>,
    routes: Vec<Route>,
}

impl<S: Clone + Send + Sync + 'static> Default for Declared<S> {
    fn default() -> Self {
        Self { router: Router::new(), routes: Vec::new() }
    }
}

impl<S: Clone + Send + Sync + 'static> Declared<S> {
    /// `GET path` (and `HEAD`, as axum answers it).
    pub fn get<H: Handler<T, S>, T: 'static>(self, path: &str, handler: H) -> Self {
        self.on(Method::GET, MethodFilter::GET, path, handler)
    }

    /// `POST path`.
    pub fn post<H: Handler<T, S>, T: 'static>(self, path: &str, handler: H) -> Self {
        self.on(Method::POST, MethodFilter::POST, path, handler)
    }

    /// `DELETE path`.
    pub fn delete<H: Handler<T, S>, T: 'static>(self, path: &str, handler: H) -> Self {
        self.on(Method::DELETE, MethodFilter::DELETE, path, handler)
    }

    fn on<H: Handler<T, S>, T: 'static>(
        mut self,
        method: Method,
        filter: MethodFilter,
        path: &str,
        handler: H,
    ) -> Self {
        self.routes.push(Route::new(method, path));
        // A second method on a path already declared joins the first.
        self.router = self.router.route(path, on(filter, handler));
        self
    }

    /// Files under `prefix` (`GET` and `HEAD` only), served by `service`.
    pub fn files<F>(mut self, prefix: &str, service: F) -> Self
    where
        F: Service<axum::extract::Request, Error = Infallible> + Clone + Send + Sync + 'static,
        F::Response: axum::response::IntoResponse,
        F::Future: Send + 'static,
    {
        self.routes.push(Route::new(Method::GET, format!("{prefix}/{{*file}}")));
        self.router = self.router.nest_service(prefix, service);
        self
    }

    /// Applies `change` to the router as declared so far (a layer, say); no route is added.
    pub fn map(mut self, change: impl FnOnce(Router<S>) -> Router<S>) -> Self {
        self.router = change(self.router);
        self
    }

    /// Both declarations as one.
    pub fn merge(mut self, other: Declared<S>) -> Self {
        self.router = self.router.merge(other.router);
        self.routes.extend(other.routes);
        self
    }

    /// The router with its state supplied, for any outer state.
    pub fn with_state<S2: Clone + Send + Sync + 'static>(self, state: S) -> Declared<S2> {
        Declared { router: self.router.with_state(state), routes: self.routes }
    }

    pub fn into_parts(self) -> (Router<S>, Vec<Route>) {
        (self.router, self.routes)
    }
}

/// The pages' routes as Leptos lists them, and every server function's (which `leptos_routes`
/// adds beside the pages).
pub fn leptos(pages: &[leptos_axum::AxumRouteListing]) -> Vec<Route> {
    let page_routes = pages.iter().flat_map(|page| {
        page.methods().map(|method| {
            let method = match method {
                leptos_router::Method::Get => Method::GET,
                leptos_router::Method::Post => Method::POST,
                leptos_router::Method::Put => Method::PUT,
                leptos_router::Method::Delete => Method::DELETE,
                leptos_router::Method::Patch => Method::PATCH,
            };
            Route::new(method, page.path())
        })
    });
    let server_functions = leptos::server_fn::axum::server_fn_paths().map(|(path, method)| Route::new(method, path));
    page_routes.chain(server_functions).collect()
}
