//! The library's error type.

use std::path::PathBuf;

/// Everything that can go wrong in tmm's library, with the context a user needs to act on it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be opened, read or written. (The cause is part of the message, not a
    /// separate source, so that a chain of contexts does not print it twice.)
    #[error("{}: {error}", path.display())]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    /// The file is not well-formed XML (or not decodable text) at this position.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Syntax {
        path: PathBuf,
        line: u64,
        column: u64,
        message: String,
    },
    /// The file is well-formed but is not something tmm can read (not TMX, unknown encoding).
    #[error("{}: {message}", path.display())]
    Format { path: PathBuf, message: String },
    /// A translation unit breaks a TMX rule and the caller asked for strict reading.
    #[error("{}:{line}: {message}", path.display())]
    InvalidUnit {
        path: PathBuf,
        line: u64,
        message: String,
    },
    /// A language tag that is not a usable language (`SC`, `12`, an empty string).
    #[error("invalid language tag `{tag}`: {reason}")]
    LanguageTag { tag: String, reason: &'static str },
    /// The SQLite database failed.
    #[error("database: {0}")]
    Database(rusqlite::Error),
    /// The database was written by a newer tmm.
    #[error("database schema version {found} is newer than this tmm supports ({supported})")]
    SchemaTooNew { found: i64, supported: i64 },
    /// Documents that cannot be aligned: the file, and why.
    #[error("{}: {message}", path.display())]
    Alignment { path: PathBuf, message: String },
    /// A request that cannot be served as asked (an unknown origin, a bad filter value).
    #[error("{0}")]
    Invalid(String),
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An [`Error::Io`] for `path`.
    pub fn io(path: impl Into<PathBuf>, error: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            error,
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Database(e)
    }
}
