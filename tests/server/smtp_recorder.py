#!/usr/bin/env python3
"""A small SMTP server on loopback for the reminder tests (test_reminders.sh).

usage: smtp_recorder.py DIR [CERT KEY]

Listens on 127.0.0.1 at a free port written to DIR/port. Every message it
accepts is written to DIR/msg-N.eml (the DATA as received, dot-unstuffed)
with DIR/msg-N.json ({"mail_from", "rcpt_to", "auth"}). DIR/mode, read at
each DATA end, decides the answer: "accept" (250), "4xx" (451, a
temporary refusal) or "5xx" (554); each answer given is appended to
DIR/answers. AUTH PLAIN is offered; the credentials given are recorded.
With CERT and KEY, STARTTLS is offered (SMTP_TLS=starttls, the default) or
TLS is spoken from the first byte (SMTP_TLS=implicit, smtps://); each
message's JSON then says whether it came over TLS.
"""
import asyncio
import base64
import json
import os
import ssl
import sys

DIR = sys.argv[1]
TLS = None
if len(sys.argv) == 4:
    TLS = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    TLS.load_cert_chain(sys.argv[2], sys.argv[3])
MODE_TLS = os.environ.get("SMTP_TLS", "starttls")
# a recorder started again in the same folder goes on numbering
count = len([n for n in os.listdir(DIR) if n.startswith("msg-") and n.endswith(".eml")])


def mode():
    try:
        with open(os.path.join(DIR, "mode")) as f:
            return f.read().strip() or "accept"
    except OSError:
        return "accept"


def note(answer):
    with open(os.path.join(DIR, "answers"), "a") as f:
        f.write(answer + "\n")


async def session(reader, writer):
    global count

    def send(line):
        writer.write((line + "\r\n").encode())

    send("220 recorder.test ESMTP ready")
    mail_from, rcpt, auth = None, [], None
    secure = TLS is not None and MODE_TLS == "implicit"
    try:
        while True:
            raw = await reader.readline()
            if not raw:
                break
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = line.split(" ", 1)[0].upper()
            arg = line[len(verb) + 1:] if " " in line else ""
            if verb in ("EHLO", "HELO"):
                send("250-recorder.test")
                if TLS is not None and not secure:
                    send("250-STARTTLS")
                send("250-AUTH PLAIN")
                send("250 8BITMIME")
            elif verb == "STARTTLS" and TLS is not None and not secure:
                send("220 2.0.0 go ahead")
                await writer.drain()
                await writer.start_tls(TLS)
                secure, mail_from, rcpt, auth = True, None, [], None
                continue
            elif verb == "AUTH":
                parts = arg.split(" ", 1)
                if parts[0].upper() != "PLAIN":
                    send("504 5.5.4 only PLAIN")
                    continue
                if len(parts) == 2:
                    token = parts[1]
                else:
                    send("334 ")
                    token = (await reader.readline()).decode().strip()
                fields = base64.b64decode(token).split(b"\0")
                auth = {"user": fields[1].decode(), "password": fields[2].decode()}
                send("235 2.7.0 authenticated")
            elif verb == "MAIL":
                mail_from, rcpt = arg.split(":", 1)[1].strip(), []
                send("250 2.1.0 ok")
            elif verb == "RCPT":
                rcpt.append(arg.split(":", 1)[1].strip())
                send("250 2.1.5 ok")
            elif verb == "DATA":
                send("354 end with <CRLF>.<CRLF>")
                data = bytearray()
                while True:
                    l = await reader.readline()
                    if l in (b".\r\n", b".\n", b""):
                        break
                    if l.startswith(b".."):
                        l = l[1:]
                    data += l
                m = mode()
                if m == "4xx":
                    note("451")
                    send("451 4.3.0 mailbox busy, try again later")
                elif m == "5xx":
                    note("554")
                    send("554 5.7.1 refused")
                else:
                    count += 1
                    base = os.path.join(DIR, "msg-%d" % count)
                    with open(base + ".eml", "wb") as f:
                        f.write(bytes(data))
                    with open(base + ".json", "w") as f:
                        json.dump({"mail_from": mail_from, "rcpt_to": rcpt, "auth": auth, "tls": secure}, f)
                    note("250")
                    send("250 2.0.0 queued as %d" % count)
            elif verb == "RSET":
                mail_from, rcpt = None, []
                send("250 2.0.0 ok")
            elif verb == "NOOP":
                send("250 2.0.0 ok")
            elif verb == "QUIT":
                send("221 2.0.0 bye")
                await writer.drain()
                break
            else:
                send("502 5.5.2 not implemented")
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
        pass
    writer.close()


async def main():
    server = await asyncio.start_server(session, "127.0.0.1", int(os.environ.get("SMTP_PORT", "0")),
                                        ssl=TLS if MODE_TLS == "implicit" else None)
    port = server.sockets[0].getsockname()[1]
    with open(os.path.join(DIR, "port.tmp"), "w") as f:
        f.write(str(port))
    os.rename(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
    async with server:
        await server.serve_forever()


asyncio.run(main())
