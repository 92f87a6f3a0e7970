//! Files and folders only their owner can open: the SQLite databases (the record and `serve`'s
//! inbox) and the development data key.
//!
//! Why: the database holds children's names, birth dates and doses in clear (only free text is
//! sealed), and under the usual umask (022) a file SQLite creates can be read by every user of the
//! machine. So MedNanny creates the file itself, mode 0600, before SQLite opens it, and the folders
//! it has to create, mode 0700. SQLite gives the files it makes beside a database (`-wal`, `-shm`,
//! `-journal`) the database file's own mode, so they are owner-only too.
//!
//! What exists already keeps its mode (an operator may have chosen it); [`shared_mode`] lets the
//! caller say so when others can read it. Elsewhere than Unix these are the plain `std::fs` calls.

use std::fs::File;
use std::io;
use std::path::Path;

/// Creates `path` and its missing parents, each mode 0700 (folders that exist are left alone).
pub fn create_dir_all(path: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(path)
}

/// Creates `path` as a new empty file, mode 0600, with its missing folders (0700); `None` when a
/// file is there already (it is not touched).
pub fn create_file(path: &Path) -> io::Result<Option<File>> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_dir_all(parent)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(file) => Ok(Some(file)),
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => Ok(None),
        Err(error) => Err(error),
    }
}

/// The permission bits of an existing file that others than its owner may read or write
/// (`Some(0o644)`), or `None` when only its owner can (or it cannot be read, or not on Unix).
pub fn shared_mode(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
        (mode & 0o077 != 0).then_some(mode)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path)
            .expect("exists")
            .permissions()
            .mode()
            & 0o777
    }

    #[test]
    fn new_files_and_folders_are_the_owners_and_existing_ones_are_left_alone() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("a/b/record.db");
        assert!(create_file(&file).expect("creates").is_some());
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(&dir.path().join("a")), 0o700);
        assert_eq!(mode(&dir.path().join("a/b")), 0o700);
        assert_eq!(shared_mode(&file), None);

        std::fs::write(&file, "kept").expect("write");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        assert!(create_file(&file).expect("exists").is_none());
        assert_eq!(std::fs::read_to_string(&file).expect("read"), "kept");
        assert_eq!(shared_mode(&file), Some(0o640));
    }
}
