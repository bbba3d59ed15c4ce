"""The injector's exceptions: one root, so the command line can turn any of them into exit code 2."""


class InjectorError(Exception):
    """Root of every error the injector raises on purpose."""


class UsageError(InjectorError):
    """Raised for options that cannot work together or paths that cannot be used."""


class FileError(InjectorError):
    """Raised when one template cannot be read or written; the message names the file."""
