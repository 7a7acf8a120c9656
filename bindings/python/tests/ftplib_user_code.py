"""Typical ftplib user code, written for ftplib and run UNCHANGED with
ftpkit: each function receives the module as the name ``ftplib`` (as after
``import ftpkit as ftplib``) and uses nothing else of it.
"""

import os


def download_tree(ftplib, host, port, user, passwd, remote_dir, local_dir):
    """Mirror a remote directory tree with NLST + CWD probing + RETR.

    Returns the log of what was done (directories entered, files fetched
    with their sizes and the final replies)."""
    log = []
    ftp = ftplib.FTP()
    ftp.connect(host, port, timeout=60)
    ftp.login(user, passwd)

    def fetch(remote, local):
        os.makedirs(local, exist_ok=True)
        ftp.cwd(remote)
        log.append(("dir", remote))
        for name in sorted(ftp.nlst()):
            name = os.path.basename(name)
            if name in (".", ".."):
                continue
            try:
                ftp.cwd(name)          # a directory?
            except ftplib.error_perm:  # no: a file
                path = os.path.join(local, name)
                with open(path, "wb") as f:
                    resp = ftp.retrbinary("RETR " + name, f.write)
                log.append(("file", remote + "/" + name, os.path.getsize(path), resp[:3]))
            else:
                ftp.cwd("..")
                fetch(remote + "/" + name, os.path.join(local, name))
                ftp.cwd(remote)

    try:
        fetch(remote_dir, local_dir)
    finally:
        ftp.quit()
    return log


def upload_with_progress(ftplib, host, port, user, passwd, local_dir, remote_dir):
    """Upload every file of a local directory, with a progress callback
    printing percentages; then list and check sizes."""
    report = {}
    with ftplib.FTP() as ftp:
        ftp.connect(host, port, timeout=60)
        ftp.login(user, passwd)
        try:
            ftp.mkd(remote_dir)
        except ftplib.error_perm as e:
            if not str(e).startswith("550"):
                raise
        ftp.cwd(remote_dir)
        for name in sorted(os.listdir(local_dir)):
            path = os.path.join(local_dir, name)
            total = os.path.getsize(path)
            state = {"sent": 0, "marks": []}

            def progress(block, state=state, total=total):
                state["sent"] += len(block)
                state["marks"].append(state["sent"] * 100 // max(total, 1))

            with open(path, "rb") as f:
                resp = ftp.storbinary("STOR " + name, f, 8192, progress)
            report[name] = (resp[:3], state["sent"], state["marks"])
        ftp.voidcmd("TYPE I")
        sizes = {name: ftp.size(name) for name in sorted(report)}
        listing = []
        ftp.retrlines("LIST", listing.append)
    return report, sizes, len(listing)


def mlsd_walk(ftplib, host, port, user, passwd, top):
    """Walk a tree with MLSD facts; return [(path, size)] of every file and
    the list of directories."""
    files, dirs = [], []
    ftp = ftplib.FTP()
    ftp.connect(host, port, timeout=60)
    ftp.login(user, passwd)

    def walk(path):
        dirs.append(path)
        for name, facts in sorted(ftp.mlsd(path, ["type", "size"])):
            if facts["type"] == "dir":
                walk(path + "/" + name)
            elif facts["type"] == "file":
                files.append((path + "/" + name, int(facts["size"])))

    walk(top)
    ftp.quit()
    return files, dirs


def error_handling(ftplib, host, port, user, passwd, remote_dir):
    """Typical error handling: all_errors, error_perm codes, ValueError."""
    outcomes = []
    ftp = ftplib.FTP()
    ftp.connect(host, port, timeout=60)
    ftp.login(user, passwd)
    ftp.cwd(remote_dir)
    try:
        ftp.retrbinary("RETR no-such-file", lambda b: None)
    except ftplib.error_perm as e:
        outcomes.append(("perm", str(e)[:3]))
    try:
        ftp.delete("no-such-file")
    except ftplib.all_errors as e:
        outcomes.append(("all_errors", type(e).__name__.split(".")[-1], e.args[0][:3]))
    try:
        ftp.sendcmd("NOOP\r\nQUIT")
    except ValueError:
        outcomes.append(("ValueError",))
    outcomes.append(("pwd", ftp.pwd()))
    ftp.quit()
    outcomes.append(("sock after quit", ftp.sock))
    return outcomes
