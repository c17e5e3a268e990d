"""One benchmark run: the engine under gunicorn against the Flask floor and nginx static.

    bench/run.sh [--posts 10000] [--duration 10] [--cache off,memory]

Builds (or reuses) a store of N posts (bench/store.py), serves it with gunicorn as the README
documents for production (sync workers, SQLite), and measures each page with wrk (-t2 -c32,
--latency, loopback, the page's Host header):

- the engine, once per cache setting (passed to the app as BLOG_PAGE_CACHE), directly and behind
  the shipped nginx configuration (deploy/nginx.conf), plus a 304 on the post page;
- the floor: bench/floor.py returning the same bytes from a dict, same gunicorn settings;
- nginx serving the same bytes as static files;
- the static export (`flask --app app export-static`), timed full and after one edit, and
  served by nginx — skipped with a message while the command does not exist.

Every rate is printed as a ratio to the floor and to nginx static for the same page, and the
resident memory of each gunicorn worker after the run.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.client
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import store as generator
from bench import wrkout
from blog import create_app
from tools import nginxconf

ROOT = Path(__file__).resolve().parent.parent
STORE_CACHE = Path(os.environ.get("BENCH_STORE_CACHE", Path(tempfile.gettempdir()) / "blog-bench"))
WORKERS = 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, host: str = "localhost", path: str = "/", timeout: float = 60) -> None:
    """Wait until a server answers on `port` (any status), else raise."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            fetch(port, host, path, timeout=timeout)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def fetch(port: int, host: str, path: str, headers: dict | None = None, timeout: float = 60):
    """Return (status, headers, body) of one GET on 127.0.0.1:port with a Host header."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Host": host, **(headers or {})})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@contextlib.contextmanager
def process(args: list[str], log: Path, **kwargs):
    """Run a server process for the block's duration, its output in `log`."""
    with log.open("ab") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, **kwargs)
    try:
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def gunicorn(app: str, port: int, env: dict, log: Path):
    """Serve `app` as production does (README, Deploying): sync workers, no access log.

    The worker timeout is 120 s instead of 30 s, so that a slow page (the sitemap on a busy
    machine) is measured instead of its worker being killed.
    """
    command = [sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "-b", f"127.0.0.1:{port}"]
    command += ["--timeout", "120"]
    return process([*command, app], log, cwd=ROOT, env={**os.environ, **env})


def worker_memory(master: int) -> list[float]:
    """Return the resident memory (MB) of each worker of a gunicorn master."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    sizes = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sizes


def wrk(port: int, host: str, path: str, duration: int, headers: dict | None = None):
    """Return wrk's figures for one page (-t2 -c32, --latency)."""
    command = ["wrk", "-t2", "-c32", f"-d{duration}s", "--latency", "--timeout", "30s"]
    for name, value in {"Host": host, **(headers or {})}.items():
        command += ["-H", f"{name}: {value}"]
    report = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    return wrkout.parse(report)


def nginx_conf(run: Path, name: str, servers: str) -> Path:
    """Write a complete nginx.conf of the run around `servers` (http-context directives)."""
    # The same frame as the nginx tests' (errors go to stderr, which nginx() logs to a file).
    return nginxconf.whole(run / name, servers, WORKERS)


def static_server(root: Path, port: int) -> str:
    """Return a server block answering each host from root/<host>/ (path/ → index.html)."""
    return f"""    server {{
        listen 127.0.0.1:{port};
        root {root}/$host;
        location / {{ try_files $uri $uri/index.html =404; }}
    }}"""


def proxy_servers(port: int, upstream: int, run: Path, name: str) -> str:
    """Return deploy/nginx.conf with the run's port, gunicorn address and folders."""
    return nginxconf.render(
        port=port,
        upstream=upstream,
        static_dir=ROOT / "blog" / "static",
        media_dir=run / "media",
        cache_dir=run / name / "cache",
    )


def nginx(conf: Path, log: Path):
    return process(["nginx", "-c", str(conf), "-p", str(conf.parent), "-g", "daemon off;"], log)


def store(posts: int, run: Path) -> Path:
    """Return a fresh copy of the N-post store in the run folder (built once, then reused)."""
    digest = hashlib.sha256((ROOT / "bench" / "store.py").read_bytes()).hexdigest()[:12]
    cached = STORE_CACHE / f"store-{posts}-{digest}.sqlite3"
    if not cached.exists():
        STORE_CACHE.mkdir(parents=True, exist_ok=True)
        building = cached.with_suffix(".building")
        for leftover in STORE_CACHE.glob(building.name + "*"):
            leftover.unlink()
        print(f"building the store of {posts} posts in {cached} …", flush=True)
        report = generator.make_store(f"sqlite:///{building}", posts)
        print(f"  {report}", flush=True)
        building.rename(cached)
    copy = run / "store.sqlite3"
    shutil.copyfile(cached, copy)
    # Migrations added since the store was built apply to the copy.
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{copy}"},
        check=True,
        capture_output=True,
    )
    return copy


