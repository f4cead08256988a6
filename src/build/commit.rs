//! Writing a build's outputs as one pair: the EPUB and the PDF in an output folder always
//! come from the same build.
//!
//! [`write_outputs`] takes a lock on the output folder (a second build of the same book
//! waits for the first to finish writing), removes the temporary files a killed build left
//! there, writes every output to a temporary file of its own, and only when all of them are
//! complete on disk renames them over the old outputs. A full disk or a crash while writing
//! leaves the previous pair as it was; the renames at the end cannot run out of space.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Temporary files are named `.octavo-XXXXXX.part`: hidden, and recognisable as ours.
const TEMP_PREFIX: &str = ".octavo-";
/// See [`TEMP_PREFIX`].
const TEMP_SUFFIX: &str = ".part";

/// Write each `(path, bytes)` (all in `out_dir`) as described in the module documentation.
/// `waiting` is called once if another build holds the folder's lock, before waiting for it.
pub(crate) fn write_outputs(
    out_dir: &Path,
    outputs: &[(PathBuf, Vec<u8>)],
    waiting: &dyn Fn(&Path),
) -> Result<(), (PathBuf, std::io::Error)> {
    let at_folder = |e: std::io::Error| (out_dir.to_path_buf(), e);
    std::fs::create_dir_all(out_dir).map_err(at_folder)?;
    let _lock = OutputLock::acquire(out_dir, waiting).map_err(at_folder)?;
    remove_stale_temporaries(out_dir);
    let mut staged = Vec::with_capacity(outputs.len());
    for (path, bytes) in outputs {
        // On an error the files staged so far are removed as they are dropped.
        let temp = stage(out_dir, bytes).map_err(|e| (path.clone(), e))?;
        staged.push((temp, path));
    }
    // A rename can still fail when a folder stands where an output goes: find that out
    // before anything is renamed.
    for (_, path) in &staged {
        if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
            let err = std::io::Error::other("a folder of that name is in the way");
            return Err(((*path).clone(), err));
        }
    }
    for (temp, path) in staged {
        temp.persist(path).map_err(|e| (path.clone(), e.error))?;
    }
    sync_folder(out_dir);
    Ok(())
}

/// `bytes` in a complete, synced temporary file in `dir`, with an output's permissions.
fn stage(dir: &Path, bytes: &[u8]) -> std::io::Result<tempfile::NamedTempFile> {
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)?;
    temp.write_all(bytes)?;
    // Temporary files are private (0600); an output is an ordinary file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        temp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    temp.as_file().sync_all()?;
    Ok(temp)
}

/// Remove the temporary files of builds that were killed while writing. Only called with the
/// folder's lock held, so no running build is writing them.
fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(|e| e.ok()) {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        let ours = name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX);
        if ours && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Make the renames durable (best effort: not every system can sync a folder).
fn sync_folder(dir: &Path) {
    #[cfg(unix)]
    if let Ok(folder) = File::open(dir) {
        let _ = folder.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// An exclusive advisory lock on an output folder, released when dropped (or when the
/// process ends, however it ends). On Unix the folder itself is locked, so no lock file is
/// left behind; elsewhere a `.octavo.lock` file in it is.
struct OutputLock {
    _file: File,
}

impl OutputLock {
    fn acquire(dir: &Path, waiting: &dyn Fn(&Path)) -> std::io::Result<OutputLock> {
        use std::fs::TryLockError;
        let file = lock_target(dir)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                waiting(dir);
                file.lock()?;
            }
            // A file system without locks: write unlocked, as before locks existed.
            Err(TryLockError::Error(e)) if e.kind() == std::io::ErrorKind::Unsupported => {}
            Err(TryLockError::Error(e)) => return Err(e),
        }
        Ok(OutputLock { _file: file })
    }
}

#[cfg(unix)]
fn lock_target(dir: &Path) -> std::io::Result<File> {
    File::open(dir)
}

#[cfg(not(unix))]
fn lock_target(dir: &Path) -> std::io::Result<File> {
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(".octavo.lock"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_the_old_pair_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let (epub, pdf) = (dir.path().join("b.epub"), dir.path().join("b.pdf"));
        let old = [
            (epub.clone(), b"old epub".to_vec()),
            (pdf.clone(), b"old pdf".to_vec()),
        ];
        write_outputs(dir.path(), &old, &|_| {}).unwrap();
        // The second output cannot be renamed into place: a folder stands there.
        std::fs::remove_file(&pdf).unwrap();
        std::fs::create_dir(&pdf).unwrap();
        std::fs::write(pdf.join("keep"), b"x").unwrap();
        let new = [
            (epub.clone(), b"new epub".to_vec()),
            (pdf.clone(), b"new pdf".to_vec()),
        ];
        let (failed, _) = write_outputs(dir.path(), &new, &|_| {}).unwrap_err();
        assert_eq!(failed, pdf);
        assert_eq!(std::fs::read(&epub).unwrap(), b"old epub");
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(TEMP_PREFIX))
            .collect();
        assert!(names.is_empty(), "{names:?}");
    }

    #[test]
    fn stale_temporaries_are_removed_and_others_kept() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".octavo-abc.part"), b"stale").unwrap();
        std::fs::write(dir.path().join("notes.part"), b"mine").unwrap();
        write_outputs(dir.path(), &[], &|_| {}).unwrap();
        assert!(!dir.path().join(".octavo-abc.part").exists());
        assert!(dir.path().join("notes.part").exists());
    }
}
