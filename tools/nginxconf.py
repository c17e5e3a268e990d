"""deploy/nginx.conf with its placeholders filled in, and a whole nginx.conf a user can run.

The shipped file is a working configuration for a server (port 80, /srv/blog…); its top
comment lists the values to adapt. The tests (tests/test_nginx.py) and the benchmark
(bench/harness.py) replace exactly those values, so what they run is what the README ships.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

SHIPPED = Path(__file__).resolve().parent.parent / "deploy" / "nginx.conf"

# The shipped value of each placeholder, as written once in deploy/nginx.conf.
LISTEN = "listen 80;"
UPSTREAM = "127.0.0.1:8000"
STATIC_DIR = "/srv/blog/blog/static/"
MEDIA_DIR = "/srv/blog/instance/media/"
CACHE_DIR = "/var/cache/nginx/blog"


def render(*, port: int, upstream: int, static_dir: Path, media_dir: Path, cache_dir: Path) -> str:
    """Return deploy/nginx.conf listening on 127.0.0.1:`port`, in front of `upstream`."""
    text = SHIPPED.read_text()
    for shipped, value in (
        (LISTEN, f"listen 127.0.0.1:{port};"),
        (UPSTREAM, f"127.0.0.1:{upstream}"),
        (STATIC_DIR, f"{static_dir}/"),
        (MEDIA_DIR, f"{media_dir}/"),
        (CACHE_DIR, str(cache_dir)),
    ):
        if text.count(shipped) < 1:
            raise ValueError(f"deploy/nginx.conf no longer contains {shipped!r}")
        text = text.replace(shipped, value)
    return text


def whole(prefix: Path, servers: str, workers: int = 2) -> Path:
    """Write prefix/nginx.conf: `servers` (http-context text) run by a user, not root.

    Everything nginx writes (pid, logs, temporary files) goes under `prefix`; run it with
    `nginx -p PREFIX -c PREFIX/nginx.conf -e stderr -g 'daemon off;'`.
    """
    for folder in ("logs", "tmp"):
        (prefix / folder).mkdir(parents=True, exist_ok=True)
    temp = "\n".join(
        f"    {kind}_temp_path {prefix}/tmp/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # Run by root, nginx would hand its workers to "nobody", who cannot enter a private temp
    # folder: keep them the current user's, as they are when run by anyone else.
    user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
    conf = prefix / "nginx.conf"
    conf.write_text(
        f"""{user}worker_processes {workers};
pid {prefix}/nginx.pid;
error_log stderr;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    types {{ application/atom+xml atom; }}
    access_log off;
    sendfile on;
    tcp_nopush on;
{temp}
{servers}
}}
"""
    )
    return conf
