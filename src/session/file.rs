//! Reading and writing the files gatebench keeps (sessions, imports, request files) safely:
//! reads are bounded, writes are atomic and durable, keep the file's mode, go through
//! symbolic links to the real file, and never replace a file unless asked to.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The largest session, definition or request file read (a session holds at most a few
/// 10 MB request bodies; anything larger is not one of ours, e.g. `/dev/zero`).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Read a UTF-8 text file of at most `max` bytes; a larger one (or an endless one such as a
/// device) is an error, read no further than `max + 1` bytes.
pub fn read_text_limited(path: &Path, max: u64) -> io::Result<String> {
    let file = File::open(path)?;
    let mut bytes = Vec::new();
    file.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(io::Error::new(
            io::ErrorKind::FileTooLarge,
            format!("the file is larger than {} MB", max / (1024 * 1024)),
        ));
    }
    String::from_utf8(bytes)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("not UTF-8 text: {e}")))
}

/// Read a text file of at most [`MAX_FILE_BYTES`].
pub fn read_text(path: &Path) -> io::Result<String> {
    read_text_limited(path, MAX_FILE_BYTES)
}

/// The file a write to `path` must replace: `path` itself, or, when it is a symbolic link,
/// the file it leads to (replacing the link with a file would cut it from its target).
fn real_path(path: &Path) -> io::Result<PathBuf> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => match std::fs::canonicalize(path) {
            Ok(real) => Ok(real),
            // A link to a file not created yet: write where it points.
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let mut target = std::fs::read_link(path)?;
                if target.is_relative() {
                    target = parent(path).join(target);
                }
                real_path(&target)
            }
            Err(e) => Err(e),
        },
        _ => Ok(path.to_path_buf()),
    }
}

fn parent(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// A new, uniquely named temporary file beside `path` (never an existing one: concurrent
/// saves each get their own).
fn temp_beside(path: &Path) -> io::Result<(PathBuf, File)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp = parent(path).join(format!(".{name}.tmp-{}-{n}-{nanos:x}", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
}

/// Write `bytes` into a fresh temporary file beside `target`, with `target`'s permissions
/// when it exists, flushed to disk. Returns the temporary file's path.
fn write_temp(target: &Path, bytes: &[u8]) -> io::Result<PathBuf> {
    let (tmp, mut f) = temp_beside(target)?;
    let result = (|| {
        f.write_all(bytes)?;
        if let Ok(meta) = std::fs::metadata(target) {
            f.set_permissions(meta.permissions())?;
        }
        f.sync_all()
    })();
    match result {
        Ok(()) => Ok(tmp),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Make a rename or link in `dir` durable.
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Write a file atomically: a crash leaves the old file or the new one, never half of one.
/// A temporary file beside the target (unique name) takes the bytes and the target's
/// permissions, is flushed, renamed over the target, and the directory is flushed. A symbolic
/// link is followed: the file it leads to is replaced, the link stays.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let target = real_path(path)?;
    let tmp = write_temp(&target, bytes)?;
    if let Err(e) = std::fs::rename(&tmp, &target) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    sync_dir(parent(&target))
}

/// Write a new file atomically; an existing file (or link) at `path` is never replaced:
/// that is an `AlreadyExists` error, even when another program creates it meanwhile.
pub fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if std::fs::symlink_metadata(path).is_ok() {
        return Err(already_exists(path));
    }
    let tmp = write_temp(path, bytes)?;
    // A hard link appears whole and fails when the name is taken, where a rename would
    // replace the file.
    let result = match std::fs::hard_link(&tmp, path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(already_exists(path)),
        // No hard links on this file system: check again, then rename.
        Err(_) if std::fs::symlink_metadata(path).is_err() => std::fs::rename(&tmp, path),
        Err(e) => Err(e),
    };
    let _ = std::fs::remove_file(&tmp);
    result?;
    sync_dir(parent(path))
}

fn already_exists(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!("{} already exists", path.display()),
    )
}

/// A fingerprint of a file's bytes, to notice that it changed on disk since it was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp(u64);

impl Stamp {
    /// The fingerprint of these bytes.
    pub fn of(bytes: &[u8]) -> Stamp {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        bytes.hash(&mut h);
        Stamp(h.finish())
    }

    /// The fingerprint of the file now; `None` when it cannot be read (e.g. deleted).
    pub fn of_file(path: &Path) -> Option<Stamp> {
        read_text(path).ok().map(|t| Stamp::of(t.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("gatebench-file-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn reads_stop_at_the_limit() {
        let d = scratch("limit");
        let f = d.join("big.toml");
        std::fs::write(&f, "x".repeat(100)).unwrap();
        assert_eq!(read_text_limited(&f, 100).unwrap().len(), 100);
        let e = read_text_limited(&f, 99).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::FileTooLarge);
        // An endless file is read no further than the limit.
        let e = read_text_limited(Path::new("/dev/zero"), 1 << 20).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::FileTooLarge);
        let _ = std::fs::remove_dir_all(&d);
    }

    #[cfg(unix)]
    #[test]
    fn atomic_writes_keep_the_mode_and_follow_links() {
        use std::os::unix::fs::{PermissionsExt, symlink};
        let d = scratch("atomic");
        let real = d.join("real.toml");
        std::fs::write(&real, "old").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).unwrap();
        let link = d.join("link.toml");
        symlink("real.toml", &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
        let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(&d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn concurrent_atomic_writes_never_mix() {
        let d = scratch("concurrent");
        let f = d.join("s.toml");
        std::thread::scope(|s| {
            for i in 0..8u8 {
                let f = &f;
                s.spawn(move || {
                    for _ in 0..20 {
                        write_atomic(f, &vec![b'a' + i; 10_000]).unwrap();
                    }
                });
            }
        });
        let text = std::fs::read(&f).unwrap();
        assert_eq!(text.len(), 10_000);
        assert!(text.iter().all(|b| *b == text[0]));
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 1);
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn new_files_never_replace() {
        let d = scratch("new");
        let f = d.join("out.toml");
        write_new(&f, b"first").unwrap();
        let e = write_new(&f, b"second").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "first");
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 1);
        let _ = std::fs::remove_dir_all(&d);
    }
}