def sample_pages(database: Path) -> dict[str, tuple[str, str]]:
    app = create_app({"DATABASE_URL": f"sqlite:///{database}"})
    with app.extensions["db"]["sessionmaker"]() as session:
        pages = generator.sample_pages(session)
    app.extensions["db"]["engine"].dispose()
    return pages


def save_pages(port: int, pages: dict, run: Path) -> dict[str, dict]:
    """Fetch each page from the engine; write its bytes for the floor and nginx; return facts."""
    floor, static = run / "floor", run / "static"
    floor.mkdir()
    facts, manifest = {}, []
    for n, (name, (host, path)) in enumerate(pages.items()):
        status, headers, body = fetch(port, host, path, timeout=240)
        if status != 200:
            raise SystemExit(f"{host}{path} answered {status}; the benchmark needs 200.")
        content_type = headers.get("Content-Type", "text/html")
        (floor / f"{n}.body").write_bytes(body)
        manifest.append({"host": host, "path": path, "file": f"{n}.body",
                         "content_type": content_type})  # fmt: skip
        target = static / host / path.lstrip("/")
        if path.endswith("/"):
            target = target / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
        facts[name] = {"host": host, "path": path, "bytes": len(body), "etag": headers.get("ETag")}
    (floor / "pages.json").write_text(json.dumps(manifest))
    return facts


def flask_command_exists(name: str, env: dict) -> bool:
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", name, "--help"],
        cwd=ROOT, env={**os.environ, **env}, capture_output=True,
    )  # fmt: skip
    return done.returncode == 0


