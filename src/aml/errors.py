"""The one exception type for user mistakes: the CLI prints its message on one line."""


class AmlError(Exception):
    """A problem the user can fix (bad path, missing dataset, broken file); never a bug."""


class DataUnavailable(AmlError):
    """A dataset that is not on this machine: an example needing it is skipped, not failed.

    `fix` is the command that gets it (`aml data fetch NAME` or an import)."""

    def __init__(self, message: str, fix: str):
        super().__init__(message)
        self.fix = fix
