"""The candidate portal."""
