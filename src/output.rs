//! Output files written safely. A regular file is written under a temporary name beside it
//! and renamed into place only when complete, so a failed export leaves no partial file and
//! the previous file (and its permissions) stays until the new one is whole. A device, a
//! named pipe or another special file (`/dev/null`, `/dev/stdout`) is written directly, and a
//! symbolic link is followed, never replaced.
//!
//! Temporary files are named `.tmm-PID-…`. A program that may be interrupted calls
//! [`remove_pending`] from its signal handler, so SIGINT or SIGTERM leaves none behind; one
//! left by a killed process is removed by the next export into that folder.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use tempfile::NamedTempFile;

use crate::error::{Error, Result};

/// Temporary files being written now, for [`remove_pending`].
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Removes every temporary file an unfinished [`OutputFile`] holds: for a signal handler,
/// just before the process exits. Returns how many there were.
pub fn remove_pending() -> usize {
    let Ok(mut pending) = PENDING.lock() else {
        return 0;
    };
    let n = pending.len();
    for p in pending.drain(..) {
        let _ = fs::remove_file(p);
    }
    n
}

fn forget_pending(path: &Path) {
    if let Ok(mut pending) = PENDING.lock() {
        pending.retain(|p| p != path);
    }
}

/// How old a temporary file of a process that cannot be checked must be to count as left
/// over.
const STALE_AGE: Duration = Duration::from_secs(24 * 3600);

/// True when `name` is a temporary file of ours whose writer is gone: its process no longer
/// runs (where `/proc` tells), else it has not changed for a day.
fn is_stale(dir: &Path, name: &str) -> bool {
    let Some(rest) = name.strip_prefix(".tmm-") else {
        return false;
    };
    let pid = rest.split('-').next().and_then(|p| p.parse::<u32>().ok());
    let proc = Path::new("/proc");
    if let Some(pid) = pid
        && proc.join("self").exists()
    {
        return pid != std::process::id() && !proc.join(pid.to_string()).exists();
    }
    fs::metadata(dir.join(name))
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| SystemTime::now().duration_since(t).ok())
        .is_some_and(|age| age > STALE_AGE)
}

/// Removes the temporary files killed exports left in `dir`; returns how many.
pub fn remove_stale(dir: &Path) -> usize {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    let mut n = 0;
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(name) = name.to_str() else { continue };
        if e.file_type().is_ok_and(|t| t.is_file())
            && is_stale(dir, name)
            && fs::remove_file(e.path()).is_ok()
        {
            n += 1;
        }
    }
    n
}

/// A file being written; [`commit`](Self::commit) puts it in place.
pub struct OutputFile {
    target: PathBuf,
    sink: Sink,
    _pending: Option<PendingGuard>,
}

enum Sink {
    Temporary(NamedTempFile),
    Direct(File),
}

