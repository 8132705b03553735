"""Working-day calendar pages."""