def machine() -> str:
    model = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")), platform.processor(),
    )  # fmt: skip
    memory = next(
        int(line.split()[1]) // 1024
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    load = os.getloadavg()[0]
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()[1]
    nginx_version = subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr
    return (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {os.cpu_count()} cores · {model} · "
        f"{memory} MB RAM · load {load:.1f} at start · Python {platform.python_version()} · "
        f"wrk {wrk_version} · nginx {nginx_version.split('/')[-1].strip()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per figure")
    parser.add_argument(
        "--cache", default=os.environ.get("BENCH_CACHE", "off"),
        help="comma-separated BLOG_PAGE_CACHE values to measure the engine with (default off)",
    )  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep the run folder")
    args = parser.parse_args()
    # Stopped by a signal, still stop the servers (the finally clauses below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for tool in ("wrk", "nginx"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is missing: apt-get install -y wrk nginx (bench/run.sh does)")
    run = Path(tempfile.mkdtemp(prefix="blog-bench-"))
    run.chmod(0o755)  # nginx workers run as nobody and read the static copies from here
    print(machine(), flush=True)
    results: dict[tuple[str, str], wrkout.Result] = {}
    notes: list[str] = []
    memory: dict[str, list[float]] = {}
    try:
        database = store(args.posts, run)
        pages = sample_pages(database)
        env = {"DATABASE_URL": f"sqlite:///{database}", "BLOG_SECRET_KEY": "bench-" * 8}
        facts = None

        def show(label: str, name: str) -> None:
            r = results[label, name]
            print(f"  {label:26} {name:10} {r.rate:10.1f} req/s", flush=True)

        def measure(label: str, port: int) -> None:
            for name, (host, path) in pages.items():
                results[label, name] = wrk(port, host, path, args.duration)
                show(label, name)

        def engine(mode: str, port: int):
            """Start a fresh engine: requests a slow page left queued cannot skew the next."""
            settings = {**env, "BLOG_PAGE_CACHE": mode}
            if mode == "redis":
                settings.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
            return gunicorn("app:app", port, settings, run / "engine.log")

        for mode in args.cache.split(","):
            port, proxy_port = free_port(), free_port()
            label, sizes = f"engine cache={mode}", []
            conf = nginx_conf(
                run, f"proxy-{mode}", proxy_servers(proxy_port, port, run, f"proxy-{mode}")
            )
            with nginx(conf, run / "nginx-proxy.log"):
                for via, target in ((label, port), (f"nginx→engine cache={mode}", proxy_port)):
                    for name, (host, path) in pages.items():
                        with engine(mode, port) as g:
                            wait_for(port, path="/healthz")
                            if facts is None:
                                facts = save_pages(port, pages, run)
                            for _ in range(2):  # warm imports, and the cache if any
                                fetch(port, host, path, timeout=240)
                            # Through nginx too: measured from an empty micro-cache, the first
                            # burst of connections waits on nginx's cache lock (it looks again
                            # every 500 ms), a start-up cost that the rest of the run does not
                            # have (p99 ~460 ms where a warm proxy cache answers in ~3 ms).
                            fetch(target, host, path, timeout=240)
                            results[via, name] = wrk(target, host, path, args.duration)
                            show(via, name)
                            sizes.append(worker_memory(g.pid))
                host, path = pages["post"]
                etag = facts["post"]["etag"]
                with engine(mode, port):
                    wait_for(port, path="/healthz")
                    status = fetch(port, host, path, {"If-None-Match": etag})[0]
                    if status == 304:
                        results[label, "post 304"] = wrk(
                            port, host, path, args.duration, {"If-None-Match": etag}
                        )
                        show(label, "post 304")
                    else:
                        notes.append(f"the post answered {status}, not 304, to its own ETag")
            # The largest figure seen for each worker, over all the pages.
            memory[mode] = [max(worker) for worker in zip(*sizes, strict=False)]

        port = free_port()
        with gunicorn("bench.floor:app", port, {"BENCH_FLOOR_DIR": str(run / "floor")},
                      run / "floor.log"):  # fmt: skip
            wait_for(port)
            measure("floor (Flask, dict)", port)

        port = free_port()
        with nginx(nginx_conf(run, "static", static_server(run / "static", port)),
                   run / "nginx-static.log"):  # fmt: skip
            wait_for(port)
            measure("nginx static", port)

        if flask_command_exists("export-static", env):
            export_static(run, env, pages, args.duration, results, notes)
        else:
            notes.append("export-static: the command does not exist yet; export steps skipped.")
        report(args, facts, results, memory, notes)
    finally:
        if args.keep:
            print(f"run folder kept: {run}")
        else:
            shutil.rmtree(run, ignore_errors=True)


def export_static(run: Path, env: dict, pages: dict, duration: int, results, notes) -> None:
    """Time export-static (full, then after one edit) and serve the export with nginx."""
    target = run / "export"
    command = [sys.executable, "-m", "flask", "--app", "app", "export-static", str(target)]
    full_env = {**os.environ, **env}
    began = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=full_env, check=True, capture_output=True)
    notes.append(f"export-static, full: {time.perf_counter() - began:.1f} s")
    edit = (
        "from blog import create_app\nfrom blog.models import Post\nfrom sqlalchemy import select\n"
        "app = create_app()\nwith app.extensions['db']['sessionmaker']() as s:\n"
        "    post = s.scalar(select(Post).where(Post.kind == 'post').limit(1))\n"
        "    post.title = post.title + ' (edited)'\n    s.commit()\n"
    )
    subprocess.run([sys.executable, "-c", edit], cwd=ROOT, env=full_env, check=True)
    began = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=full_env, check=True, capture_output=True)
    notes.append(f"export-static after one edit: {time.perf_counter() - began:.1f} s")
    # The export holds one folder per domain; nginx answers each host from its folder.
    hosts = {host for host, _ in pages.values()}
    root = run / "export-by-host"
    root.mkdir()
    for folder in target.iterdir():
        for host in hosts:
            if folder.is_dir() and folder.name.split(":")[0] in (host, host.split(".")[0]):
                (root / host).symlink_to(folder)
    port = free_port()
    with nginx(nginx_conf(run, "export", static_server(root, port)), run / "nginx-export.log"):
        wait_for(port)
        for name, (host, path) in pages.items():
            status = fetch(port, host, path)[0]
            if status != 200:
                notes.append(f"the export has no {host}{path} ({status})")
                continue
            results["nginx export", name] = wrk(port, host, path, duration)


def report(args, facts, results, memory, notes) -> None:
    """Print every figure, as a ratio to the floor and to nginx static for the same page."""
    print(f"\n{args.posts} posts · wrk -t2 -c32 -d{args.duration}s · gunicorn -w {WORKERS} "
          "(sync) · SQLite")  # fmt: skip
    print("page sizes: " + ", ".join(f"{n} {f['bytes'] / 1024:.0f} KB" for n, f in facts.items()))
    header = f"{'server':26} {'page':10} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
    print(header + f"{'×floor':>8} {'×nginx':>8} {'errors':>6}")
    for (label, name), r in results.items():
        base = name.removesuffix(" 304")
        floor = results.get(("floor (Flask, dict)", base))
        static = results.get(("nginx static", base))
        print(
            f"{label:26} {name:10} {r.rate:9.1f} {r.p50:8.2f} {r.p99:8.2f} "
            f"{wrkout.ratio(r.rate, floor and floor.rate):>8} "
            f"{wrkout.ratio(r.rate, static and static.rate):>8} {r.errors or '':>6}".rstrip()
        )
    for mode, sizes in memory.items():
        print(f"resident memory per worker (cache={mode}): "
              + ", ".join(f"{size:.0f} MB" for size in sizes))  # fmt: skip
    for note in notes:
        print(note)


if __name__ == "__main__":
    main()
