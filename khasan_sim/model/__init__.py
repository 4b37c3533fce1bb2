"""The pure model: plain data and pure functions (stdlib and numpy only)."""
