//! The shared model: what the server and the browser both know. Identifiers that mean something,
//! the three products with everything that differs between them as data, the statuses an
//! authorization and a token can have, and the records server functions answer with.
//!
//! Nothing here talks to a database, UPS or the network; it compiles to wasm.

pub mod answer;
pub mod dto;
pub mod factor;
pub mod grant;
pub mod ids;
pub mod locale;
pub mod product;
pub mod role;
pub mod status;
pub mod time;
pub mod widget;

pub use answer::{AnswerClass, CheckOutcome};
pub use dto::{
    ActivityEntry, ApplicationHealth, AuthorizationView, CompanyStatus, CompanySummary, Identity, LinkOpened,
    PendingConsentLink, ProductOverview, SessionHandle, SignInOptions, SignInProvider, SignInSession, TokenPage,
    TokenRow, WidgetKey,
};
pub use factor::{FactorAdded, FactorKind, SecondFactor, SecondFactors, SignInStep, StepPurpose, TotpEnrolment};
pub use grant::{GrantLoss, LostGrant};
pub use ids::{CompanyId, ConsentLinkId, InvalidCompanyId, UserId};
pub use locale::Locale;
pub use product::{Explanation, Product, Revocation, Revoke, UnknownProduct, Wording};
pub use role::{Role, UnknownRole};
pub use status::{AuditAction, AuthorizationState, AuthorizationStatus, EmbedMode, Notice, StatusKind, TokenStatus};
pub use widget::{WidgetField, WidgetIntent};
