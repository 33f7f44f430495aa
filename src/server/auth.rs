//! Bearer tokens: making one, hashing it, and checking a request's against the store.
//!
//! A token is `tmm_` and 32 random bytes in hex; the store keeps its SHA-256 only, so a copy
//! of the database gives no one access.

use axum::http::{HeaderMap, StatusCode, header};
use sha2::{Digest, Sha256};

use super::problem::Problem;
use crate::store::{Role, Store};

/// A new random token.
///
/// # Errors
/// When the system has no source of randomness.
pub fn new_token() -> std::io::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(std::io::Error::other)?;
    Ok(format!("tmm_{}", hex(&bytes)))
}

/// The hash the store keeps of `token`: SHA-256, in hex.
pub fn hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Who is asking.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The token's name; `None` for an anonymous reader under `--open-read`.
    pub name: Option<String>,
    pub role: Option<Role>,
}

impl Caller {
    /// The name recorded as the change id of what this caller stores.
    pub fn change_id(&self) -> &str {
        self.name.as_deref().unwrap_or("anonymous")
    }
}

/// Query parameters that would carry a token: refused, since URLs end up in logs and
/// browser histories.
const TOKEN_PARAMS: &[&str] = &["token", "access_token", "api_key", "apikey", "auth"];

/// Refuses a request whose query string carries a token.
///
/// # Errors
/// A 400 problem naming the parameter.
pub fn refuse_query_token(query: Option<&str>) -> Result<(), Problem> {
    let Some(q) = query else { return Ok(()) };
    for pair in q.split('&') {
        let key = pair.split('=').next().unwrap_or("");
        if TOKEN_PARAMS.iter().any(|t| key.eq_ignore_ascii_case(t)) {
            return Err(Problem::bad_request(format!(
                "a token in the query string (`{key}`) is refused: send it as `Authorization: Bearer TOKEN`"
            ))
            .field(key.to_string()));
        }
    }
    Ok(())
}

/// Checks that the request may do what needs `needed`: 401 without a usable token, 403 with
/// one of a lesser role. Reads go without a token when `open_read` is set. Runs a store
/// read: call it on a blocking thread.
///
/// # Errors
/// The problem to answer with.
pub fn authorize(
    store: &Store,
    headers: &HeaderMap,
    needed: Role,
    open_read: bool,
) -> Result<Caller, Problem> {
    let given = headers.get(header::AUTHORIZATION);
    let Some(value) = given else {
        if open_read && needed == Role::Read {
            return Ok(Caller {
                name: None,
                role: None,
            });
        }
        return Err(Problem::new(
            StatusCode::UNAUTHORIZED,
            format!(
                "this needs a token of role {} or more: send `Authorization: Bearer TOKEN` (`tmm token add` makes one)",
                needed.as_str()
            ),
        ));
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            let (scheme, rest) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        })
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            Problem::new(
                StatusCode::UNAUTHORIZED,
                "the Authorization header must be `Bearer TOKEN`",
            )
        })?;
    let found = store.token_by_hash(&hash(token)).map_err(Problem::from)?;
    let Some((name, role)) = found else {
        return Err(Problem::new(
            StatusCode::UNAUTHORIZED,
            "unknown or revoked token",
        ));
    };
    if role < needed {
        return Err(Problem::new(
            StatusCode::FORBIDDEN,
            format!(
                "the token \"{name}\" has role {}; this needs {}",
                role.as_str(),
                needed.as_str()
            ),
        ));
    }
    Ok(Caller {
        name: Some(name),
        role: Some(role),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashes_stable() {
        let (a, b) = (new_token().unwrap(), new_token().unwrap());
        assert_ne!(a, b);
        assert!(a.starts_with("tmm_") && a.len() == 68, "{a}");
        assert_eq!(hash(&a), hash(&a));
        assert_ne!(hash(&a), hash(&b));
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn a_token_in_the_query_string_is_refused() {
        assert!(refuse_query_token(Some("q=a&access_token=x")).is_err());
        assert!(refuse_query_token(Some("TOKEN=x")).is_err());
        assert!(refuse_query_token(Some("q=token&lang=en")).is_ok());
        assert!(refuse_query_token(None).is_ok());
    }

    #[test]
    fn roles_gate_and_open_read_lets_reads_through() {
        let store = Store::open_temporary().unwrap();
        let t = new_token().unwrap();
        store.add_token("ana", Role::Write, &hash(&t)).unwrap();
        let mut h = HeaderMap::new();
        let status = |r: Result<Caller, Problem>| r.map(|_| 200).unwrap_or_else(|p| p.status);
        assert_eq!(status(authorize(&store, &h, Role::Read, false)), 401);
        assert_eq!(status(authorize(&store, &h, Role::Read, true)), 200);
        assert_eq!(status(authorize(&store, &h, Role::Write, true)), 401);
        h.insert(
            header::AUTHORIZATION,
            format!("Bearer {t}").parse().unwrap(),
        );
        assert_eq!(status(authorize(&store, &h, Role::Write, false)), 200);
        assert_eq!(status(authorize(&store, &h, Role::Admin, false)), 403);
        h.insert(header::AUTHORIZATION, "Bearer nope".parse().unwrap());
        assert_eq!(status(authorize(&store, &h, Role::Read, true)), 401);
    }
}
