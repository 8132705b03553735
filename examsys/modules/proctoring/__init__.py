"""Proctoring: check-in, incidents and rulings, the room record, the supervisor's view."""
