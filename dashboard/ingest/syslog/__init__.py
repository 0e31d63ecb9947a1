"""A syslog receiver that writes the access-log payload of each message to a file the dashboard can follow.

nginx (``access_log syslog:server=HOST:PORT``) sends RFC 3164 messages tagged ``nginx:``; ``logger`` sends
RFC 3164 or RFC 5424. Over TCP a connection uses octet-counting (``LEN SP MSG``) or newline framing (RFC
6587), recognised from its first byte. The header is stripped, the payload appended to the output file as one
line (an embedded newline is written as ``\\x0A``, the way nginx escapes bytes), flushed per batch, and the
file is rotated by rename + create at ``max_bytes``. Nothing a client sends can stop the receiver: malformed
messages are counted and logged, oversized ones are cut and counted.
"""

from dashboard.ingest.syslog.framing import MAX_MESSAGE_BYTES, FramingError, TcpFramer
from dashboard.ingest.syslog.message import MalformedMessage, SyslogMessage, as_line, parse_message
from dashboard.ingest.syslog.server import DEFAULT_HOST, DEFAULT_PORT, ReceiverStats, SyslogReceiver, parse_address
from dashboard.ingest.syslog.writer import BACKUPS, RotatingFile

__all__ = [
    "BACKUPS",
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "MAX_MESSAGE_BYTES",
    "FramingError",
    "MalformedMessage",
    "ReceiverStats",
    "RotatingFile",
    "SyslogMessage",
    "SyslogReceiver",
    "TcpFramer",
    "as_line",
    "parse_address",
    "parse_message",
]
