"""A small scripted FTP server (Python standard library only) for the
listing tests of the CLI suite: it serves listings and files from Python
dicts, so a test can hand the CLI any MLSD or LIST line a hostile server
could send (names such as "..", "/etc/passwd" or "a/../../b").

It listens on 127.0.0.1 (an ephemeral port), passive mode only, with data
listeners bound to 127.0.0.1; it never connects anywhere.  Every command
line it receives is recorded in `commands` (PASS masked)."""
from __future__ import annotations

import socket
import socketserver
import threading

HOST = "127.0.0.1"


class ListingServer:
    """`mlsd` and `lists` map a directory path as the client names it ("" for
    the login directory, "sub", "sub/deeper") to the raw lines (bytes,
    without line ends) of its MLSD or LIST listing; `files` maps a path to
    its content.  `mlst` says whether FEAT lists MLST (the CLI then uses
    MLSD, else LIST)."""

    def __init__(self, mlsd=None, lists=None, files=None, mlst=True):
        self.mlsd = mlsd if mlsd is not None else {}
        self.lists = lists if lists is not None else {}
        self.files = files if files is not None else {}
        self.mlst = mlst
        self.commands: list[str] = []
        self.lock = threading.Lock()
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            timeout = 60

            def handle(self):
                outer._session(self)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server((HOST, 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path=""):
        return f"ftp://user:secret@{HOST}:{self.port}/{path}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- protocol ---------------------------------------------------------

    def _session(self, h):
        listener = None

        def reply(text):
            h.wfile.write(text.encode("latin-1") + b"\r\n")
            h.wfile.flush()

        def transfer(lines_or_data, binary=False):
            nonlocal listener
            if listener is None:
                reply("425 Use EPSV or PASV first.")
                return
            reply("150 Opening data connection.")
            listener.settimeout(60)
            try:
                conn, _ = listener.accept()
            finally:
                listener.close()
                listener = None
            with conn:
                if binary:
                    conn.sendall(lines_or_data)
                else:
                    conn.sendall(b"".join(line + b"\r\n" for line in lines_or_data))
            reply("226 Transfer complete.")

        reply("220 ftpkit CLI listing test server.")
        while True:
            raw = h.rfile.readline(8192)
            if not raw:
                break
            line = raw.decode("latin-1").rstrip("\r\n")
            verb, _, arg = line.partition(" ")
            verb = verb.upper()
            with self.lock:
                self.commands.append("PASS ***" if verb == "PASS" else line)
            if verb == "USER":
                reply("331 Password please.")
            elif verb == "PASS":
                reply("230 Logged in.")
            elif verb == "FEAT":
                feats = [" UTF8", " EPSV", " SIZE"]
                if self.mlst:
                    feats.append(" MLST type*;size*;modify*;unique*;")
                reply("211-Features:\r\n" + "\r\n".join(feats) + "\r\n211 End")
            elif verb in ("OPTS", "TYPE", "MODE", "STRU"):
                reply("200 OK.")
            elif verb == "PWD":
                reply('257 "/" is the current directory.')
            elif verb == "SYST":
                reply("215 UNIX Type: L8")
            elif verb in ("EPSV", "PASV"):
                if listener is not None:
                    listener.close()
                listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                listener.bind((HOST, 0))
                listener.listen(1)
                port = listener.getsockname()[1]
                if verb == "EPSV":
                    reply(f"229 Entering Extended Passive Mode (|||{port}|).")
                else:
                    reply(f"227 Entering Passive Mode (127,0,0,1,{port >> 8},{port & 255}).")
            elif verb == "MLSD" and self.mlst and arg in self.mlsd:
                transfer(self.mlsd[arg])
            elif verb == "LIST" and arg in self.lists:
                transfer(self.lists[arg])
            elif verb == "RETR" and arg in self.files:
                transfer(self.files[arg], binary=True)
            elif verb == "SIZE" and arg in self.files:
                reply(f"213 {len(self.files[arg])}")
            elif verb in ("MLSD", "LIST", "RETR", "SIZE", "CWD"):
                if listener is not None:
                    listener.close()
                    listener = None
                reply("550 No such file or directory.")
            elif verb == "QUIT":
                reply("221 Bye.")
                break
            else:
                reply("502 Command not implemented.")
        if listener is not None:
            listener.close()

    def retrieved(self):
        """The paths of every RETR received."""
        with self.lock:
            return [c[5:] for c in self.commands if c.upper().startswith("RETR ")]
