//! Dots and boxes, for 2 to 4 players, with a turn timer by default.
//!
//! A grid of `rows` x `cols` boxes (4 x 4 by default, 2 to 7 each way) drawn with dots. Seats take
//! turns drawing one line between two neighbouring dots. Whoever draws the fourth side of a box
//! owns it and draws again; otherwise the turn passes on. When every line is drawn, the most boxes
//! wins (`"most_boxes"`); a tie for the most is a draw (`"tie"`). A turn timer running out draws
//! a random free line for the seat. Rooms get a 30-second turn timer unless `create_room` asks
//! for another (`"turn_seconds": 0` turns it off).
//!
//! With three or four players, a player who leaves (or forfeits) drops out: their boxes stay
//! theirs but they are skipped and cannot win; when one player is left, they win
//! (`"last_player"`). The view's `out` marks the seats that dropped out.
//!
//! A move is `{"dir": "h", "row": R, "col": C}`: the horizontal line from dot (R, C) to (R, C+1)
//! (`row` 0..=rows, `col` 0..cols); or `{"dir": "v", "row": R, "col": C}`: the vertical line from
//! dot (R, C) to (R+1, C) (`row` 0..rows, `col` 0..=cols). Dots are numbered from the top left.
//! Everything is public: the view has who drew each line, who owns each box, the scores, and the
//! last line drawn.

use capital_engine::{Game, OptionSpec, Outcome, Players, Rng, RuleError, Seat, Timeout, Viewer};
use serde::{Deserialize, Serialize};

/// The options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DotsOptions {
    /// Boxes from top to bottom.
    pub rows: usize,
    /// Boxes from left to right.
    pub cols: usize,
}

impl Default for DotsOptions {
    fn default() -> Self {
        DotsOptions { rows: 4, cols: 4 }
    }
}

/// Which way a line runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Dir {
    /// Left to right.
    #[serde(rename = "h")]
    Across,
    /// Top to bottom.
    #[serde(rename = "v")]
    Down,
}

/// A move: one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    /// `"h"` or `"v"`.
    pub dir: Dir,
    /// The row of its first dot.
    pub row: usize,
    /// The column of its first dot.
    pub col: usize,
}

/// What everyone sees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DotsView {
    /// Boxes from top to bottom.
    pub rows: usize,
    /// Boxes from left to right.
    pub cols: usize,
    /// Horizontal lines, `rows + 1` rows of `cols`: the seat that drew each, or `null`.
    pub h: Vec<Vec<Option<Seat>>>,
    /// Vertical lines, `rows` rows of `cols + 1`: the seat that drew each, or `null`.
    pub v: Vec<Vec<Option<Seat>>>,
    /// Boxes, `rows` rows of `cols`: the seat that owns each, or `null`.
    pub boxes: Vec<Vec<Option<Seat>>>,
    /// Boxes owned, per seat.
    pub scores: Vec<usize>,
    /// The last line drawn, if any.
    pub last: Option<Line>,
    /// Seats that dropped out.
    pub out: Vec<bool>,
}

/// A game of dots and boxes.
#[derive(Debug, Clone)]
pub struct DotsAndBoxes {
    rows: usize,
    cols: usize,
    h: Vec<Vec<Option<Seat>>>,
    v: Vec<Vec<Option<Seat>>>,
    boxes: Vec<Vec<Option<Seat>>>,
    players: usize,
    next: Seat,
    last: Option<Line>,
    out: Vec<bool>,
}

impl DotsAndBoxes {
    fn line(&self, line: Line) -> Option<Option<Seat>> {
        let grid = match line.dir {
            Dir::Across => &self.h,
            Dir::Down => &self.v,
        };
        grid.get(line.row).and_then(|r| r.get(line.col)).copied()
    }

    /// Whether box (r, c) has all four sides.
    fn closed(&self, r: usize, c: usize) -> bool {
        self.h[r][c].is_some()
            && self.h[r + 1][c].is_some()
            && self.v[r][c].is_some()
            && self.v[r][c + 1].is_some()
    }

    /// The boxes on either side of a line.
    fn sides(&self, line: Line) -> Vec<(usize, usize)> {
        let Line { row, col, .. } = line;
        match line.dir {
            Dir::Across => [row.checked_sub(1), (row < self.rows).then_some(row)]
                .into_iter()
                .flatten()
                .map(|r| (r, col))
                .collect(),
            Dir::Down => [col.checked_sub(1), (col < self.cols).then_some(col)]
                .into_iter()
                .flatten()
                .map(|c| (row, c))
                .collect(),
        }
    }

    fn free_lines(&self) -> Vec<Line> {
        let across = (0..=self.rows)
            .flat_map(|row| (0..self.cols).map(move |col| Line { dir: Dir::Across, row, col }));
        let down = (0..self.rows)
            .flat_map(|row| (0..=self.cols).map(move |col| Line { dir: Dir::Down, row, col }));
        across.chain(down).filter(|l| self.line(*l) == Some(None)).collect()
    }

