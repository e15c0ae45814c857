use std::fmt;

/// The kinds of staff. Stored as TEXT with a CHECK constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Role {
    Manager,
    SalesAgent,
    CreditOfficer,
    Kitchen,
    Waiter,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Manager,
        Role::SalesAgent,
        Role::CreditOfficer,
        Role::Kitchen,
        Role::Waiter,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Manager => "manager",
            Role::SalesAgent => "sales_agent",
            Role::CreditOfficer => "credit_officer",
            Role::Kitchen => "kitchen",
            Role::Waiter => "waiter",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Manager => "Manager",
            Role::SalesAgent => "Sales agent",
            Role::CreditOfficer => "Credit officer",
            Role::Kitchen => "Kitchen",
            Role::Waiter => "Waiter",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Where a role lands after signing in: their work page.
    pub fn home(self) -> &'static str {
        match self {
            Role::Manager => "/dashboard",
            Role::SalesAgent => "/pos",
            Role::CreditOfficer => "/installments",
            Role::Kitchen => "/kitchen",
            Role::Waiter => "/floor",
        }
    }

    /// Whether the role works at one branch (and so must be assigned to one).
    pub fn needs_branch(self) -> bool {
        self != Role::Manager
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("admin"), None);
        assert_eq!(Role::parse("Manager"), None);
    }
}
