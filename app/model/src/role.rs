//! What a person may do with a company: an admin manages its authorizations, a viewer only looks.

use serde::{Deserialize, Serialize};
use strum::{Display, EnumString, IntoStaticStr, VariantArray};

/// A member's role in a company (a user's membership here, or what a product's portal says of its
/// user when it opens the widget).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, IntoStaticStr, EnumString, Display, VariantArray,
)]
#[strum(serialize_all = "snake_case", parse_err_ty = UnknownRole, parse_err_fn = UnknownRole::of)]
pub enum Role {
    /// Opts in and out, clears, checks with UPS, and sees everything a viewer sees.
    Admin,
    /// Sees the status, the token grid and Activity; every change is refused.
    Viewer,
}

impl Role {
    /// The role with this [`slug`](Self::slug).
    pub fn parse(slug: &str) -> Result<Self, UnknownRole> {
        slug.parse()
    }

    /// The name the database, the command line and the embed-session API use (also its
    /// `Display`): `admin`.
    pub fn slug(self) -> &'static str {
        self.into()
    }

    /// Whether this role may change the company's authorizations.
    pub fn manages(self) -> bool {
        self == Self::Admin
    }
}

/// A role name that is neither `admin` nor `viewer`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not a role: use admin or viewer")]
pub struct UnknownRole(pub String);

impl UnknownRole {
    fn of(slug: &str) -> Self {
        Self(slug.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_read_back_from_their_slugs() {
        for &role in Role::VARIANTS {
            assert_eq!(Role::parse(role.slug()), Ok(role));
            assert_eq!(role.to_string(), role.slug());
        }
        assert_eq!((Role::Admin.slug(), Role::Viewer.slug()), ("admin", "viewer"));
        assert_eq!(Role::parse("Admin"), Err(UnknownRole("Admin".into())));
        assert_eq!(Role::parse("owner"), Err(UnknownRole("owner".into())));
        assert!(Role::Admin.manages() && !Role::Viewer.manages());
    }
}
