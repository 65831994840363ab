//! The seed's roles and what each may do.

use serde::{Deserialize, Serialize};

/// A caller's role (the seed's security architecture).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Full access.
    Admin,
    /// Runs the plant: reads everything, acknowledges alerts.
    Operator,
    /// Analyses the plant: reads everything, runs SQL, builds reports.
    Engineer,
    /// Reads; never changes anything.
    Viewer,
    /// Programmatic access: reads and runs SQL.
    ApiClient,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Operator,
        Role::Engineer,
        Role::Viewer,
        Role::ApiClient,
    ];

    /// The role's name in tokens (`api_client`).
    pub fn name(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Operator => "operator",
            Role::Engineer => "engineer",
            Role::Viewer => "viewer",
            Role::ApiClient => "api_client",
        }
    }

    /// The role named `name`, if it is one of ours (tokens from a shared
    /// identity provider may carry roles of other applications).
    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.name() == name)
    }

    /// Whether the role grants `permission`.
    pub fn allows(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Admin => true,
            Role::Operator => matches!(permission, Read | Acknowledge),
            Role::Engineer => matches!(permission, Read | Query | Report),
            Role::Viewer => matches!(permission, Read),
            Role::ApiClient => matches!(permission, Read | Query),
        }
    }
}

/// What a route needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Read current results, alerts, reports and health.
    Read,
    /// Acknowledge an alert (changes what the on-call rota sees).
    Acknowledge,
    /// Run an SQL query over the live tables.
    Query,
    /// Generate a report.
    Report,
}

impl Permission {
    /// The permission's name in error messages.
    pub fn name(self) -> &'static str {
        match self {
            Permission::Read => "read",
            Permission::Acknowledge => "acknowledge",
            Permission::Query => "query",
            Permission::Report => "report",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_viewer_only_reads() {
        assert!(Role::Viewer.allows(Permission::Read));
        for permission in [
            Permission::Acknowledge,
            Permission::Query,
            Permission::Report,
        ] {
            assert!(!Role::Viewer.allows(permission), "{permission:?}");
        }
    }

    #[test]
    fn only_admins_and_operators_acknowledge() {
        let acknowledging: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|role| role.allows(Permission::Acknowledge))
            .collect();
        assert_eq!(acknowledging, [Role::Admin, Role::Operator]);
    }

    #[test]
    fn names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::from_name(role.name()), Some(role));
        }
        assert_eq!(Role::from_name("superuser"), None);
    }
}
