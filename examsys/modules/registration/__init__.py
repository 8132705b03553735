"""Registration: batches, applications, eligibility rules and the two-level review."""
