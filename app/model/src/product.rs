//! The three Customer Solutions applications that admins opt in to, and their names as each
//! seed walk-through and UPS's consent page spell them.

use serde::{Deserialize, Serialize};
use strum::{Display, EnumString, IntoStaticStr};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, IntoStaticStr, EnumString, Display)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case", parse_err_ty = UnknownProduct, parse_err_fn = UnknownProduct::of)]
pub enum Product {
    ReverseLogistics,
    PickupManager,
    DataManagement,
}

impl Product {
    pub const ALL: [Product; 3] = [Self::ReverseLogistics, Self::PickupManager, Self::DataManagement];

    /// The stable identifier used in URLs, configuration and the database (also its `Display`):
    /// `reverse-logistics`.
    pub fn slug(self) -> &'static str {
        self.into()
    }

    pub fn parse(value: &str) -> Result<Self, UnknownProduct> {
        value.parse()
    }

    /// What ending an authorization is, for this product: Data Management clears, the others opt
    /// out.
    pub fn revocation(self) -> Revocation {
        self.wording().revocation
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

    /// The product's landing page in this application.
    pub fn page_path(self) -> &'static str {
        match self {
            Self::ReverseLogistics => "/reverse-logistics",
            Self::PickupManager => "/pickup-manager",
            Self::DataManagement => "/data-management",
        }
    }

    /// The page where admins opt in and out, and where UPS's callback brings them back.
    pub fn authorization_path(self) -> &'static str {
        match self {
            Self::ReverseLogistics => "/reverse-logistics",
            Self::PickupManager => "/pickup-manager/settings",
            Self::DataManagement => "/data-management/admin",
        }
    }

    /// The words each product's walk-through uses for the same steps.
    pub fn wording(self) -> &'static Wording {
        match self {
            Self::ReverseLogistics => &Wording {
                opt_in: "Opt-In",
                explain_first: None,
                revoke: Revoke::AuthorizedButton,
                revocation: Revocation::OptOut,
                revoke_label: "Opt-Out",
                confirm_title: "Opt-Out of UPS OAuth?",
                confirm_label: "Opt-Out",
                authorized: "is authorized. It can now use UPS APIs on your company's behalf.",
                revoked: "was opted out. Its UPS tokens were deleted.",
            },
            Self::PickupManager => &Wording {
                opt_in: "API",
                explain_first: Some(Explanation {
                    title: "UPS API",
                    body: "Intelligent Pickup Manager schedules and tracks pickups through UPS APIs. To allow it, continue with OAuth and sign in to UPS.com with the UPS.com ID that your company's shipper numbers are linked to.",
                    proceed: "OAuth",
                }),
                revoke: Revoke::RevealedByAuthorized,
                revocation: Revocation::OptOut,
                revoke_label: "Opt-Out",
                confirm_title: "Opt-Out of UPS API access?",
                confirm_label: "OK",
                authorized: "is authorized. It can now use UPS APIs on your company's behalf.",
                revoked: "was opted out. Its UPS tokens were deleted.",
            },
            Self::DataManagement => &Wording {
                opt_in: "Authorize",
                explain_first: None,
                revoke: Revoke::SeparateButton,
                revocation: Revocation::Clear,
                revoke_label: "Clear",
                confirm_title: "Clear the authorization?",
                confirm_label: "Clear",
                authorized: "is authorized: a token was generated.",
                revoked: "authorization was cleared. It can no longer retrieve data on your behalf.",
            },
        }
    }
}

/// How a product's walk-through names and sequences the opt-in and opt-out steps.
pub struct Wording {
    /// The button that starts the opt-in: "Opt-In", "API" or "Authorize".
    pub opt_in: &'static str,
    /// A dialog that explains the step before going to UPS.com (Pickup Manager's "UPS API").
    pub explain_first: Option<Explanation>,
    pub revoke: Revoke,
    /// What the revoke does, whatever its button says.
    pub revocation: Revocation,
    /// "Opt-Out" or "Clear".
    pub revoke_label: &'static str,
    pub confirm_title: &'static str,
    /// The confirming button: "Opt-Out", "OK" or "Clear".
    pub confirm_label: &'static str,
    /// Completes "{short name} …" after a successful opt-in.
    pub authorized: &'static str,
    /// Completes "{short name} …" after an opt-out or clear.
    pub revoked: &'static str,
}

pub struct Explanation {
    pub title: &'static str,
    pub body: &'static str,
    pub proceed: &'static str,
}

/// A product name that is not one of ours: what was given, for the message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("Product \"{0}\" was not found.")]
pub struct UnknownProduct(pub String);

impl UnknownProduct {
    fn of(value: &str) -> Self {
        Self(value.to_owned())
    }
}

/// What ending an authorization means: both delete the tokens; they differ in what the company's
/// history, the token API and the host page call it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Revocation {
    OptOut,
    Clear,
}

/// Where the revoke action is reached from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Revoke {
    /// Clicking Authorized opens the confirmation (Reverse Logistics).
    AuthorizedButton,
    /// Clicking Authorized shows an Opt-Out button, which opens the confirmation (Pickup Manager).
    RevealedByAuthorized,
    /// A Clear button beside the status (Data Management's Token Manager).
    SeparateButton,
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Only the three slugs name a product; any other text is refused, never guessed.
        #[test]
        fn only_exact_slugs_name_a_product(input in "\\PC{0,30}|[a-z-]{1,20}") {
            let known = Product::ALL.iter().any(|product| product.slug() == input);
            proptest::prop_assert_eq!(Product::parse(&input).is_ok(), known);
        }
    }

    #[test]
    fn slugs_round_trip_and_unknown_slugs_are_refused() {
        for product in Product::ALL {
            assert_eq!(Product::parse(product.slug()), Ok(product));
            assert_eq!(product.to_string(), product.slug());
        }
        let slugs = Product::ALL.map(Product::slug);
        assert_eq!(slugs, ["reverse-logistics", "pickup-manager", "data-management"]);
        assert!(Product::parse("reverse_logistics").is_err());
        assert_eq!(Product::parse("").unwrap_err().to_string(), "Product \"\" was not found.");
    }
}
