//! Light cycles, a real-time arena for 2 to 8 players: phones steer, the big screen shows the
//! arena.
//!
//! Every cycle moves one cell per tick (20 ticks a second, or the `speed` option: 10 to 30)
//! and leaves a wall behind it. A cycle
//! that runs into a wall, the edge, or another cycle's head is out; when one cycle is left (or
//! none), the round is over and the survivor scores. After a pause of a second the next round
//! starts from the same places. After `rounds` rounds (3 by default) the most round wins wins the
//! game (`"most_rounds"`); a tie for the most is a draw.
//!
//! With three or more players, a player who leaves drops out: their cycle stops for good, and
//! the last player left wins (`"last_player"`); the view's `out` marks them.
//!
//! Input: `{"dir": "up" | "down" | "left" | "right"}`, the way to go from the next tick on
//! (turning straight back is refused; during the pause between rounds it sets the way the next
//! round starts). The view is the same for everyone: `width`, `height`,
//! `grid` (one character per cell, row by row from the top left: `.` empty, `a` to `h` the wall
//! of seat 0 to 7), `cycles` (each seat's `x`, `y`, `dir` and whether it is `alive`), `round`,
//! `rounds`, `scores`, `pause` (ticks left before the next round, 0 while racing) and
//! `round_winner`.

use capital_engine::{Game, OptionSpec, Outcome, Players, Rng, RuleError, Seat, Viewer};
use serde::{Deserialize, Serialize};

/// Ticks per second unless the `speed` option says otherwise.
pub const TICK_RATE: u32 = 20;
/// Slowest and fastest `speed`, cells (ticks) a second.
pub const SPEEDS: (u32, u32) = (10, 30);
/// The arena, in cells.
pub const WIDTH: usize = 48;
/// See [`WIDTH`].
pub const HEIGHT: usize = 32;
/// Ticks between rounds at the standard speed (a second, at any speed).
pub const PAUSE: u32 = TICK_RATE;

/// The options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CycleOptions {
    /// Rounds in a game.
    pub rounds: u32,
    /// Cells a second: the tick rate.
    pub speed: u32,
}

impl Default for CycleOptions {
    fn default() -> Self {
        CycleOptions { rounds: 3, speed: TICK_RATE }
    }
}

/// A way to go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dir {
    /// Towards row 0.
    Up,
    /// Away from row 0.
    Down,
    /// Towards column 0.
    Left,
    /// Away from column 0.
    Right,
}

impl Dir {
    fn opposite(self) -> Dir {
        match self {
            Dir::Up => Dir::Down,
            Dir::Down => Dir::Up,
            Dir::Left => Dir::Right,
            Dir::Right => Dir::Left,
        }
    }

    fn step(self) -> (i32, i32) {
        match self {
            Dir::Up => (0, -1),
            Dir::Down => (0, 1),
            Dir::Left => (-1, 0),
            Dir::Right => (1, 0),
        }
    }
}

/// An input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Steer {
    /// The way to go.
    pub dir: Dir,
}

/// One cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cycle {
    /// Column.
    pub x: i32,
    /// Row.
    pub y: i32,
    /// Where it is going.
    pub dir: Dir,
    /// Still in the round.
    pub alive: bool,
}

/// What everyone sees (the frames of the big screen and of every phone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CycleView {
    /// Cells across.
    pub width: usize,
    /// Cells down.
    pub height: usize,
    /// One character per cell, row by row: `.` or the wall of seat `a`..`h`.
    pub grid: String,
    /// Each seat's cycle.
    pub cycles: Vec<Cycle>,
    /// The round being played (1 first).
    pub round: u32,
    /// Rounds in the game.
    pub rounds: u32,
    /// Rounds won, per seat.
    pub scores: Vec<u32>,
    /// Ticks before the next round; 0 while racing.
    pub pause: u32,
    /// Who won the round that just ended (`null`: nobody, or still racing).
    pub round_winner: Option<Seat>,
    /// Seats that left the game.
    pub out: Vec<bool>,
}

/// A game of light cycles. Its whole state is its snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LightCycles {
    /// Walls: `None` or the seat whose wall it is, row by row.
    walls: Vec<Option<u8>>,
    cycles: Vec<Cycle>,
    round: u32,
    rounds: u32,
    scores: Vec<u32>,
    pause: u32,
    round_winner: Option<Seat>,
    /// Ways asked for during the pause, each seat's newest: the next round starts with them.
    #[serde(default)]
    ready: Vec<Option<Dir>>,
    /// Ticks a second (the pause between rounds is this many ticks).
    #[serde(default = "standard_speed")]
    speed: u32,
    /// Seats that dropped out (none, in a snapshot from before drop-outs).
    #[serde(default)]
    out: Vec<bool>,
}

/// The speed of a snapshot taken before there was a `speed` option.
fn standard_speed() -> u32 {
    TICK_RATE
}

