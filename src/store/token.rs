//! The tokens of `tmm serve`: a name, a role and the hash of the secret. The store never sees
//! a token itself; the caller hashes it (the server and `tmm token` share one hash).

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::Store;
use crate::error::{Error, Result};

/// What a token lets its holder do; each role includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Look up, search, export, read statistics.
    Read,
    /// Also import and add, change or delete units.
    Write,
    /// Also delete origins.
    Admin,
}

impl Role {
    /// The role's name: `read`, `write` or `admin`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Read => "read",
            Role::Write => "write",
            Role::Admin => "admin",
        }
    }

    /// The role named `name`.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] (`role`) for another name.
    pub fn parse(name: &str) -> Result<Role> {
        match name {
            "read" => Ok(Role::Read),
            "write" => Ok(Role::Write),
            "admin" => Ok(Role::Admin),
            other => Err(Error::option(
                "role",
                format!("unknown role \"{other}\": read, write or admin"),
            )),
        }
    }
}

/// A stored token, without its secret.
#[derive(Debug, Clone, Serialize)]
pub struct TokenInfo {
    pub name: String,
    pub role: Role,
    pub created_at: String,
}

impl Store {
    /// Records a token `name` with `role`, of which only `hash` is kept.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] (`name`) for an empty name or one already taken;
    /// [`Error::Database`].
    pub fn add_token(&self, name: &str, role: Role, hash: &str) -> Result<()> {
        if name.trim().is_empty() || name.chars().any(char::is_control) {
            return Err(Error::option(
                "name",
                "a token's name must be non-empty printable text",
            ));
        }
        #[cfg(feature = "postgres")]
        if let Some(pg) = self.postgres() {
            return pg.add_token(name, role, hash);
        }
        self.write("add_token", |conn| {
            let in_use = conn
                .query_row(sql::TAKEN, [name], |_| Ok(()))
                .optional()?
                .is_some();
            if in_use {
                return Err(taken(name));
            }
            conn.execute(
                sql::ADD,
                params![name, role.as_str(), hash, crate::formats::tmx::now_date()],
            )?;
            Ok(())
        })
    }

    /// Every token, by name.
    ///
    /// # Errors
    /// [`Error::Database`].
    pub fn tokens(&self) -> Result<Vec<TokenInfo>> {
        #[cfg(feature = "postgres")]
        if let Some(pg) = self.postgres() {
            return pg.tokens();
        }
        self.read("tokens", |c| {
            let rows: Vec<(String, String, String)> = c
                .prepare(sql::LIST)?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<_>>()?;
            token_infos(rows)
        })
    }

    /// Removes the token `name`; false when there is none.
    ///
    /// # Errors
    /// [`Error::Database`].
    pub fn revoke_token(&self, name: &str) -> Result<bool> {
        #[cfg(feature = "postgres")]
        if let Some(pg) = self.postgres() {
            return pg.revoke_token(name);
        }
        self.write("revoke_token", |c| Ok(c.execute(sql::REVOKE, [name])? > 0))
    }

    /// The name and role of the token whose hash is `hash`, if one is stored.
    ///
    /// # Errors
    /// [`Error::Database`].
    pub fn token_by_hash(&self, hash: &str) -> Result<Option<(String, Role)>> {
        #[cfg(feature = "postgres")]
        let row = match self.postgres() {
            Some(pg) => pg.token_by_hash(hash)?,
            None => self.token_row(hash)?,
        };
        #[cfg(not(feature = "postgres"))]
        let row = self.token_row(hash)?;
        row.map(|(name, role)| Ok((name, Role::parse(&role)?)))
            .transpose()
    }
}

impl Store {
    fn token_row(&self, hash: &str) -> Result<Option<(String, String)>> {
        self.read("token_by_hash", |c| {
            Ok(
                c.query_row(sql::BY_HASH, [hash], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?,
            )
        })
    }
}

/// The error for a token name in use.
pub(crate) fn taken(name: &str) -> Error {
    Error::option(
        "name",
        format!("a token named \"{name}\" exists; revoke it first"),
    )
}

/// `(name, role, created_at)` rows as [`TokenInfo`]s.
pub(crate) fn token_infos(rows: Vec<(String, String, String)>) -> Result<Vec<TokenInfo>> {
    rows.into_iter()
        .map(|(name, role, created_at)| {
            Ok(TokenInfo {
                name,
                role: Role::parse(&role)?,
                created_at,
            })
        })
        .collect()
}

/// The token statements, for both backends (`?1` placeholders).
pub(crate) mod sql {
    pub const TAKEN: &str = "SELECT 1 FROM token WHERE name = ?1";
    pub const ADD: &str =
        "INSERT INTO token (name, role, hash, created_at) VALUES (?1, ?2, ?3, ?4)";
    pub const LIST: &str = "SELECT name, role, created_at FROM token ORDER BY name";
    pub const REVOKE: &str = "DELETE FROM token WHERE name = ?1";
    pub const BY_HASH: &str = "SELECT name, role FROM token WHERE hash = ?1";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_found_by_its_hash_until_revoked() -> Result<()> {
        let store = Store::open_temporary()?;
        store.add_token("ana", Role::Write, "abc")?;
        assert_eq!(
            store.token_by_hash("abc")?,
            Some(("ana".to_string(), Role::Write))
        );
        assert!(store.token_by_hash("abd")?.is_none());
        assert!(matches!(
            store.add_token("ana", Role::Read, "x"),
            Err(Error::InvalidOption { option: "name", .. })
        ));
        assert_eq!(store.tokens()?.len(), 1);
        assert!(store.revoke_token("ana")?);
        assert!(!store.revoke_token("ana")?);
        assert!(store.token_by_hash("abc")?.is_none());
        Ok(())
    }

    #[test]
    fn roles_are_ordered_read_write_admin() {
        assert!(Role::Read < Role::Write && Role::Write < Role::Admin);
        assert_eq!(Role::parse("admin").unwrap(), Role::Admin);
        assert!(Role::parse("root").is_err());
    }
}
