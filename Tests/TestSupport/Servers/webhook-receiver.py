#!/usr/bin/env python3
"""An incoming-webhook receiver for the tests, on loopback, over TLS when given a certificate.

    webhook-receiver.py RECORD PORT [--cert CERT --key KEY] [--status N] [--answer TEXT] [--hang]

Appends each POST it gets to RECORD as one JSON line: method, path, Content-Type, body (text).
Answers --status (200) with --answer ("ok") as Mattermost and Slack do; with --hang, reads the
request and never answers.
"""
import argparse
import http.server
import json
import ssl
import threading

parser = argparse.ArgumentParser()
parser.add_argument("record")
parser.add_argument("port", type=int)
parser.add_argument("--cert")
parser.add_argument("--key")
parser.add_argument("--status", type=int, default=200)
parser.add_argument("--answer", default="ok")
parser.add_argument("--hang", action="store_true")
options = parser.parse_args()
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with lock, open(options.record, "a") as record:
            record.write(json.dumps({"method": self.command, "path": self.path,
                                     "content_type": self.headers.get("Content-Type"),
                                     "body": body.decode("utf-8", "replace")}) + "\n")
        if options.hang:
            threading.Event().wait()
        answer = options.answer.encode()
        self.send_response(options.status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


server = http.server.ThreadingHTTPServer(("127.0.0.1", options.port), Handler)
server.daemon_threads = True
if options.cert:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(options.cert, options.key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
server.serve_forever()
