//! Tic-tac-toe: two players take turns marking cells of a 3x3 board; three marks in a row,
//! column or diagonal win, a full board without such a line is a draw.
//!
//! Seat 0 plays `"X"` and moves first, seat 1 plays `"O"`.
//!
//! A move names one cell, numbered row by row from the top-left corner:
//!
//! ```text
//! {"cell": 4}        0 | 1 | 2
//!                    3 | 4 | 5
//!                    6 | 7 | 8
//! ```
//!
//! The view is the same for every viewer (nothing is hidden):
//!
//! ```json
//! {"board": ["X", null, null, null, "O", null, null, null, null],
//!  "marks": ["X", "O"],
//!  "last_move": {"seat": 1, "cell": 4},
//!  "line": null}
//! ```
//!
//! `line` holds the three cells of the winning line once there is one.

use capital_engine::{Game, Outcome, Players, Rng, RuleError, Seat, Viewer};
use serde::{Deserialize, Serialize};

/// The mark each seat plays, by seat.
const MARKS: [&str; 2] = ["X", "O"];

/// Every line of three cells: rows, then columns, then the two diagonals.
const LINES: [[usize; 3]; 8] =
    [[0, 1, 2], [3, 4, 5], [6, 7, 8], [0, 3, 6], [1, 4, 7], [2, 5, 8], [0, 4, 8], [2, 4, 6]];

/// A game of tic-tac-toe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicTacToe {
    /// Who owns each cell, row-major from the top-left.
    board: [Option<Seat>; 9],
    /// The seat to move next (meaningless once the game is over).
    next: Seat,
    /// The most recent move, for the view.
    last_move: Option<LastPlace>,
    /// The winning line, once someone has made one.
    line: Option<[usize; 3]>,
}

/// Tic-tac-toe has no options; this serializes as `{}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TicTacToeOptions {}

/// A move: mark one cell, `{"cell": 4}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Place {
    /// The cell, 0 to 8, row by row from the top-left.
    pub cell: usize,
}

/// The most recent move, as shown in the view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LastPlace {
    /// The seat that moved.
    pub seat: Seat,
    /// The cell it marked.
    pub cell: usize,
}

