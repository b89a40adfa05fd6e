//! The product pages. Each product keeps its own navigation and wording from its seed
//! walk-through; what they share lives in [`frame`], and the cards they show in the features
//! (`authorization`, `tokens`, `activity`) and `ui`.

pub mod data_management;
pub mod frame;
pub mod home;
pub mod pickup_manager;
pub mod reverse_logistics;
