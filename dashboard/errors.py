"""One base for every error the core raises on bad input or configuration.

Front ends catch ``DataBloomError`` (and ``OSError``) and nothing narrower: the CLI prints one line and exits 2,
a page shows the message where the user looks. Each error's message says what to do.
"""


class DataBloomError(ValueError):
    """Bad input, format, configuration or data file: an expected failure with a message for the user."""
