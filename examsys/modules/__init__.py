"""One package per domain area."""
