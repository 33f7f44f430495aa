//! A byte stream to read units from — a file, standard input, an HTTP request body — with the
//! name that messages give it, and a tap that counts and hashes the bytes as they stream past
//! (so a file is read once, and a pipe can be imported at all).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use xxhash_rust::xxh3::Xxh3;

use crate::error::{Error, Result};

/// Bytes read so far and their xxh3, shared with the thread that reads.
#[derive(Clone, Default)]
pub struct Tap(Arc<TapInner>);

#[derive(Default)]
struct TapInner {
    bytes: AtomicU64,
    hash: Mutex<Xxh3>,
}

impl Tap {
    /// Bytes that have streamed past.
    pub fn bytes(&self) -> u64 {
        self.0.bytes.load(Ordering::Relaxed)
    }

    /// The xxh3 of every byte that has streamed past (of the whole input once it is read).
    pub fn digest(&self) -> i64 {
        self.0.hash.lock().map_or(0, |h| h.digest() as i64)
    }
}

struct Tapped<R> {
    inner: R,
    tap: Tap,
}

impl<R: Read> Read for Tapped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.tap.0.bytes.fetch_add(n as u64, Ordering::Relaxed);
        if let Ok(mut h) = self.tap.0.hash.lock() {
            h.update(&buf[..n]);
        }
        Ok(n)
    }
}

/// A named byte stream, read once.
pub struct Input {
    name: PathBuf,
    path: Option<PathBuf>,
    size: Option<u64>,
    reader: Box<dyn Read + Send>,
    tap: Tap,
}

impl Input {
    /// A file. `-` means standard input.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be opened or is a folder.
    pub fn open(path: &Path) -> Result<Self> {
        if path.as_os_str() == "-" {
            return Ok(Self::stdin());
        }
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let meta = file.metadata().map_err(|e| Error::io(path, e))?;
        if meta.is_dir() {
            return Err(Error::io(
                path,
                std::io::Error::new(std::io::ErrorKind::IsADirectory, "is a folder, not a file"),
            ));
        }
        let regular = meta.is_file();
        Ok(Input {
            name: path.to_path_buf(),
            // Only a regular file can be read again (to place an error exactly).
            path: regular.then(|| path.to_path_buf()),
            size: regular.then_some(meta.len()),
            reader: Box::new(file),
            tap: Tap::default(),
        })
    }

    /// Standard input, named `-` in messages.
    pub fn stdin() -> Self {
        Self::from_reader("-", std::io::stdin())
    }

    /// Any reader, named `name` in messages (an upload's file name, `request body`).
    pub fn from_reader(name: impl Into<PathBuf>, reader: impl Read + Send + 'static) -> Self {
        Input {
            name: name.into(),
            path: None,
            size: None,
            reader: Box::new(reader),
            tap: Tap::default(),
        }
    }

    /// Sets the expected size, for progress (a `Content-Length`).
    pub fn with_size(mut self, size: Option<u64>) -> Self {
        self.size = size;
        self
    }

    /// The name messages give the input.
    pub fn name(&self) -> &Path {
        &self.name
    }

    /// The file, when the input is one that can be read again.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The size in bytes, when known beforehand.
    pub fn size(&self) -> Option<u64> {
        self.size
    }

    /// The counter and hash of the bytes read.
    pub fn tap(&self) -> Tap {
        self.tap.clone()
    }

    /// The bytes, counted and hashed as they are read.
    pub fn into_reader(self) -> Box<dyn Read + Send> {
        Box::new(Tapped {
            inner: self.reader,
            tap: self.tap,
        })
    }
}