impl OutputFile {
    /// Starts writing `path`.
    ///
    /// # Errors
    /// [`Error::Io`] naming the folder when no file can be created in it, or the path when a
    /// special file cannot be opened.
    pub fn create(path: &Path) -> Result<Self> {
        if let Ok(meta) = fs::metadata(path) {
            if !meta.is_file() {
                if meta.is_dir() {
                    return Err(Error::io(path, io::Error::other("is a folder, not a file")));
                }
                let file = OpenOptions::new()
                    .write(true)
                    .open(path)
                    .map_err(|e| Error::io(path, e))?;
                return Ok(OutputFile {
                    target: path.to_path_buf(),
                    sink: Sink::Direct(file),
                    _pending: None,
                });
            }
        }
        // Replace what a link points to, not the link.
        let target = match fs::symlink_metadata(path) {
            Ok(m) if m.file_type().is_symlink() => {
                fs::canonicalize(path).map_err(|e| Error::io(path, e))?
            }
            _ => path.to_path_buf(),
        };
        let dir = target
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        remove_stale(dir);
        let prefix = format!(".tmm-{}-", std::process::id());
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix);
        #[cfg(unix)]
        let permissions = match fs::metadata(&target) {
            Ok(m) => m.permissions(),
            // The usual mode of a new file; the process umask still applies.
            Err(_) => std::os::unix::fs::PermissionsExt::from_mode(0o666),
        };
        #[cfg(unix)]
        builder.permissions(permissions);
        // The list stays locked from the file's creation to its listing, so that a signal
        // handler's remove_pending (on its own thread) waits for it rather than missing it.
        let mut pending = PENDING.lock().ok();
        let temp = builder.tempfile_in(dir).map_err(|e| {
            // tempfile's message names the temporary file; the user knows the folder.
            Error::io(
                dir,
                io::Error::new(
                    e.kind(),
                    format!("cannot create a file here ({})", e.kind()),
                ),
            )
        })?;
        if let Some(pending) = pending.as_mut() {
            pending.push(temp.path().to_path_buf());
        }
        drop(pending);
        Ok(OutputFile {
            target,
            _pending: Some(PendingGuard(temp.path().to_path_buf())),
            sink: Sink::Temporary(temp),
        })
    }

    /// The file being written, as the user named it (links resolved).
    pub fn path(&self) -> &Path {
        &self.target
    }

    /// Finishes the file: flushes it and, for a regular file, renames it into place.
    ///
    /// # Errors
    /// [`Error::Io`] naming the target.
    pub fn commit(self) -> Result<()> {
        match self.sink {
            Sink::Direct(mut f) => f.flush().map_err(|e| Error::io(&self.target, e)),
            Sink::Temporary(mut t) => {
                t.flush().map_err(|e| Error::io(&self.target, e))?;
                t.persist(&self.target)
                    .map(|_| ())
                    .map_err(|e| Error::io(&self.target, e.error))
            }
        }
    }
}

/// Takes a temporary file off the pending list when its [`OutputFile`] ends, either way.
struct PendingGuard(PathBuf);

impl Drop for PendingGuard {
    fn drop(&mut self) {
        forget_pending(&self.0);
    }
}

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.sink {
            Sink::Temporary(t) => t.write(buf),
            Sink::Direct(f) => f.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match &mut self.sink {
            Sink::Temporary(t) => t.flush(),
            Sink::Direct(f) => f.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_is_left_when_not_committed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        let mut out = OutputFile::create(&path).unwrap();
        out.write_all(b"half").unwrap();
        drop(out);
        assert!(!path.exists());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn temporary_files_of_gone_processes_are_removed_and_pending_ones_on_request() {
        let dir = tempfile::tempdir().unwrap();
        // A pid that cannot run: above the kernel's limit.
        let stale = dir.path().join(".tmm-4294967295-abc");
        fs::write(&stale, "half").unwrap();
        let other = dir.path().join(".tmm-notes");
        fs::write(&other, "keep").unwrap();
        let mut out = OutputFile::create(&dir.path().join("out.txt")).unwrap();
        out.write_all(b"half").unwrap();
        assert!(!stale.exists(), "a dead process's file is removed");
        assert!(
            other.exists(),
            "a name of ours without a pid stays while it is new"
        );
        // The file being written is listed for a signal handler until it ends.
        let temp = match &out.sink {
            Sink::Temporary(t) => t.path().to_path_buf(),
            Sink::Direct(_) => unreachable!("a new regular file is written under a temporary name"),
        };
        assert!(PENDING.lock().unwrap().contains(&temp));
        drop(out);
        assert!(!PENDING.lock().unwrap().contains(&temp));
        assert!(!temp.exists());
    }

    #[test]
    fn a_link_is_followed_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.txt");
        fs::write(&real, "old").unwrap();
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let mut out = OutputFile::create(&link).unwrap();
        out.write_all(b"new").unwrap();
        out.commit().unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&real).unwrap(), "new");
    }

    #[test]
    fn special_files_are_written_directly() {
        let mut out = OutputFile::create(Path::new("/dev/null")).unwrap();
        out.write_all(b"x").unwrap();
        out.commit().unwrap();
        assert!(!fs::metadata("/dev/null").unwrap().is_file());
    }

    #[test]
    fn an_existing_files_mode_is_kept() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        let mut out = OutputFile::create(&path).unwrap();
        out.write_all(b"new").unwrap();
        out.commit().unwrap();
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o640
        );
    }
}
