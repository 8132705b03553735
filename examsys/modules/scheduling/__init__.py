"""Rooms, seats and stations now; sessions, allocation and staffing build on them."""
