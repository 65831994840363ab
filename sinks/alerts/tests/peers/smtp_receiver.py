"""A real SMTP server for the e-mail channel's tests (aiosmtpd).

Usage: smtp_receiver.py PORT USER PASSWORD

Listens on 127.0.0.1:PORT, requires AUTH (PLAIN or LOGIN) with USER and
PASSWORD (allowed without TLS: loopback only), prints "ready" and then
each accepted e-mail as one JSON line: {"mail_from", "rcpt_tos", "data",
"user"}. Runs until killed.
"""

import asyncio
import json
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


def main():
    port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (
            auth_data.login.decode() == user
            and auth_data.password.decode() == password
        )
        return AuthResult(success=ok)

    class Printer:
        async def handle_DATA(self, server, session, envelope):
            if not session.authenticated:
                return "530 5.7.0 Authentication required"
            print(
                json.dumps(
                    {
                        "mail_from": envelope.mail_from,
                        "rcpt_tos": envelope.rcpt_tos,
                        "data": envelope.content.decode("utf8", errors="replace"),
                        "user": user,
                    }
                ),
                flush=True,
            )
            return "250 OK"

    controller = Controller(
        Printer(),
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticate,
        auth_require_tls=False,
        auth_required=True,
    )
    controller.start()
    print("ready", flush=True)
    try:
        asyncio.new_event_loop().run_forever()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
