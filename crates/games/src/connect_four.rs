//! Connect four: two players take turns dropping discs into a 7-column, 6-row upright board; a
//! disc falls to the lowest empty cell of its column. Four discs of one seat in a row
//! (horizontally, vertically or diagonally) win; a full board without such a line is a draw.
//!
//! Seat 0 moves first. A move names a column, numbered 0 to 6 from the left:
//!
//! ```json
//! {"column": 3}
//! ```
//!
//! The view is the same for every viewer (nothing is hidden). `board` is a list of rows, row 0
//! being the TOP row; each entry is the seat that owns the disc there, or `null`:
//!
//! ```json
//! {"columns": 7, "rows": 6,
//!  "board": [[null, null, null, null, null, null, null],
//!            [null, null, null, null, null, null, null],
//!            [null, null, null, null, null, null, null],
//!            [null, null, null, null, null, null, null],
//!            [null, null, null, 1,    null, null, null],
//!            [null, null, null, 0,    null, null, null]],
//!  "last_move": {"seat": 1, "column": 3, "row": 4},
//!  "line": null}
//! ```
//!
//! `line` holds the four winning cells as `[row, column]` pairs once there is one, in order along
//! the line: left to right for a horizontal line, top to bottom otherwise. When a move makes more
//! than four in a row, `line` is four of them including the disc just dropped.

use capital_engine::{Game, Outcome, Players, Rng, RuleError, Seat, Viewer};
use serde::{Deserialize, Serialize};

/// Number of columns on the board.
pub const COLUMNS: usize = 7;
/// Number of rows on the board.
pub const ROWS: usize = 6;

/// The four directions a line can run in, as (row step, column step): horizontal, vertical, and
/// the two diagonals. Walking each from its negative end gives the order documented for `line`.
const DIRECTIONS: [(isize, isize); 4] = [(0, 1), (1, 0), (1, 1), (1, -1)];

/// Four cells in a row, as `[row, column]` pairs.
pub type Line = [[usize; 2]; 4];

/// A game of connect four.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectFour {
    /// Who owns each cell; `board[row][column]`, row 0 at the top.
    board: [[Option<Seat>; COLUMNS]; ROWS],
    /// The seat to move next (meaningless once the game is over).
    next: Seat,
    /// The most recent move, for the view.
    last_move: Option<LastDrop>,
    /// The winning four cells as `[row, column]`, once someone has made a line.
    line: Option<Line>,
}

/// Connect four has no options; this serializes as `{}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConnectFourOptions {}

/// A move: drop a disc into a column, `{"column": 3}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Drop {
    /// The column, 0 to 6 from the left.
    pub column: usize,
}

/// The most recent move, as shown in the view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LastDrop {
    /// The seat that moved.
    pub seat: Seat,
    /// The column it dropped into.
    pub column: usize,
    /// The row where the disc landed (0 is the top row).
    pub row: usize,
}

/// What a viewer sees; the same for everyone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConnectFourView {
    /// Number of columns, 7.
    pub columns: usize,
    /// Number of rows, 6.
    pub rows: usize,
    /// `board[row][column]`: the seat owning the disc there, or `null`. Row 0 is the top row.
    pub board: [[Option<Seat>; COLUMNS]; ROWS],
    /// The most recent move, or `null` before the first.
    pub last_move: Option<LastDrop>,
    /// The four winning cells as `[row, column]` pairs, or `null`.
    pub line: Option<Line>,
}

impl ConnectFour {
    /// The row a disc dropped into `column` would land in, or `None` if the column is full.
    fn landing_row(&self, column: usize) -> Option<usize> {
        (0..ROWS).rev().find(|&row| self.board[row][column].is_none())
    }

    /// The owner of the cell at (`row`, `column`), or `None` if empty or off the board.
    fn owner(&self, row: isize, column: isize) -> Option<Seat> {
        let row = usize::try_from(row).ok()?;
        let column = usize::try_from(column).ok()?;
        *self.board.get(row)?.get(column)?
    }

    /// How many discs of `seat` follow (`row`, `column`) in direction (`dr`, `dc`), not counting
    /// the cell itself.
    fn run(&self, seat: Seat, row: usize, column: usize, (dr, dc): (isize, isize)) -> isize {
        let (row, column) = (row as isize, column as isize);
        let mut n = 0;
        while self.owner(row + (n + 1) * dr, column + (n + 1) * dc) == Some(seat) {
            n += 1;
        }
        n
    }

