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
#[path = "connect_four_tests.rs"]
mod tests;
