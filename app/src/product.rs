//! The three Customer Solutions applications that admins opt in to, and their names as each
//! seed walk-through and UPS's consent page spell them.

use crate::error::AppError;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Product {
    ReverseLogistics,
    PickupManager,
    DataManagement,
}

impl Product {
    pub const ALL: [Product; 3] = [Self::ReverseLogistics, Self::PickupManager, Self::DataManagement];

    /// The stable identifier used in URLs, configuration and the database.
    pub fn slug(self) -> &'static str {
        match self {
            Self::ReverseLogistics => "reverse-logistics",
            Self::PickupManager => "pickup-manager",
            Self::DataManagement => "data-management",
        }
    }

    pub fn parse(value: &str) -> Result<Self, AppError> {
        Self::ALL
            .into_iter()
            .find(|product| product.slug() == value)
            .ok_or_else(|| AppError::NotFound(format!("Product \"{value}\"")))
    }

    /// The application's full name, as its pages show it.
    pub fn name(self) -> &'static str {
        match self {
            Self::ReverseLogistics => "UPS® Intelligent Reverse Logistics",
            Self::PickupManager => "UPS® Intelligent Pickup Manager",
            Self::DataManagement => "UPS® Intelligent Data Management",
        }
    }

    /// The name without the brand, for running text.
    pub fn short_name(self) -> &'static str {
        match self {
            Self::ReverseLogistics => "Intelligent Reverse Logistics",
            Self::PickupManager => "Intelligent Pickup Manager",
            Self::DataManagement => "Intelligent Data Management",
        }
    }

    /// The name UPS shows on its consent page.
    pub fn consent_name(self) -> String {
        format!("Customer Solutions - {}", self.short_name())
    }

    /// The product's own page in this application.
    pub fn page_path(self) -> &'static str {
        match self {
            Self::ReverseLogistics => "/reverse-logistics",
            Self::PickupManager => "/pickup-manager",
            Self::DataManagement => "/data-management",
        }
    }
}

impl fmt::Display for Product {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_round_trip_and_unknown_slugs_are_refused() {
        for product in Product::ALL {
            assert_eq!(Product::parse(product.slug()), Ok(product));
        }
        assert!(matches!(Product::parse("reverse_logistics"), Err(AppError::NotFound(_))));
        assert!(matches!(Product::parse(""), Err(AppError::NotFound(_))));
    }
}
