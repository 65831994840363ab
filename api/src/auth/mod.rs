//! Who may call what: JWT bearer tokens ([`Verifier`]) carrying the seed's
//! roles ([`Role`]), and the permission each route needs ([`Permission`]),
//! checked by a guard layered on every route ([`guard`]).

mod guard;
mod jwt;
mod role;

pub use guard::{Caller, guard};
pub use jwt::{AuthError, Claims, Verifier};
pub use role::{Permission, Role};
