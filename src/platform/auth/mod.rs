//! Who is asking and what they may do: passwords, staff sessions, the role guard, CSRF and the
//! login throttle.

pub mod client_ip;
pub mod csrf;
pub mod guard;
pub mod password;
pub mod role;
pub mod scope;
pub mod session;
pub mod staff;
pub mod throttle;
pub mod token;

pub use guard::{Access, CurrentUser, Reply};
pub use role::Role;
pub use scope::BranchScope;
pub use staff::Staff;
