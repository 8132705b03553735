"""Question banks: knowledge structures, items, practical tasks, blueprints and papers."""