    /// A line of four through the disc at (`row`, `column`), if its owner has one.
    fn line_through(&self, row: usize, column: usize) -> Option<Line> {
        let seat = self.board[row][column]?;
        DIRECTIONS.into_iter().find_map(|(dr, dc)| {
            let back = self.run(seat, row, column, (-dr, -dc));
            let forward = self.run(seat, row, column, (dr, dc));
            if back + forward + 1 < 4 {
                return None;
            }
            // Start as far back as possible while keeping the new disc in the four.
            let start = -back.min(3);
            Some(std::array::from_fn(|i| {
                let step = start + i as isize;
                let r = row as isize + step * dr;
                let c = column as isize + step * dc;
                [r as usize, c as usize]
            }))
        })
    }

    fn is_full(&self) -> bool {
        self.board[0].iter().all(Option::is_some)
    }
}

impl Game for ConnectFour {
    const KIND: &'static str = "connect_four";
    const NAME: &'static str = "Connect four";
    const ABOUT: &'static str =
        "Drop discs; four in a row in any direction wins. A move is {\"column\": 0..6}.";

    type Options = ConnectFourOptions;
    type Move = Drop;
    type View = ConnectFourView;

    fn players(_: &ConnectFourOptions) -> Players {
        Players::exactly(2)
    }

    fn new(_: &ConnectFourOptions, _: usize, _: &mut Rng) -> Self {
        ConnectFour { board: [[None; COLUMNS]; ROWS], next: 0, last_move: None, line: None }
    }

    fn turn(&self) -> Vec<Seat> {
        if self.outcome().is_some() { vec![] } else { vec![self.next] }
    }

    fn validate(&self, seat: Seat, mv: &Drop) -> Result<(), RuleError> {
        if self.outcome().is_some() {
            return Err(RuleError::GameOver);
        }
        if seat != self.next {
            return Err(RuleError::NotYourTurn);
        }
        if mv.column >= COLUMNS {
            return Err(RuleError::BadMove(format!(
                "column must be 0 to {}, got {}",
                COLUMNS - 1,
                mv.column
            )));
        }
        match self.landing_row(mv.column) {
            Some(_) => Ok(()),
            None => Err(RuleError::Illegal(format!("column {} is full", mv.column))),
        }
    }

    fn apply(&mut self, seat: Seat, mv: Drop, _: &mut Rng) {
        let row = self.landing_row(mv.column).expect("validate refused full columns");
        self.board[row][mv.column] = Some(seat);
        self.last_move = Some(LastDrop { seat, column: mv.column, row });
        self.line = self.line_through(row, mv.column);
        self.next = 1 - seat;
    }

    fn view(&self, _: Viewer) -> ConnectFourView {
        ConnectFourView {
            columns: COLUMNS,
            rows: ROWS,
            board: self.board,
            last_move: self.last_move,
            line: self.line,
        }
    }

