"""Competitions with prizes: admins create them, members enter, judges score, admins decide."""
