"""Seed data shipped in the package: the tag taxonomy and Cambodia's capital and provinces."""