impl LightCycles {
    /// Where every seat starts a round: half on the left going right, half on the right going
    /// left, on rows that never meet head on.
    fn starts(players: usize) -> Vec<Cycle> {
        // As many rows as the bigger side needs, twice over: the left side on the odd ones, the
        // right side on the even ones.
        let per_side = players.div_ceil(2);
        let slots = 2 * per_side + 2;
        (0..players)
            .map(|seat| {
                let (side, index) = (seat % 2, seat / 2);
                let row = (2 * index + 1 + side) * HEIGHT / slots;
                let (x, dir) =
                    if side == 0 { (3, Dir::Right) } else { (WIDTH as i32 - 4, Dir::Left) };
                Cycle { x, y: row as i32, dir, alive: true }
            })
            .collect()
    }

    /// Whether `seat` dropped out.
    fn is_out(&self, seat: Seat) -> bool {
        self.out.get(seat).copied().unwrap_or(false)
    }

    /// Seats still in the game.
    fn playing(&self) -> Vec<Seat> {
        (0..self.cycles.len()).filter(|&seat| !self.is_out(seat)).collect()
    }

    fn new_round(&mut self) {
        self.walls = vec![None; WIDTH * HEIGHT];
        self.cycles = Self::starts(self.cycles.len());
        for seat in 0..self.cycles.len() {
            self.cycles[seat].alive = !self.is_out(seat);
        }
        for (cycle, ready) in self.cycles.iter_mut().zip(std::mem::take(&mut self.ready)) {
            if let Some(dir) = ready.filter(|dir| *dir != cycle.dir.opposite()) {
                cycle.dir = dir;
            }
        }
        for (seat, cycle) in self.cycles.iter().enumerate().filter(|(_, c)| c.alive) {
            self.walls[cell(cycle.x, cycle.y).expect("starts are inside")] = Some(seat as u8);
        }
        self.round_winner = None;
    }

    fn racing(&self) -> bool {
        self.pause == 0 && self.outcome().is_none()
    }
}

/// The index of cell (x, y), if it is inside the arena.
fn cell(x: i32, y: i32) -> Option<usize> {
    let inside = (0..WIDTH as i32).contains(&x) && (0..HEIGHT as i32).contains(&y);
    inside.then(|| y as usize * WIDTH + x as usize)
}

impl Game for LightCycles {
    const KIND: &'static str = "light_cycles";
    const NAME: &'static str = "Light cycles";
    const ABOUT: &'static str = "Steer your cycle, leave a wall, and make the others crash into \
        it. Last one riding wins the round. Input: {\"dir\": \"up\" | \"down\" | \"left\" | \"right\"}.";

    type Options = CycleOptions;
    type Move = Steer;
    type View = CycleView;
    const SAME_VIEW_FOR_ALL: bool = true;

    fn check_options(options: &CycleOptions) -> Result<(), RuleError> {
        if !(1..=5).contains(&options.rounds) {
            return Err(RuleError::BadOptions(format!(
                "rounds must be 1 to 5, got {}",
                options.rounds
            )));
        }
        let (slowest, fastest) = SPEEDS;
        if !(slowest..=fastest).contains(&options.speed) {
            return Err(RuleError::BadOptions(format!(
                "speed must be {slowest} to {fastest} cells a second, got {}",
                options.speed
            )));
        }
        Ok(())
    }

    fn options_schema() -> Vec<OptionSpec> {
        let (slowest, fastest) = SPEEDS;
        vec![
            OptionSpec::integer("rounds", "Rounds", (1, 5, 1), 3),
            OptionSpec::integer(
                "speed",
                "Speed (cells a second)",
                (i64::from(slowest), i64::from(fastest), 5),
                i64::from(TICK_RATE),
            ),
        ]
    }

    fn players(_: &CycleOptions) -> Players {
        Players::between(2, 8)
    }

    fn tick_rate(options: &CycleOptions) -> Option<u32> {
        Some(options.speed)
    }

    fn new(options: &CycleOptions, players: usize, _: &mut Rng) -> Self {
        let mut game = LightCycles {
            walls: Vec::new(),
            cycles: vec![Cycle { x: 0, y: 0, dir: Dir::Up, alive: true }; players],
            round: 1,
            rounds: options.rounds,
            scores: vec![0; players],
            pause: 0,
            round_winner: None,
            ready: Vec::new(),
            speed: options.speed,
            out: vec![false; players],
        };
        game.new_round();
        game
    }

    /// While racing, the seats still riding; between rounds, everyone (inputs then wait).
    fn turn(&self) -> Vec<Seat> {
        if self.outcome().is_some() {
            return Vec::new();
        }
        let steering =
            |s: &Seat| if self.pause > 0 { !self.is_out(*s) } else { self.cycles[*s].alive };
        (0..self.cycles.len()).filter(steering).collect()
    }

