"""One error type for everything a user can get wrong.

The CLI turns it into a one-line message and exit status 2; library callers can
catch it like any exception.
"""


class StorylabError(Exception):
    """Bad input: a missing file, a corrupt checkpoint, a malformed config, ..."""
