"""Landing pages: the root redirect and the staff dashboard."""
