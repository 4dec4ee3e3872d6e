//! A game script uploaded from the teacher's console (`admin_upload_script`): written into the
//! games folder as a student would save it, durably (a temporary file, synced, renamed over the
//! old one, the folder synced), and then loaded like any other file.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::{BOARD_SUFFIX, MAX_SCRIPT_BYTES};

/// Why an upload was refused.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// Not the name of a rules or board file.
    #[error(
        "{0:?} is not a game script's name: NAME.js (the rules) or NAME.board.js (the board), \
         NAME being 1 to 32 of a-z, 0-9 and _, starting with a letter"
    )]
    BadName(String),
    /// Larger than a script may be.
    #[error("a game script may be at most {} KiB", MAX_SCRIPT_BYTES / 1024)]
    TooLarge,
    /// The file could not be written.
    #[error("cannot write {path}: {error}", path = .0.display(), error = .1)]
    Write(PathBuf, std::io::Error),
}

/// Whether `file` is a rules (`NAME.js`) or board (`NAME.board.js`) file's name.
pub fn valid_name(file: &str) -> bool {
    let stem = file.strip_suffix(BOARD_SUFFIX).or_else(|| super::rules_stem(file));
    stem.is_some_and(capital_script::definition::valid_kind)
}

/// Writes `source` as `file` in `dir`, durably, replacing what was there.
pub fn write(dir: &Path, file: &str, source: &str) -> Result<PathBuf, UploadError> {
    if !valid_name(file) {
        return Err(UploadError::BadName(file.to_owned()));
    }
    if source.len() as u64 > MAX_SCRIPT_BYTES {
        return Err(UploadError::TooLarge);
    }
    let path = dir.join(file);
    let temp = dir.join(format!(".{file}.upload"));
    let fail = |e| UploadError::Write(path.clone(), e);
    std::fs::create_dir_all(dir).map_err(fail)?;
    let mut out = std::fs::File::create(&temp).map_err(fail)?;
    out.write_all(source.as_bytes()).and_then(|()| out.sync_all()).map_err(fail)?;
    std::fs::rename(&temp, &path).map_err(fail)?;
    std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(fail)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_sizes_are_checked() {
        for good in ["pig.js", "pig.board.js", "dice_race2.js"] {
            assert!(valid_name(good), "{good}");
        }
        for bad in
            ["Pig.js", "../pig.js", "pig", ".js", "pig.board", "a/b.js", "1pig.js", ".pig.js"]
        {
            assert!(!valid_name(bad), "{bad}");
        }
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "pig.js", "game({})").unwrap();
        assert_eq!(std::fs::read_to_string(path).unwrap(), "game({})");
        let big = "x".repeat(MAX_SCRIPT_BYTES as usize + 1);
        assert!(matches!(write(dir.path(), "pig.js", &big), Err(UploadError::TooLarge)));
        assert!(matches!(write(dir.path(), "../x.js", ""), Err(UploadError::BadName(_))));
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(names.len(), 1, "no temporary file left");
    }
}