    /// The next seat after `seat` still in the game.
    fn after(&self, seat: Seat) -> Seat {
        (1..=self.players)
            .map(|step| (seat + step) % self.players)
            .find(|&s| !self.out[s])
            .unwrap_or(seat)
    }

    fn scores(&self) -> Vec<usize> {
        let mut scores = vec![0; self.players];
        for owner in self.boxes.iter().flatten().flatten() {
            scores[*owner] += 1;
        }
        scores
    }
}

impl Game for DotsAndBoxes {
    const KIND: &'static str = "dots_and_boxes";
    const NAME: &'static str = "Dots and boxes";
    const ABOUT: &'static str = "Draw lines between dots; close a box to own it and draw again. \
        Most boxes wins. A move is {\"dir\": \"h\" | \"v\", \"row\": R, \"col\": C}.";

    type Options = DotsOptions;
    type Move = Line;
    type View = DotsView;

    fn check_options(options: &DotsOptions) -> Result<(), RuleError> {
        let ok = |n: usize| (2..=7).contains(&n);
        if ok(options.rows) && ok(options.cols) {
            Ok(())
        } else {
            Err(RuleError::BadOptions(format!(
                "rows and cols must be 2 to 7, got {} x {}",
                options.rows, options.cols
            )))
        }
    }

    fn options_schema() -> Vec<OptionSpec> {
        vec![
            OptionSpec::integer("rows", "Rows of boxes", (2, 7, 1), 4),
            OptionSpec::integer("cols", "Columns of boxes", (2, 7, 1), 4),
        ]
    }

    fn players(_: &DotsOptions) -> Players {
        Players::between(2, 4)
    }

    fn default_turn_seconds() -> Option<u32> {
        Some(30)
    }

    fn new(options: &DotsOptions, players: usize, _: &mut Rng) -> Self {
        let (rows, cols) = (options.rows, options.cols);
        DotsAndBoxes {
            rows,
            cols,
            h: vec![vec![None; cols]; rows + 1],
            v: vec![vec![None; cols + 1]; rows],
            boxes: vec![vec![None; cols]; rows],
            players,
            next: 0,
            last: None,
            out: vec![false; players],
        }
    }

    fn turn(&self) -> Vec<Seat> {
        if self.outcome().is_some() { vec![] } else { vec![self.next] }
    }

    fn validate(&self, seat: Seat, line: &Line) -> Result<(), RuleError> {
        if seat >= self.players {
            return Err(RuleError::NoSuchSeat(seat));
        }
        if self.outcome().is_some() {
            return Err(RuleError::GameOver);
        }
        if seat != self.next {
            return Err(RuleError::NotYourTurn);
        }
        match self.line(*line) {
            None => Err(RuleError::BadMove(format!(
                "there is no such line on a {} x {} grid",
                self.rows, self.cols
            ))),
            Some(Some(_)) => Err(RuleError::Illegal("that line is drawn already".into())),
            Some(None) => Ok(()),
        }
    }

    fn apply(&mut self, seat: Seat, line: Line, _: &mut Rng) {
        match line.dir {
            Dir::Across => self.h[line.row][line.col] = Some(seat),
            Dir::Down => self.v[line.row][line.col] = Some(seat),
        }
        let mut closed_one = false;
        for (r, c) in self.sides(line) {
            if self.boxes[r][c].is_none() && self.closed(r, c) {
                self.boxes[r][c] = Some(seat);
                closed_one = true;
            }
        }
        if !closed_one {
            self.next = self.after(seat);
        }
        self.last = Some(line);
    }

    fn view(&self, _: Viewer) -> DotsView {
        DotsView {
            rows: self.rows,
            cols: self.cols,
            h: self.h.clone(),
            v: self.v.clone(),
            boxes: self.boxes.clone(),
            scores: self.scores(),
            last: self.last,
            out: self.out.clone(),
        }
    }

    fn outcome(&self) -> Option<Outcome> {
        let playing: Vec<Seat> = (0..self.players).filter(|&s| !self.out[s]).collect();
        if let [seat] = playing[..] {
            return Some(Outcome::win(seat, "last_player"));
        }
        if self.boxes.iter().flatten().any(Option::is_none) {
            return None;
        }
        let scores = self.scores();
        let best = playing.iter().map(|&s| scores[s]).max().unwrap_or(0);
        let leaders: Vec<Seat> = playing.into_iter().filter(|&s| scores[s] == best).collect();
        Some(match leaders[..] {
            [seat] => Outcome::win(seat, "most_boxes"),
            _ => Outcome::draw("tie"),
        })
    }

    fn drop_out(&mut self, seat: Seat) -> bool {
        if self.out[seat] {
            return false;
        }
        self.out[seat] = true;
        if self.next == seat {
            self.next = self.after(seat);
        }
        true
    }

    fn timeout(&self, _: Seat, choice: &mut Rng) -> Timeout<Line> {
        let free = self.free_lines();
        match free.len() {
            0 => Timeout::Forfeit,
            n => Timeout::Play(free[choice.index(n)]),
        }
    }
}

#[cfg(test)]
#[path = "dots_and_boxes_tests.rs"]
mod tests;
