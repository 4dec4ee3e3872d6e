//! The files in `DATA/tls/`: a directory only the server's user may enter, files replaced
//! atomically and durably (a crash or power cut leaves the old file or the new one, never half
//! of one), and reads that treat a missing or empty file alike.
//!
//! A Raspberry Pi is often switched off at the wall, so every write goes through a temporary file
//! that is synced, renamed over the old one, and followed by a sync of the directory (without
//! that last step the rename itself may not survive a power cut).

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// Who may read a private key: the server's user only.
pub(super) const PRIVATE: u32 = 0o600;
/// Who may read a certificate: anyone (it is public; the directory still keeps others out).
pub(super) const PUBLIC: u32 = 0o644;

/// Creates `dir` (and its parents) if missing, and makes it `0700` whether it was new or not.
pub(super) fn private_dir(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    set_mode(dir, 0o700)
}

/// Replaces `path` with `bytes` atomically and durably; the new file has `mode` from its first
/// byte on (a key is never readable by others, not even while it is being written).
pub(super) fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    let dir = path.parent().ok_or_else(|| io::Error::other("a file needs a directory"))?;
    let name = path.file_name().ok_or_else(|| io::Error::other("a file needs a name"))?;
    let tmp = dir.join(format!(".{}.tmp", name.to_string_lossy()));
    // A temporary file left by a crash may have other permissions: start afresh.
    match std::fs::remove_file(&tmp) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    let mut file = options.open(&tmp)?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    drop(file);
    if let Err(e) = written.and_then(|()| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    File::open(dir)?.sync_all()
}

/// The text of `path`: `Ok(None)` when it is missing or holds only whitespace, an error when it
/// exists but cannot be read (permissions). Bytes that are not UTF-8 come back replaced, for
/// the PEM parser to refuse: a damaged file is the caller's to replace, an unreadable one is not.
pub(super) fn read(path: &Path) -> io::Result<Option<String>> {
    match std::fs::read(path) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            Ok((!text.trim().is_empty()).then(|| text.into_owned()))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Sets the permission bits of `path` (a key file kept from an older version may be looser).
pub(super) fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = (path, mode);
        Ok(())
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn writes_replace_the_file_with_the_mode_asked_for() {
        let dir = tempfile::tempdir().unwrap();
        let tls = dir.path().join("a/tls");
        private_dir(&tls).unwrap();
        assert_eq!(mode(&tls), 0o700);
        let key = tls.join("key.pem");
        write_atomic(&key, b"one", PRIVATE).unwrap();
        write_atomic(&key, b"two", PRIVATE).unwrap();
        assert_eq!(std::fs::read(&key).unwrap(), b"two");
        assert_eq!(mode(&key), 0o600);
        let names: Vec<_> =
            std::fs::read_dir(&tls).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["key.pem"], "no temporary file is left behind");
    }

    #[test]
    fn a_stale_temporary_file_does_not_leak_its_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let stale = dir.path().join(".key.pem.tmp");
        std::fs::write(&stale, "half a key").unwrap();
        set_mode(&stale, 0o666).unwrap();
        write_atomic(&dir.path().join("key.pem"), b"key", PRIVATE).unwrap();
        assert_eq!(mode(&dir.path().join("key.pem")), 0o600);
        assert!(!stale.exists());
    }

    #[test]
    fn an_existing_directory_is_tightened() {
        let dir = tempfile::tempdir().unwrap();
        let tls = dir.path().join("tls");
        std::fs::create_dir(&tls).unwrap();
        set_mode(&tls, 0o755).unwrap();
        private_dir(&tls).unwrap();
        assert_eq!(mode(&tls), 0o700);
    }

    #[test]
    fn missing_and_empty_files_read_as_none() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cert.pem");
        assert_eq!(read(&path).unwrap(), None);
        std::fs::write(&path, "\n  \n").unwrap();
        assert_eq!(read(&path).unwrap(), None);
        std::fs::write(&path, "pem").unwrap();
        assert_eq!(read(&path).unwrap().as_deref(), Some("pem"));
        std::fs::write(&path, [0xff, 0xfe]).unwrap();
        assert!(read(&path).unwrap().is_some(), "damaged: there, for the parser to refuse");
    }
}
