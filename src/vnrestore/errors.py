"""Exception types.  Every message names the file (or input) and says what is wrong."""


class VnrestoreError(Exception):
    """Base class for errors vnrestore reports to its users."""


class ModelError(VnrestoreError):
    """A model directory is missing, incomplete, corrupt or of another format version."""


class InputError(VnrestoreError):
    """An input cannot be read as text (not UTF-8, binary, unreadable)."""


class OutputError(VnrestoreError):
    """An output path cannot be used as asked (a file where a directory is wanted)."""
