"""Errors a user can cause: the CLI prints them as one line, without a traceback."""


class UserError(Exception):
    """A problem with input, configuration or environment that the user can fix."""
