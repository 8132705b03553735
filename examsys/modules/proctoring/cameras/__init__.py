"""Exam-room cameras: the registry, the recorder process, playback, incident snapshots, retention."""
