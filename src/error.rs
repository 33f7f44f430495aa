//! The library's error type.
//!
//! Messages are for any front end: they name the library's own terms (a language, an origin,
//! an option by its field name) and never a command-line flag or a JSON field; the CLI and
//! the server word [`Error::InvalidOption`] for their audience through its `option` key.

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
    /// A translation unit breaks a rule of its format and the caller asked for strict reading.
    #[error("{}:{line}: {message}", path.display())]
    InvalidUnit {
        path: PathBuf,
        line: u64,
        message: String,
    },
    /// A language tag that is not a usable language (`SC`, `12`, an empty string).
    #[error("invalid language tag `{tag}`: {reason}")]
    LanguageTag { tag: String, reason: &'static str },
    /// The memory holds no segment in this language.
    #[error("no text in `{lang}`: the memory holds no segments in \"{lang}\"")]
    NoSegments { lang: String },
    /// No origin (imported file or aligned document) answers to this name or id.
    #[error("no origin \"{key}\" in the memory")]
    UnknownOrigin { key: String },
    /// There is no database at this path (and the caller did not ask to create one).
    #[error("{}: no database here", path.display())]
    NoDatabase { path: PathBuf },
    /// The file is a SQLite database of another application.
    #[error("{}: a SQLite database of another application; tmm leaves it alone", path.display())]
    NotTmmDatabase { path: PathBuf },
    /// The SQLite database failed.
    #[error("database: {0}")]
    Database(rusqlite::Error),
    /// The database was written by a newer tmm.
    #[error("database schema version {found} is newer than this tmm supports ({supported})")]
    SchemaTooNew { found: i64, supported: i64 },
    /// An older database that can only be upgraded with write access.
    #[error(
        "{}: schema version {found}, this tmm reads {supported}; open it once with write access to upgrade it",
        path.display()
    )]
    SchemaTooOld {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    /// Documents that cannot be aligned: the file, and why.
    #[error("{}: {message}", path.display())]
    Alignment { path: PathBuf, message: String },
    /// A text to match or look up that cannot be: empty, only punctuation, too long.
    #[error("{0}")]
    Query(String),
    /// An option whose value cannot be used, or that does not fit with another. `option`
    /// is the library's name for it (the field of its options struct), which front ends map
    /// to their own spelling.
    #[error("{option}: {reason}")]
    InvalidOption {
        option: &'static str,
        reason: String,
    },
    /// The caller's observer asked to stop; nothing of the operation was kept.
    #[error("stopped on request; nothing was stored")]
    Cancelled,
    /// The one writer was busy for longer than the caller would wait.
    #[error("the memory is busy with another write; try again")]
    Busy,
    /// What was asked for cannot be written in the output's format (a character XML 1.0
    /// forbids in a TMX header).
    #[error("{0}")]
    Output(String),
    /// Nothing matched what was asked for (no unit has all the languages of a corpus).
    #[error("{0}")]
    Nothing(String),
    /// The memory's backend cannot do this yet: `what` names the store operation, `backend`
    /// the engine (`PostgreSQL`). Nothing was read or changed.
    #[error("{what} is not available on the {backend} backend yet")]
    Unsupported {
        what: &'static str,
        backend: &'static str,
    },
    /// The PostgreSQL server or the connection to it failed.
    #[cfg(feature = "postgres")]
    #[error("postgresql: {}", postgres_message(.0))]
    Postgres(postgres::Error),
    /// No connection to the PostgreSQL server could be had from the pool: the server named
    /// (without its password), and why.
    #[error("postgresql: cannot connect to {server}: {reason}")]
    Connect { server: String, reason: String },
    /// A thread of the library's own failed (a bug): nothing of the operation was kept.
    #[error("internal error: {0}")]
    Internal(&'static str),
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

    /// An [`Error::InvalidOption`].
    pub fn option(option: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidOption {
            option,
            reason: reason.into(),
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Database(e)
    }
}

#[cfg(feature = "postgres")]
impl From<postgres::Error> for Error {
    fn from(e: postgres::Error) -> Self {
        Error::Postgres(e)
    }
}

/// The server's own message when there is one (with its detail), else the driver's.
#[cfg(feature = "postgres")]
fn postgres_message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => match db.detail() {
            Some(detail) => format!("{}: {detail}", db.message()),
            None => db.message().to_string(),
        },
        None => e.to_string(),
    }
}
