//! A company's activity: its audit log, newest first, as its admins see it on each product's
//! authorization page.

pub mod api;
pub mod view;
