//! The token history of an authorization: the server function behind Data Management's Token
//! Manager ([`api`]) and the grid ([`view`]).

pub mod api;
pub mod view;
