"""The candidate's machine test: papers prepared per seat, autosave, server-side time, scoring."""
