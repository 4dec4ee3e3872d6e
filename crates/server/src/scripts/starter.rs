//! `capital new-game NAME`: writes a working starter game into the games folder, its rules
//! (`NAME.js`) and its board (`NAME.board.js`), with comments that teach. The server (running
//! or not) picks them up like any other script.

use std::path::{Path, PathBuf};

use super::BOARD_SUFFIX;

const RULES: &str = include_str!("../../../../games/starter/rules.js");
const BOARD: &str = include_str!("../../../../games/starter/board.js");

/// Points to win in the starter (its option's default).
const TARGET: u32 = 30;

/// Why no starter was written.
#[derive(Debug, thiserror::Error)]
pub enum StarterError {
    /// Not a name a game kind may have.
    #[error(
        "{0:?} cannot be a game's name: use 1 to 32 of a-z, 0-9 and _, starting with a letter \
         (it becomes the file name and the game's kind)"
    )]
    BadName(String),
    /// A file of that name is there already.
    #[error("{} is there already: pick another name, or edit that one", .0.display())]
    Exists(PathBuf),
    /// The folder or a file could not be written.
    #[error("cannot write {path}: {1}", path = .0.display())]
    Write(PathBuf, std::io::Error),
}

/// Writes the starter game `kind` into `dir` (created if missing); returns what it wrote, in
/// words for the terminal.
pub fn write(dir: &Path, kind: &str) -> Result<String, StarterError> {
    if !capital_script::definition::valid_kind(kind) {
        return Err(StarterError::BadName(kind.to_owned()));
    }
    let rules = dir.join(format!("{kind}.js"));
    let board = dir.join(format!("{kind}{BOARD_SUFFIX}"));
    for path in [&rules, &board] {
        if path.exists() {
            return Err(StarterError::Exists(path.clone()));
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| StarterError::Write(dir.to_owned(), e))?;
    let name = title(kind);
    let fill = |template: &str| {
        template
            .replace("{{name}}", &name)
            .replace("{{kind}}", kind)
            .replace("{{target}}", &TARGET.to_string())
    };
    for (path, template) in [(&rules, RULES), (&board, BOARD)] {
        std::fs::write(path, fill(template)).map_err(|e| StarterError::Write(path.clone(), e))?;
    }
    Ok(format!(
        "Wrote {} (the rules) and {} (the board).\n\
         A running server offers \"{name}\" within two seconds; otherwise start it with \
         `capital serve`.\nThen open it on two phones, create a room and pick {name}. Change \
         the files and save: the server reloads them. See docs/make-a-game.md.",
        rules.display(),
        board.display()
    ))
}

/// `dice_race` → `Dice race`.
fn title(kind: &str) -> String {
    let words = kind.replace('_', " ");
    let mut chars = words.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use capital_engine::{GameKind, Viewer};
    use serde_json::json;

    #[test]
    fn the_starter_loads_and_plays() {
        let dir = tempfile::tempdir().unwrap();
        let said = write(dir.path(), "dice_race").unwrap();
        assert!(said.contains("dice_race.js"), "{said}");
        let source = std::fs::read_to_string(dir.path().join("dice_race.js")).unwrap();
        let limits = capital_script::Limits::default();
        let kind = capital_script::ScriptKind::load(&source, "dice_race.js", limits).unwrap();
        assert_eq!(kind.name(), "Dice race");
        let (options, players) = kind.check(&json!({})).unwrap();
        assert_eq!((options["target"].as_u64(), players.max), (Some(30), 4));
        let mut game = kind.create(&options, 3, 7).unwrap();
        game.play(0, &json!({"roll": true})).unwrap();
        let view = game.view(Viewer::Seat(0));
        assert_eq!(view["scores"], json!([0, 0, 0]));
        assert!(view["roll"].as_u64().is_some_and(|r| (1..=6).contains(&r)), "{view}");
        let board = std::fs::read_to_string(dir.path().join("dice_race.board.js")).unwrap();
        assert!(board.contains("board({") && !board.contains("{{"), "filled in");
        // A second time, it keeps what is there.
        assert!(matches!(write(dir.path(), "dice_race"), Err(StarterError::Exists(_))));
        assert!(matches!(write(dir.path(), "Dice Race"), Err(StarterError::BadName(_))));
    }
}
