//! What a person may do with a company: an admin manages its authorizations, a viewer only looks.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A member's role in a company (a user's membership here, or what a product's portal says of its
/// user when it opens the widget).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    /// Opts in and out, clears, checks with UPS, and sees everything a viewer sees.
    Admin,
    /// Sees the status, the token grid and Activity; every change is refused.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 2] = [Self::Admin, Self::Viewer];

    /// The role with this [`slug`](Self::slug).
    pub fn parse(slug: &str) -> Result<Self, UnknownRole> {
        Self::ALL.into_iter().find(|role| role.slug() == slug).ok_or_else(|| UnknownRole(slug.to_owned()))
    }

    /// The name the database, the command line and the embed-session API use.
    pub fn slug(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Viewer => "viewer",
        }
    }

    /// Whether this role may change the company's authorizations.
    pub fn manages(self) -> bool {
        self == Self::Admin
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

/// A role name that is neither `admin` nor `viewer`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not a role: use admin or viewer")]
pub struct UnknownRole(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_read_back_from_their_slugs() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.slug()), Ok(role));
        }
        assert_eq!(Role::parse("owner"), Err(UnknownRole("owner".into())));
        assert!(Role::Admin.manages() && !Role::Viewer.manages());
    }
}
