"""Request plumbing shared by every module."""