/// What a viewer sees; the same for everyone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TicTacToeView {
    /// Each cell's mark (`"X"` or `"O"`), or `null` when empty; row-major from the top-left.
    pub board: [Option<&'static str>; 9],
    /// The mark of each seat: `["X", "O"]`.
    pub marks: [&'static str; 2],
    /// The most recent move, or `null` before the first.
    pub last_move: Option<LastPlace>,
    /// The three cells of the winning line, or `null`.
    pub line: Option<[usize; 3]>,
}

impl TicTacToe {
    fn is_full(&self) -> bool {
        self.board.iter().all(Option::is_some)
    }

    /// The first complete line on the board, if any.
    fn find_line(&self) -> Option<[usize; 3]> {
        LINES.into_iter().find(|line| {
            let first = self.board[line[0]];
            first.is_some() && line.iter().all(|&cell| self.board[cell] == first)
        })
    }
}

impl Game for TicTacToe {
    const KIND: &'static str = "tictactoe";
    const NAME: &'static str = "Tic-tac-toe";
    const ABOUT: &'static str = "Three in a row wins. X moves first. A move is {\"cell\": 0..8}, row by row from the top-left.";

    type Options = TicTacToeOptions;
    type Move = Place;
    type View = TicTacToeView;

    fn players(_: &TicTacToeOptions) -> Players {
        Players::exactly(2)
    }

    fn new(_: &TicTacToeOptions, _: usize, _: &mut Rng) -> Self {
        TicTacToe { board: [None; 9], next: 0, last_move: None, line: None }
    }

    fn turn(&self) -> Vec<Seat> {
        if self.outcome().is_some() { vec![] } else { vec![self.next] }
    }

    fn validate(&self, seat: Seat, mv: &Place) -> Result<(), RuleError> {
        if self.outcome().is_some() {
            return Err(RuleError::GameOver);
        }
        if seat != self.next {
            return Err(RuleError::NotYourTurn);
        }
        match self.board.get(mv.cell) {
            None => Err(RuleError::BadMove(format!("cell must be 0 to 8, got {}", mv.cell))),
            Some(Some(_)) => Err(RuleError::Illegal(format!("cell {} is taken", mv.cell))),
            Some(None) => Ok(()),
        }
    }

    fn apply(&mut self, seat: Seat, mv: Place, _: &mut Rng) {
        self.board[mv.cell] = Some(seat);
        self.last_move = Some(LastPlace { seat, cell: mv.cell });
        self.line = self.find_line();
        self.next = 1 - seat;
    }

    fn view(&self, _: Viewer) -> TicTacToeView {
        TicTacToeView {
            board: self.board.map(|cell| cell.map(|seat| MARKS[seat])),
            marks: MARKS,
            last_move: self.last_move,
            line: self.line,
        }
    }

    fn outcome(&self) -> Option<Outcome> {
        if let Some(line) = self.line {
            let winner = self.board[line[0]].expect("a winning line is marked");
            Some(Outcome::win(winner, "line"))
        } else if self.is_full() {
            Some(Outcome::draw("draw"))
        } else {
            None
        }
    }

    /// Seats move on after each game, so that the other player starts the next.
    fn rotate_seats_on_rematch() -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use capital_engine::{DynGame, kind, replay};
    use serde_json::{Value, json};

    use super::*;
    use crate::testing::{assert_refused, create, play_in_turn};

    /// Plays `cells` in order, each for the seat whose turn it is.
    fn play_all(game: &mut dyn DynGame, cells: &[usize]) {
        play_in_turn(game, cells.iter().map(|cell| json!({ "cell": cell })));
    }

    fn new_game() -> Box<dyn DynGame> {
        let (game, options) = create(&*kind::<TicTacToe>(), &Value::Null).unwrap();
        assert_eq!(options, json!({}));
        game
    }

    #[test]
    fn metadata_and_options() {
        let entry = kind::<TicTacToe>();
        assert_eq!((entry.kind(), entry.name()), ("tictactoe", "Tic-tac-toe"));
        assert_eq!(entry.default_options(), json!({}));
        assert_eq!(entry.check(&json!({})).map(|(_, p)| p.max), Ok(2));
        assert!(create(&*entry, &json!({})).is_ok());
        assert!(matches!(create(&*entry, &json!({"size": 4})), Err(RuleError::BadOptions(_))));
    }

    #[test]
    fn initial_state() {
        let game = new_game();
        assert_eq!(game.players(), 2);
        assert_eq!(game.turn(), vec![0]);
        assert_eq!(game.outcome(), None);
        assert_eq!(
            game.view(Viewer::Spectator),
            json!({"board": vec![Value::Null; 9], "marks": ["X", "O"], "last_move": null, "line": null})
        );
    }

    #[test]
    fn turns_alternate_and_marks_follow_seats() {
        let mut game = new_game();
        assert_eq!(game.play(0, &json!({"cell": 4})), Ok(json!({"cell": 4})));
        assert_eq!(game.turn(), vec![1]);
        assert_eq!(game.play(1, &json!({"cell": 0})), Ok(json!({"cell": 0})));
        assert_eq!(game.turn(), vec![0]);
        let view = game.view(Viewer::Seat(0));
        assert_eq!(view["board"], json!(["O", null, null, null, "X", null, null, null, null]));
        assert_eq!(view["last_move"], json!({"seat": 1, "cell": 0}));
        assert_eq!(view["line"], Value::Null);
    }

    #[test]
    fn not_your_turn_is_refused() {
        let mut game = new_game();
        assert_refused(&mut *game, 1, json!({"cell": 0}), &RuleError::NotYourTurn);
        play_all(&mut *game, &[4]);
        assert_refused(&mut *game, 0, json!({"cell": 0}), &RuleError::NotYourTurn);
    }

    #[test]
    fn taken_cell_is_refused() {
        let mut game = new_game();
        play_all(&mut *game, &[4]);
        let taken = RuleError::Illegal("cell 4 is taken".into());
        assert_refused(&mut *game, 1, json!({"cell": 4}), &taken);
        assert_eq!(game.play(1, &json!({"cell": 8})), Ok(json!({"cell": 8})));
        let taken = RuleError::Illegal("cell 8 is taken".into());
        assert_refused(&mut *game, 0, json!({"cell": 8}), &taken);
    }

    #[test]
    fn malformed_or_out_of_range_moves_are_refused() {
        let mut game = new_game();
        play_all(&mut *game, &[4]);
        let bad = RuleError::BadMove(String::new());
        for mv in [
            json!({"cell": 9}),
            json!({"cell": 100}),
            json!({"cell": -1}),
            json!({"cell": 1.5}),
            json!({"cell": "3"}),
            json!({"cell": null}),
            json!({"column": 3}),
            json!({"cell": 3, "mark": "O"}),
            json!({}),
            json!(3),
            json!("cell 3"),
            Value::Null,
        ] {
            assert_refused(&mut *game, 1, mv, &bad);
        }
        assert_refused(&mut *game, 2, json!({"cell": 0}), &RuleError::NoSuchSeat(2));
    }

    #[test]
    fn validate_checks_everything_by_itself() {
        let mut game = TicTacToe::new(&TicTacToeOptions::default(), 2, &mut Rng::from_seed(0));
        assert_eq!(game.validate(1, &Place { cell: 0 }), Err(RuleError::NotYourTurn));
        assert!(matches!(game.validate(0, &Place { cell: 9 }), Err(RuleError::BadMove(_))));
        assert_eq!(game.validate(0, &Place { cell: 0 }), Ok(()));
        game.apply(0, Place { cell: 0 }, &mut Rng::from_seed(0));
        assert_eq!(
            game.validate(1, &Place { cell: 0 }),
            Err(RuleError::Illegal("cell 0 is taken".into()))
        );
        for (seat, cell) in [(1, 3), (0, 1), (1, 4), (0, 2)] {
            game.validate(seat, &Place { cell }).unwrap();
            game.apply(seat, Place { cell }, &mut Rng::from_seed(0));
        }
        assert_eq!(game.validate(1, &Place { cell: 8 }), Err(RuleError::GameOver));
    }

    #[test]
    fn every_line_wins_for_x() {
        for line in LINES {
            let others: Vec<usize> = (0..9).filter(|c| !line.contains(c)).take(2).collect();
            // X takes the line; O takes two cells elsewhere, never enough for a line of its own.
            let moves = [line[0], others[0], line[1], others[1], line[2]];
            let mut game = new_game();
            play_all(&mut *game, &moves[..4]);
            assert_eq!(game.outcome(), None, "line {line:?}");
            play_all(&mut *game, &moves[4..]);
            assert_eq!(game.outcome(), Some(Outcome::win(0, "line")), "line {line:?}");
            assert_eq!(game.turn(), Vec::<Seat>::new());
            let view = game.view(Viewer::Spectator);
            assert_eq!(view["line"], json!(line));
            assert_eq!(view["last_move"], json!({"seat": 0, "cell": line[2]}));
        }
    }

    #[test]
    fn wins_by_row_column_and_diagonal_for_either_seat() {
        // (moves, winner, line)
        let cases: [(&[usize], Seat, [usize; 3]); 4] = [
            (&[0, 3, 1, 4, 8, 5], 1, [3, 4, 5]), // O, middle row
            (&[0, 1, 3, 2, 6], 0, [0, 3, 6]),    // X, left column
            (&[0, 2, 1, 4, 8, 6], 1, [2, 4, 6]), // O, anti-diagonal
            (&[4, 1, 0, 2, 8], 0, [0, 4, 8]),    // X, diagonal
        ];
        for (moves, winner, line) in cases {
            let mut game = new_game();
            play_all(&mut *game, moves);
            assert_eq!(game.outcome(), Some(Outcome::win(winner, "line")), "{moves:?}");
            assert_eq!(game.view(Viewer::Seat(0))["line"], json!(line), "{moves:?}");
        }
    }

    #[test]
    fn full_board_without_a_line_is_a_draw() {
        // X O X
        // X O O
        // O X X
        let moves = [0, 1, 2, 4, 3, 5, 7, 6, 8];
        let mut game = new_game();
        play_all(&mut *game, &moves[..8]);
        assert_eq!(game.outcome(), None);
        assert_eq!(game.turn(), vec![0]);
        play_all(&mut *game, &moves[8..]);
        assert_eq!(game.outcome(), Some(Outcome::draw("draw")));
        assert_eq!(game.turn(), Vec::<Seat>::new());
        assert_eq!(
            game.view(Viewer::Spectator),
            json!({
                "board": ["X", "O", "X", "X", "O", "O", "O", "X", "X"],
                "marks": ["X", "O"],
                "last_move": {"seat": 0, "cell": 8},
                "line": null,
            })
        );
    }

    #[test]
    fn a_win_on_the_last_cell_is_a_win_not_a_draw() {
        // The ninth mark (X at 8) fills the board and completes the diagonal 0-4-8:
        // X O X
        // O X O
        // O X X
        let moves = [0, 1, 2, 3, 4, 5, 7, 6, 8];
        let mut game = new_game();
        play_all(&mut *game, &moves);
        assert_eq!(game.outcome(), Some(Outcome::win(0, "line")));
        assert_eq!(game.view(Viewer::Spectator)["line"], json!([0, 4, 8]));
    }

    #[test]
    fn moves_after_the_end_are_refused() {
        let mut game = new_game();
        play_all(&mut *game, &[0, 3, 1, 4, 2]);
        assert_refused(&mut *game, 1, json!({"cell": 8}), &RuleError::GameOver);
        assert_refused(&mut *game, 0, json!({"cell": 8}), &RuleError::GameOver);
    }

    #[test]
    fn every_viewer_sees_the_same() {
        let mut game = new_game();
        play_all(&mut *game, &[4, 0, 8]);
        let spectator = game.view(Viewer::Spectator);
        assert_eq!(game.view(Viewer::Seat(0)), spectator);
        assert_eq!(game.view(Viewer::Seat(1)), spectator);
    }

    #[test]
    fn replaying_the_log_gives_the_same_game() {
        let mut game = new_game();
        let mut log = Vec::new();
        for (i, cell) in [4, 0, 8, 2, 1].into_iter().enumerate() {
            let canonical = game.play(i % 2, &json!({ "cell": cell })).unwrap();
            log.push((i % 2, canonical));
        }
        let entry = kind::<TicTacToe>();
        let replayed = replay(&*entry, &json!({}), 2, 0, log.iter().map(|(s, m)| (*s, m))).unwrap();
        assert_eq!(replayed.view(Viewer::Spectator), game.view(Viewer::Spectator));
        assert_eq!(replayed.turn(), game.turn());
        assert_eq!(replayed.outcome(), game.outcome());
    }
}
