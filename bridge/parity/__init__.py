"""Java/Python feature parity: a catalog of capabilities and live checks of each."""
