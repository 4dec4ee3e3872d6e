//! Prometheus metrics, served as text at `/metrics`.

use std::time::Duration;

use capital_protocol::ErrorCode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct GameLabel {
    game: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CodeLabel {
    code: String,
}

/// Every metric the server keeps. Updating one is an atomic add.
pub struct Metrics {
    registry: Registry,
    connections: Gauge,
    players_online: Gauge,
    rooms: Family<GameLabel, Gauge>,
    games_started: Family<GameLabel, Counter>,
    games_finished: Family<GameLabel, Counter>,
    messages_in: Counter,
    messages_out: Counter,
    chat_messages: Counter,
    errors: Family<CodeLabel, Counter>,
    db_write: Histogram,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("capital");
        let connections = Gauge::default();
        let players_online = Gauge::default();
        let rooms = Family::<GameLabel, Gauge>::default();
        let games_started = Family::<GameLabel, Counter>::default();
        let games_finished = Family::<GameLabel, Counter>::default();
        let messages_in = Counter::default();
        let messages_out = Counter::default();
        let chat_messages = Counter::default();
        let errors = Family::<CodeLabel, Counter>::default();
        // 100 µs to ~3 s: an fsync on a good SSD to a struggling SD card.
        let db_write = Histogram::new([
            0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
            3.0,
        ]);
        registry.register("connections", "Open WebSocket connections", connections.clone());
        registry.register(
            "players_online",
            "Players with a live connection",
            players_online.clone(),
        );
        registry.register("rooms", "Open rooms, by game", rooms.clone());
        registry.register("games_started", "Games started, by game", games_started.clone());
        registry.register("games_finished", "Games finished, by game", games_finished.clone());
        registry.register("messages_in", "Frames received from clients", messages_in.clone());
        registry.register("messages_out", "Frames sent to clients", messages_out.clone());
        registry.register("chat_messages", "Chat messages stored", chat_messages.clone());
        registry.register("errors", "Error replies, by code", errors.clone());
        registry.register(
            "db_write_seconds",
            "Time from handing writes to the store until they are durable",
            db_write.clone(),
        );
        Metrics {
            registry,
            connections,
            players_online,
            rooms,
            games_started,
            games_finished,
            messages_in,
            messages_out,
            chat_messages,
            errors,
            db_write,
        }
    }
}

fn game(kind: &str) -> GameLabel {
    GameLabel { game: kind.to_owned() }
}

impl Metrics {
    /// A WebSocket opened (+1) or closed (-1).
    pub fn connection(&self, delta: i64) {
        self.connections.inc_by(delta);
    }

    /// Sets the number of players online.
    pub fn set_players_online(&self, n: usize) {
        self.players_online.set(i64::try_from(n).unwrap_or(i64::MAX));
    }

    /// A room of `kind` opened (+1) or closed (-1).
    pub fn room(&self, kind: &str, delta: i64) {
        self.rooms.get_or_create(&game(kind)).inc_by(delta);
    }

    /// A game of `kind` started.
    pub fn game_started(&self, kind: &str) {
        self.games_started.get_or_create(&game(kind)).inc();
    }

    /// A game of `kind` finished.
    pub fn game_finished(&self, kind: &str) {
        self.games_finished.get_or_create(&game(kind)).inc();
    }

    /// A frame came in.
    pub fn message_in(&self) {
        self.messages_in.inc();
    }

    /// `n` frames went out.
    pub fn messages_out(&self, n: u64) {
        self.messages_out.inc_by(n);
    }

    /// Chat messages stored since the server started.
    pub fn chat_total(&self) -> u64 {
        self.chat_messages.get()
    }

    /// A chat message was stored.
    pub fn chat_message(&self) {
        self.chat_messages.inc();
    }

    /// An error reply with `code` was sent.
    pub fn error(&self, code: ErrorCode) {
        self.errors.get_or_create(&CodeLabel { code: code.as_str().to_owned() }).inc();
    }

    /// A wait for durable writes took `elapsed`.
    pub fn db_write(&self, elapsed: Duration) {
        self.db_write.observe(elapsed.as_secs_f64());
    }

    /// The Prometheus text exposition of every metric.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .expect("writing to a String cannot fail");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_format_has_the_metrics() {
        let m = Metrics::default();
        m.room("rps", 1);
        m.game_started("rps");
        m.error(ErrorCode::NotYourTurn);
        m.db_write(Duration::from_millis(2));
        let text = m.encode();
        assert!(text.contains("capital_rooms{game=\"rps\"} 1"), "{text}");
        assert!(text.contains("capital_games_started_total{game=\"rps\"} 1"), "{text}");
        assert!(text.contains("capital_errors_total{code=\"not_your_turn\"} 1"), "{text}");
        assert!(text.contains("capital_db_write_seconds_count 1"), "{text}");
        assert!(text.ends_with("# EOF\n"));
    }
}
