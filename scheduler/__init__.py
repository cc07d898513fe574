"""Timed jobs and the outbox sender (grows with the features that need them)."""
