"""A throwaway PostgreSQL cluster for the test session (initdb + pg_ctl in a temp directory)."""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg


def find_tool(name):
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresCluster:
    """Start with :meth:`start`, get :attr:`url`, always :meth:`stop`."""

    def __init__(self):
        self.initdb = find_tool("initdb")
        self.pg_ctl = find_tool("pg_ctl")
        self.base = None
        self.port = None

    @property
    def available(self):
        return bool(self.initdb and self.pg_ctl)

    def run(self, *command):
        # PostgreSQL refuses to run as root; CI runs as root, so drop to the postgres user.
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)

    def start(self):
        self.base = Path(tempfile.mkdtemp(prefix="tracker-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres", "postgres")
        data = self.base / "data"
        self.run(self.initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "--encoding=UTF8", "--locale=C")
        self.port = free_port()
        options = (f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        self.run(self.pg_ctl, "-D", str(data), "-o", options, "-l", str(self.base / "log"), "-w", "-t", "60", "start")
        self.create_database("tracker_test")
        return self

    def create_database(self, name):
        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(self.admin_dsn(), autocommit=True) as connection:
                    connection.execute(f'CREATE DATABASE "{name}"')
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def admin_dsn(self):
        return f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"

    def url(self, database="tracker_test"):
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def stop(self):
        if self.base is None:
            return
        try:
            self.run(self.pg_ctl, "-D", str(self.base / "data"), "-m", "immediate", "-w", "stop")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.base, ignore_errors=True)
        self.base = None
