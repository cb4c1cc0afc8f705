"""The exceptions behovxl raises. The CLI turns each into a clear message."""


class BehovxlError(Exception):
    """Base class: a problem the user can act on, with a message that says how."""


class UsageError(BehovxlError):
    """Wrong options or arguments."""


class UnknownFormError(BehovxlError):
    """A workbook of a form or version that we have no definition for."""


class UnreadableWorkbookError(BehovxlError):
    """A file that is not a workbook of ours: not xlsx, corrupt, encrypted, another template."""


class RosterError(BehovxlError):
    """A roster (list of networks) that cannot be read: the message names the file and the row."""


class DefinitionError(BehovxlError):
    """A form definition (TOML) that is broken: the message names the file and the key."""


class OutputError(BehovxlError):
    """An output path that cannot or must not be written."""


class InternalError(BehovxlError):
    """A bug in behovxl; the message names the log file that holds the traceback."""
