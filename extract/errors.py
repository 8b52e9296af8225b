"""Errors a user can cause: the CLI prints them as one line, without a traceback."""


class UserError(Exception):
    """A problem with input, configuration or environment that the user can fix."""


def is_interrupt(exc: BaseException) -> bool:
    """Ctrl-C: a KeyboardInterrupt, or one that DuckDB turned into its own error because
    it arrived during a statement (which is then not committed)."""
    import duckdb

    if isinstance(exc, KeyboardInterrupt):
        return True
    return isinstance(exc, duckdb.Error) and str(exc).startswith("KeyboardInterrupt")
