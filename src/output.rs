//! Output files written safely. A regular file is written under a temporary name beside it
//! and renamed into place only when complete, so a failed export leaves no partial file and
//! the previous file (and its permissions) stays until the new one is whole. A device, a
//! named pipe or another special file (`/dev/null`, `/dev/stdout`) is written directly, and a
//! symbolic link is followed, never replaced.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::error::{Error, Result};

/// A file being written; [`commit`](Self::commit) puts it in place.
pub struct OutputFile {
    target: PathBuf,
    sink: Sink,
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
        let mut builder = tempfile::Builder::new();
        builder.prefix(".tmm-");
        #[cfg(unix)]
        let permissions = match fs::metadata(&target) {
            Ok(m) => m.permissions(),
            // The usual mode of a new file; the process umask still applies.
            Err(_) => std::os::unix::fs::PermissionsExt::from_mode(0o666),
        };
        #[cfg(unix)]
        builder.permissions(permissions);
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
        Ok(OutputFile {
            target,
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
