"""The console's test fixtures, shared by the pages' test files (defined in test_console)."""

from tests.web.test_console import world  # noqa: F401 - pytest finds the fixture here
