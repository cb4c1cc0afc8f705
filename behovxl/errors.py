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
    """A roster row that cannot become a workbook."""
