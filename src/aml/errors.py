"""The one exception type for user mistakes: the CLI prints its message on one line."""


class AmlError(Exception):
    """A problem the user can fix (bad path, missing dataset, broken file); never a bug."""
