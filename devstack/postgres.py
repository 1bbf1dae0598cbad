"""A real PostgreSQL server (Debian's `postgresql`) standing in for Aurora.

initdb and pg_ctl refuse to run as root, so as root they run as the `postgres` user, whose
data directory must be reachable by it (it cannot enter /root). Like the cluster (rds.force_ssl),
it accepts TCP connections over TLS only, with a certificate from a CA made with its data
directory (`ca_file`), which control verifies as it verifies Aurora's.
"""
import glob
import os
import shutil
import subprocess
from dataclasses import dataclass
from ipaddress import IPv4Address
from pathlib import Path

import psycopg
from psycopg import sql

from devstack import certificates

ADDRESS = IPv4Address("127.0.0.1")
# Trusted logins, as before, but TCP only over TLS: no `host` line, so a plaintext connection is refused.
HBA = "local all all trust\nhostssl all all 127.0.0.1/32 trust\n"


def _bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: run `make install` (apt-get install postgresql)")
    return Path(found[-1]).parent


def _as_server_user(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def reachable_data_dir(wanted: Path) -> Path:
    """`wanted` if the server user can use it; as root under /root, a twin under /tmp."""
    if os.geteuid() != 0:
        return wanted
    probe = subprocess.run(_as_server_user(["test", "-x", str(wanted.parent)]))
    if probe.returncode == 0:
        return wanted
    return Path("/tmp") / ("pawport-pg" + str(wanted).replace("/", "-"))


@dataclass
class Postgres:
    data_dir: Path
    port: int
    superuser: str = "postgres"

    @property
    def bin(self) -> Path:
        return _bindir()

    def initdb(self) -> None:
        if (self.data_dir / "PG_VERSION").exists():
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.data_dir, "postgres", "postgres")
        subprocess.run(_as_server_user([str(self.bin / "initdb"), "-D", str(self.data_dir),
                                        "-U", self.superuser, "-A", "trust", "-E", "UTF8"]),
                       check=True, stdout=subprocess.DEVNULL)

    @property
    def ca_file(self) -> Path:
        return self.data_dir / "pawport-ca.crt"

    def _issue_certificates(self) -> None:
        ca, ca_key = certificates.authority("pawport local PostgreSQL CA")
        issued = certificates.server(ca, ca_key, ADDRESS)
        self.ca_file.write_bytes(certificates.pem(ca))
        (self.data_dir / "server.crt").write_bytes(issued.certificate)
        key = self.data_dir / "server.key"
        key.write_bytes(issued.key)
        key.chmod(0o600)   # PostgreSQL refuses a key others can read
        (self.data_dir / "pg_hba.conf").write_text(HBA)
        if os.geteuid() == 0:
            for made in ("server.crt", "server.key", "pg_hba.conf"):
                shutil.chown(self.data_dir / made, "postgres", "postgres")

    def running(self) -> bool:
        status = [str(self.bin / "pg_ctl"), "-D", str(self.data_dir), "status"]
        return subprocess.run(_as_server_user(status), stdout=subprocess.DEVNULL).returncode == 0

    def start(self) -> None:
        self.initdb()
        if self.running():
            return
        # autovacuum off: its transactions count in pg_stat_database, which the tests and the bench
        # read as "what the application did"; this database lives for one run and never grows old.
        if not self.ca_file.exists():   # once per data directory: a restart keeps the CA control was given
            self._issue_certificates()
        options = (f"-p {self.port} -k {self.data_dir} -c listen_addresses={ADDRESS} -c fsync=off -c autovacuum=off"
                   " -c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key")
        subprocess.run(_as_server_user([str(self.bin / "pg_ctl"), "-D", str(self.data_dir), "-o", options,
                                        "-l", str(self.data_dir / "server.log"), "-w", "start"]),
                       check=True, stdout=subprocess.DEVNULL)

    def stop(self) -> None:
        if (self.data_dir / "postmaster.pid").exists():
            subprocess.run(_as_server_user([str(self.bin / "pg_ctl"), "-D", str(self.data_dir),
                                            "-m", "fast", "-w", "stop"]), stdout=subprocess.DEVNULL)

    def admin_url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.superuser}@127.0.0.1:{self.port}/{database}"

    def recreate_database(self, name: str) -> None:
        """An empty database each start, the superuser's as the cluster's is the master user's: moto
        forgets everything on restart, so must Aurora's stand-in. Its roles come from control's set-up."""
        with psycopg.connect(self.admin_url(), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