    fn outcome(&self) -> Option<Outcome> {
        if let Some([[row, column], ..]) = self.line {
            let winner = self.board[row][column].expect("a winning line is filled");
            Some(Outcome::win(winner, "four_in_a_row"))
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

    /// Drops into `columns` in order, each for the seat whose turn it is.
    fn play_all(game: &mut dyn DynGame, columns: &[usize]) {
        play_in_turn(game, columns.iter().map(|column| json!({ "column": column })));
    }

    fn new_game() -> Box<dyn DynGame> {
        let (game, options) = create(&*kind::<ConnectFour>(), &Value::Null).unwrap();
        assert_eq!(options, json!({}));
        game
    }

    #[test]
    fn metadata_and_options() {
        let entry = kind::<ConnectFour>();
        assert_eq!((entry.kind(), entry.name()), ("connect_four", "Connect four"));
        assert_eq!(entry.default_options(), json!({}));
        assert_eq!(entry.check(&json!({})).map(|(_, p)| p.max), Ok(2));
        assert!(matches!(create(&*entry, &json!({"rows": 8})), Err(RuleError::BadOptions(_))));
    }

    #[test]
    fn initial_state() {
        let game = new_game();
        assert_eq!(game.players(), 2);
        assert_eq!(game.turn(), vec![0]);
        assert_eq!(game.outcome(), None);
        assert_eq!(
            game.view(Viewer::Spectator),
            json!({
                "columns": 7,
                "rows": 6,
                "board": vec![vec![Value::Null; COLUMNS]; ROWS],
                "last_move": null,
                "line": null,
            })
        );
    }

    #[test]
    fn discs_fall_to_the_bottom_and_stack() {
        let mut game = new_game();
        assert_eq!(game.play(0, &json!({"column": 3})), Ok(json!({"column": 3})));
        assert_eq!(game.turn(), vec![1]);
        let view = game.view(Viewer::Seat(1));
        assert_eq!(view["board"][5][3], json!(0));
        assert_eq!(view["last_move"], json!({"seat": 0, "column": 3, "row": 5}));
        assert_eq!(game.play(1, &json!({"column": 3})), Ok(json!({"column": 3})));
        assert_eq!(game.turn(), vec![0]);
        let view = game.view(Viewer::Seat(0));
        assert_eq!(view["board"][4][3], json!(1));
        assert_eq!(view["board"][5][3], json!(0));
        assert_eq!(view["last_move"], json!({"seat": 1, "column": 3, "row": 4}));
        let filled = view["board"].as_array().unwrap().iter().flat_map(|r| r.as_array().unwrap());
        assert_eq!(filled.filter(|c| !c.is_null()).count(), 2);
    }

    #[test]
    fn not_your_turn_is_refused() {
        let mut game = new_game();
        assert_refused(&mut *game, 1, json!({"column": 0}), &RuleError::NotYourTurn);
        play_all(&mut *game, &[0]);
        assert_refused(&mut *game, 0, json!({"column": 0}), &RuleError::NotYourTurn);
    }

    #[test]
    fn full_column_is_refused() {
        let mut game = new_game();
        // Alternating discs: six in column 0 and no line.
        play_all(&mut *game, &[0; 6]);
        assert_eq!(game.outcome(), None);
        let full = RuleError::Illegal("column 0 is full".into());
        assert_refused(&mut *game, 0, json!({"column": 0}), &full);
        play_all(&mut *game, &[1]);
        assert_refused(&mut *game, 1, json!({"column": 0}), &full);
    }

    #[test]
    fn malformed_or_out_of_range_moves_are_refused() {
        let mut game = new_game();
        play_all(&mut *game, &[3]);
        let bad = RuleError::BadMove(String::new());
        for mv in [
            json!({"column": 7}),
            json!({"column": 1000}),
            json!({"column": -1}),
            json!({"column": 2.5}),
            json!({"column": "3"}),
            json!({"cell": 3}),
            json!({"column": 3, "row": 5}),
            json!({}),
            json!(3),
            Value::Null,
        ] {
            assert_refused(&mut *game, 1, mv, &bad);
        }
        assert_refused(&mut *game, 2, json!({"column": 0}), &RuleError::NoSuchSeat(2));
    }

    #[test]
    fn validate_checks_everything_by_itself() {
        let mut game = ConnectFour::new(&ConnectFourOptions::default(), 2, &mut Rng::from_seed(0));
        assert_eq!(game.validate(1, &Drop { column: 0 }), Err(RuleError::NotYourTurn));
        assert!(matches!(game.validate(0, &Drop { column: 7 }), Err(RuleError::BadMove(_))));
        for i in 0..6 {
            game.validate(i % 2, &Drop { column: 6 }).unwrap();
            game.apply(i % 2, Drop { column: 6 }, &mut Rng::from_seed(0));
        }
        assert_eq!(
            game.validate(0, &Drop { column: 6 }),
            Err(RuleError::Illegal("column 6 is full".into()))
        );
        for (seat, column) in [(0, 0), (1, 1), (0, 0), (1, 1), (0, 0), (1, 1), (0, 0)] {
            game.validate(seat, &Drop { column }).unwrap();
            game.apply(seat, Drop { column }, &mut Rng::from_seed(0));
        }
        assert_eq!(game.validate(1, &Drop { column: 2 }), Err(RuleError::GameOver));
    }

    #[test]
    fn four_in_a_row_wins_in_every_direction() {
        // (what, columns played with seats alternating from 0, winner, line)
        let cases: [(&str, &[usize], Seat, Line); 7] = [
            ("horizontal", &[0, 0, 1, 1, 2, 2, 3], 0, [[5, 0], [5, 1], [5, 2], [5, 3]]),
            (
                "horizontal, dropped on the left end",
                &[6, 6, 5, 5, 4, 4, 3],
                0,
                [[5, 3], [5, 4], [5, 5], [5, 6]],
            ),
            ("vertical", &[0, 1, 0, 1, 0, 1, 0], 0, [[2, 0], [3, 0], [4, 0], [5, 0]]),
            ("vertical, seat 1", &[0, 1, 0, 1, 2, 1, 2, 1], 1, [[2, 1], [3, 1], [4, 1], [5, 1]]),
            (
                "diagonal rising to the right",
                &[0, 1, 1, 2, 2, 3, 2, 3, 3, 6, 3],
                0,
                [[2, 3], [3, 2], [4, 1], [5, 0]],
            ),
            (
                "diagonal falling to the right",
                &[6, 5, 5, 4, 4, 3, 4, 3, 3, 0, 3],
                0,
                [[2, 3], [3, 4], [4, 5], [5, 6]],
            ),
            (
                "diagonal completed in the middle",
                // Seat 0 holds (5,0), (4,1) and (2,3), then fills (3,2).
                &[0, 1, 1, 2, 3, 3, 3, 2, 3, 6, 2],
                0,
                [[2, 3], [3, 2], [4, 1], [5, 0]],
            ),
        ];
        for (what, columns, winner, line) in cases {
            let mut game = new_game();
            let (last, before) = columns.split_last().unwrap();
            play_all(&mut *game, before);
            assert_eq!(game.outcome(), None, "{what}: won too early");
            play_all(&mut *game, &[*last]);
            assert_eq!(game.outcome(), Some(Outcome::win(winner, "four_in_a_row")), "{what}");
            assert_eq!(game.turn(), Vec::<Seat>::new(), "{what}");
            let view = game.view(Viewer::Spectator);
            assert_eq!(view["line"], json!(line), "{what}");
            assert_eq!(view["last_move"]["column"], json!(last), "{what}");
            for [row, column] in line {
                assert_eq!(view["board"][row][column], json!(winner), "{what}: ({row}, {column})");
            }
        }
    }

    #[test]
    fn five_in_a_row_reports_four_including_the_last_disc() {
        let mut game = new_game();
        // Seat 0 holds columns 0, 1, 3 and 4 of the bottom row, then fills column 2.
        play_all(&mut *game, &[0, 0, 1, 1, 3, 3, 4, 4, 2]);
        assert_eq!(game.outcome(), Some(Outcome::win(0, "four_in_a_row")));
        assert_eq!(game.view(Viewer::Spectator)["line"], json!([[5, 0], [5, 1], [5, 2], [5, 3]]));
    }

    #[test]
    fn full_board_without_four_is_a_draw() {
        // Fills the board so that cell (row, column) belongs to seat (column / 2 + row) % 2: rows
        // read AABBAAB, columns alternate, and no diagonal has four of a kind.
        let columns = [
            2, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 6, 4, 4, 4, 4,
            4, 4, 5, 5, 5, 5, 5, 5, 6, 6, 6, 6, 6,
        ];
        assert_eq!(columns.len(), COLUMNS * ROWS);
        let mut game = new_game();
        for (i, column) in columns.into_iter().enumerate() {
            assert_eq!(game.outcome(), None, "ended early before move {i}");
            play_all(&mut *game, &[column]);
        }
        assert_eq!(game.outcome(), Some(Outcome::draw("draw")));
        assert_eq!(game.turn(), Vec::<Seat>::new());
        let view = game.view(Viewer::Spectator);
        assert_eq!(view["line"], Value::Null);
        for row in 0..ROWS {
            for column in 0..COLUMNS {
                assert_eq!(view["board"][row][column], json!((column / 2 + row) % 2));
            }
        }
        assert_refused(&mut *game, 0, json!({"column": 0}), &RuleError::GameOver);
    }

    #[test]
    fn moves_after_a_win_are_refused() {
        let mut game = new_game();
        play_all(&mut *game, &[0, 0, 1, 1, 2, 2, 3]);
        assert_refused(&mut *game, 1, json!({"column": 4}), &RuleError::GameOver);
        assert_refused(&mut *game, 0, json!({"column": 4}), &RuleError::GameOver);
    }

    #[test]
    fn every_viewer_sees_the_same() {
        let mut game = new_game();
        play_all(&mut *game, &[3, 3, 4]);
        let spectator = game.view(Viewer::Spectator);
        assert_eq!(game.view(Viewer::Seat(0)), spectator);
        assert_eq!(game.view(Viewer::Seat(1)), spectator);
    }

    #[test]
    fn replaying_the_log_gives_the_same_game() {
        let mut game = new_game();
        let mut log = Vec::new();
        for (i, column) in [3, 3, 4, 2, 5, 6, 6].into_iter().enumerate() {
            let canonical = game.play(i % 2, &json!({ "column": column })).unwrap();
            log.push((i % 2, canonical));
        }
        let entry = kind::<ConnectFour>();
        let replayed = replay(&*entry, &json!({}), 2, 0, log.iter().map(|(s, m)| (*s, m))).unwrap();
        assert_eq!(replayed.view(Viewer::Spectator), game.view(Viewer::Spectator));
        assert_eq!(replayed.turn(), game.turn());
        assert_eq!(replayed.outcome(), game.outcome());
    }
}
