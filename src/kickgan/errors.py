"""The error types of kickgan.

A ``KickganError`` is the user's problem (a bad file, a bad option, a missing
checkpoint): the command line prints its message on one line and exits, with no
traceback. Anything else is a bug and keeps its traceback.
"""


class KickganError(Exception):
    """An error the user can fix; its message names the file or option and the reason."""

    exit_code = 1


class ParameterError(KickganError, ValueError):
    """A bad parameter value passed to a library function (librosa's convention)."""

    exit_code = 2


class UsageError(KickganError):
    """A bad command-line option or argument."""

    exit_code = 2


class Terminated(KeyboardInterrupt):
    """SIGTERM (a job manager's ``kill``), handled as Ctrl+C is: a training run saves, then stops."""
