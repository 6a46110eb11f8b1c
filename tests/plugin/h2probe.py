#!/usr/bin/env python3
"""h2probe.py - raw HTTP/2 probe for tests/plugin/run.sh (stdlib only).

usage: h2probe.py PORT plain
       h2probe.py PORT tls SERVER_CERT_PEM [CLIENT_CERT_PEM CLIENT_KEY_PEM]

Connects to 127.0.0.1:PORT, sends the HTTP/2 client preface and an empty
SETTINGS frame (what grpc-go sends first) and reads the answer. Prints one
word: "settings" if the server answered with an HTTP/2 SETTINGS frame,
"tls-failed: <reason>" if the TLS handshake failed, "closed" if the
connection ended without one, "other: <hex>" otherwise. In tls mode the
server certificate must verify against SERVER_CERT_PEM for the name
"localhost" (SAN) and ALPN "h2" must be selected.
"""
import socket
import ssl
import sys

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"


def read_frame_header(sock):
    buf = b""
    while len(buf) < 9:
        try:
            chunk = sock.recv(9 - len(buf))
        except (ssl.SSLError, OSError) as e:
            return None, "closed (%s)" % e.__class__.__name__
        if not chunk:
            return None, "closed"
        buf += chunk
    return buf, None


def main():
    port = int(sys.argv[1])
    mode = sys.argv[2]
    raw = socket.create_connection(("127.0.0.1", port), timeout=3)
    sock = raw
    if mode == "tls":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(cafile=sys.argv[3])
        ctx.check_hostname = True
        ctx.set_alpn_protocols(["h2"])
        if len(sys.argv) > 5:
            ctx.load_cert_chain(sys.argv[4], sys.argv[5])
        try:
            sock = ctx.wrap_socket(raw, server_hostname="localhost")
        except (ssl.SSLError, OSError) as e:
            print("tls-failed: %s" % e)
            return
        if sock.selected_alpn_protocol() != "h2":
            print("other: alpn %r" % sock.selected_alpn_protocol())
            return
    try:
        sock.sendall(PREFACE)
    except (ssl.SSLError, OSError) as e:
        print("closed (send: %s)" % e.__class__.__name__)
        return
    hdr, why = read_frame_header(sock)
    if hdr is None:
        print(why)
    elif hdr[3] == 0x04:
        print("settings")
    else:
        print("other: %s" % hdr.hex())


if __name__ == "__main__":
    main()
