"""Bulk documents produced in the background: a queue of jobs with progress and a download."""
