"""A local SMTP server (127.0.0.1) that records the messages it is given, and can refuse or hang."""

from __future__ import annotations

import socketserver
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage


class SmtpSink:
    """Minimal SMTP (EHLO, MAIL, RCPT, DATA, QUIT). ``mode``: "accept", "refuse" (421 on connect) or "hang"
    (say nothing until ``release`` is set)."""

    def __init__(self, port: int = 0, mode: str = "accept") -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.mode = mode
        self.release = threading.Event()
        self.connections = 0
        owner = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write(line.encode() + b"\r\n")
                self.wfile.flush()

            def handle(self) -> None:
                owner.connections += 1
                if owner.mode == "hang":
                    owner.release.wait(30)
                    return
                if owner.mode == "refuse":
                    self.reply("421 try again later")
                    return
                self.reply("220 sink ESMTP")
                sender, recipients = "", []
                for raw in self.rfile:
                    command = raw.decode(errors="replace").strip()
                    verb = command[:4].upper()
                    if verb in ("EHLO", "HELO"):
                        self.reply("250-sink\r\n250 8BITMIME")
                    elif verb == "MAIL":
                        sender, recipients = command.split(":", 1)[1].strip().strip("<>"), []
                        self.reply("250 ok")
                    elif verb == "RCPT":
                        recipients.append(command.split(":", 1)[1].strip().strip("<>"))
                        self.reply("250 ok")
                    elif verb == "DATA":
                        self.reply("354 go on")
                        data = b""
                        for line in self.rfile:
                            if line in (b".\r\n", b".\n"):
                                break
                            data += line[1:] if line.startswith(b"..") else line
                        owner.messages.append(message_from_bytes(data, policy=policy.default))
                        owner.envelopes.append((sender, recipients))
                        self.reply("250 queued")
                    elif verb == "QUIT":
                        self.reply("221 bye")
                        return
                    elif verb in ("RSET", "NOOP"):
                        self.reply("250 ok")
                    else:
                        self.reply("502 not implemented")

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
