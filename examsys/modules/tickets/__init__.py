"""Admission tickets (准考证) and the exam-day papers of every room: door signs, desk labels, sign-in sheets."""
