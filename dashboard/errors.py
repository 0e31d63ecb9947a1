"""One base for every error the core raises on bad input or configuration.

Front ends catch ``DataBloomError`` (and ``OSError``) and nothing narrower: the CLI prints one line and exits 2,
a page shows the message where the user looks. Each error's message says what to do, in the words of the surface
that shows it: an error that needs a setting names the CLI flag in the terminal (``str(exc)``, the CLI's phrasing)
and the page's own control on a page (``phrased(exc, WEB)``).
"""

from __future__ import annotations

CLI, WEB = "cli", "web"


class DataBloomError(ValueError):
    """Bad input, format, configuration or data file: an expected failure with a message for the user."""

    def __init__(self, message: str = "", *, cli: str = "", web: str = "") -> None:
        """``message`` says what is wrong; ``cli`` and ``web`` say what to do there, each with its own controls."""
        super().__init__(message)
        self.message = message
        self.remedies = {CLI: cli, WEB: web}

    def __str__(self) -> str:
        return self.phrased(CLI)

    def phrased(self, surface: str) -> str:
        """The message with the remedy of ``surface`` (CLI or WEB) appended in parentheses, when there is one."""
        remedy = self.remedies.get(surface, "")
        return f"{self.message} ({remedy})" if remedy else self.message


def phrased(exc: BaseException, surface: str) -> str:
    """What ``surface`` says about ``exc``: a DataBloomError in that surface's words, anything else as it reads."""
    return exc.phrased(surface) if isinstance(exc, DataBloomError) else str(exc)