    fn validate(&self, seat: Seat, steer: &Steer) -> Result<(), RuleError> {
        let cycle = self.cycles.get(seat).ok_or(RuleError::NoSuchSeat(seat))?;
        if self.racing() && steer.dir == cycle.dir.opposite() {
            return Err(RuleError::Illegal("a cycle cannot turn straight back".into()));
        }
        Ok(())
    }

    /// Real-time: nothing happens on a move; inputs wait for the next tick.
    fn apply(&mut self, _: Seat, _: Steer, _: &mut Rng) {}

    fn tick(&mut self, _dt_ms: u32, inputs: &[Option<Steer>], _: &mut Rng) {
        if self.outcome().is_some() {
            return;
        }
        if self.pause > 0 {
            // Steering during the pause sets the way the next round starts.
            self.ready.resize(self.cycles.len(), None);
            for (ready, input) in self.ready.iter_mut().zip(inputs) {
                if let Some(steer) = input {
                    *ready = Some(steer.dir);
                }
            }
            self.pause -= 1;
            if self.pause == 0 {
                self.round += 1;
                self.new_round();
            }
            return;
        }
        let mut next = Vec::with_capacity(self.cycles.len());
        for (seat, cycle) in self.cycles.iter_mut().enumerate() {
            if let Some(Some(steer)) = inputs.get(seat)
                && steer.dir != cycle.dir.opposite()
            {
                cycle.dir = steer.dir;
            }
            let (dx, dy) = cycle.dir.step();
            next.push((cycle.x + dx, cycle.y + dy));
        }
        let mut crashed = vec![false; self.cycles.len()];
        for seat in 0..self.cycles.len() {
            if !self.cycles[seat].alive {
                continue;
            }
            let (x, y) = next[seat];
            let into_wall = cell(x, y).is_none_or(|c| self.walls[c].is_some());
            let head_on = (0..self.cycles.len())
                .any(|other| other != seat && self.cycles[other].alive && next[other] == (x, y));
            crashed[seat] = into_wall || head_on;
        }
        for (seat, cycle) in self.cycles.iter_mut().enumerate() {
            if !cycle.alive {
                continue;
            }
            if crashed[seat] {
                cycle.alive = false;
            } else {
                (cycle.x, cycle.y) = next[seat];
                self.walls[cell(cycle.x, cycle.y).expect("checked inside")] = Some(seat as u8);
            }
        }
        let riding: Vec<Seat> = (0..self.cycles.len()).filter(|&s| self.cycles[s].alive).collect();
        if riding.len() <= 1 {
            self.round_winner = riding.first().copied();
            if let Some(winner) = self.round_winner {
                self.scores[winner] += 1;
            }
            if self.round < self.rounds {
                self.pause = self.speed;
            } else {
                self.round += 1; // past the last round: the game is over
            }
        }
    }

    fn view(&self, _: Viewer) -> CycleView {
        let grid =
            self.walls.iter().map(|w| w.map_or('.', |seat| char::from(b'a' + seat))).collect();
        CycleView {
            width: WIDTH,
            height: HEIGHT,
            grid,
            cycles: self.cycles.clone(),
            round: self.round.min(self.rounds),
            rounds: self.rounds,
            scores: self.scores.clone(),
            pause: self.pause,
            round_winner: self.round_winner,
            out: (0..self.cycles.len()).map(|seat| self.is_out(seat)).collect(),
        }
    }

    fn outcome(&self) -> Option<Outcome> {
        let playing = self.playing();
        if let [seat] = playing[..] {
            return Some(Outcome::win(seat, "last_player"));
        }
        if self.round <= self.rounds {
            return None;
        }
        let best = playing.iter().map(|&s| self.scores[s]).max().unwrap_or(0);
        let leaders: Vec<Seat> = playing.into_iter().filter(|&s| self.scores[s] == best).collect();
        Some(match leaders[..] {
            [seat] => Outcome::win(seat, "most_rounds"),
            _ => Outcome::draw("tie"),
        })
    }

    /// The cycle stops where it is (its wall stays until the round ends) and never rides again.
    fn drop_out(&mut self, seat: Seat) -> bool {
        if self.is_out(seat) {
            return false;
        }
        self.out.resize(self.cycles.len(), false);
        self.out[seat] = true;
        self.cycles[seat].alive = false;
        true
    }

    fn snapshot(&self) -> Option<serde_json::Value> {
        serde_json::to_value(self).ok()
    }

    fn from_snapshot(_: &CycleOptions, snapshot: &serde_json::Value) -> Option<Self> {
        let game: LightCycles = serde_json::from_value(snapshot.clone()).ok()?;
        let sane = game.walls.len() == WIDTH * HEIGHT && game.scores.len() == game.cycles.len();
        sane.then_some(game)
    }
}

#[cfg(test)]
#[path = "light_cycles_tests.rs"]
mod tests;
