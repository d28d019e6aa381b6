"""A real IMAP server (Dovecot from Debian) on a free loopback port, for the reply mailbox tests.

Dovecot runs in the foreground (`dovecot -F`) from a configuration written into a temporary
directory: one user in a passwd-file, plaintext login allowed (loopback only, no TLS), mail in a
Maildir. Tests deliver messages with IMAP APPEND, so that Dovecot owns the files it serves.
Needs the Debian packages dovecot-core and dovecot-imapd; without them the fixture fails (it
never skips), saying what to install. One Dovecot runs per test process; each test starts with
an empty INBOX and no other folders.
"""

import getpass
import grp
import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.smtp import free_port

USERNAME = "antworten@dialogplattform.example"
PASSWORD = "imap-test-password"
START_TIMEOUT_SECONDS = 15


def dovecot_binary() -> str:
    """The path of the dovecot binary; fails the test with what to install when it is missing."""
    found = shutil.which("dovecot") or next(
        (
            path
            for path in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot")
            if os.access(path, os.X_OK)
        ),
        None,
    )
    if found is None:
        pytest.fail(
            "The IMAP tests need a real Dovecot, and no `dovecot` binary was found. Install "
            "Debian's packages: apt-get install dovecot-core dovecot-imapd",
            pytrace=False,
        )
    return found


def _dovecot_version(binary: str) -> tuple[int, int]:
    output = subprocess.run(
        [binary, "--version"], capture_output=True, text=True, check=True
    ).stdout
    major, minor = output.split()[0].split(".")[:2]
    return int(major), int(minor)


@dataclass(frozen=True)
class Accounts:
    """Who runs Dovecot's helper processes and owns the mail: the Debian package's system
    users when we are root, else ourselves (Dovecot then runs unprivileged, without chroot)."""

    login_user: str
    internal_user: str
    internal_group: str
    mail_uid: int
    mail_gid: int
    chroot: bool

    @classmethod
    def for_current_user(cls) -> "Accounts":
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            return cls("dovenull", "dovecot", "dovecot", nobody.pw_uid, nobody.pw_gid, chroot=True)
        me = getpass.getuser()
        group = grp.getgrgid(os.getgid()).gr_name
        return cls(me, me, group, os.getuid(), os.getgid(), chroot=False)


def _config(root: Path, port: int, accounts: Accounts, version: tuple[int, int]) -> str:
    no_chroot = "" if accounts.chroot else "  chroot =\n"
    services = (
        f"service imap-login {{\n  inet_listener imap {{\n    port = {port}\n  }}\n"
        f"  inet_listener imaps {{\n    port = 0\n  }}\n{no_chroot}}}\n"
        f"service anvil {{\n{no_chroot}}}\n"
    )
    common = (
        f"base_dir = {root}/run\n"
        f"state_dir = {root}/state\n"
        f"log_path = {root}/dovecot.log\n"
        "protocols = imap\n"
        "listen = 127.0.0.1\n"
        "ssl = no\n"
        "auth_mechanisms = plain login\n"
        f"default_login_user = {accounts.login_user}\n"
        f"default_internal_user = {accounts.internal_user}\n"
        f"default_internal_group = {accounts.internal_group}\n"
        f"first_valid_uid = {min(accounts.mail_uid, 500)}\n"
        f"first_valid_gid = {min(accounts.mail_gid, 500)}\n"
    )
    if version >= (2, 4):
        return (
            "dovecot_config_version = 2.4.0\n"
            "dovecot_storage_version = 2.4.0\n" + common + "auth_allow_cleartext = yes\n"
            f"passdb passwd-file {{\n  passwd_file_path = {root}/passwd\n}}\n"
            "userdb static {\n  fields {\n"
            f"    uid = {accounts.mail_uid}\n    gid = {accounts.mail_gid}\n"
            f"    home = {root}/home/%{{user}}\n  }}\n}}\n"
            "mail_driver = maildir\nmail_path = ~/Maildir\n" + services
        )
    return (
        common + "disable_plaintext_auth = no\n"
        f"passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN {root}/passwd\n}}\n"
        "userdb {\n  driver = static\n"
        f"  args = uid={accounts.mail_uid} gid={accounts.mail_gid} home={root}/home/%u\n}}\n"
        "mail_location = maildir:~/Maildir\n" + services
    )


@dataclass
class ImapServer:
    host: str
    port: int
    username: str
    password: str

    def connect(self) -> imaplib.IMAP4:
        connection = imaplib.IMAP4(self.host, self.port, timeout=10)
        connection.login(self.username, self.password)
        return connection

    def deliver(self, raw: bytes, folder: str = "INBOX") -> None:
        """Put a message into the mailbox, unseen, as a mail server would."""
        connection = self.connect()
        try:
            status, detail = connection.append(folder, None, None, raw)
            assert status == "OK", detail
        finally:
            connection.logout()

    def unseen_count(self, folder: str = "INBOX") -> int:
        connection = self.connect()
        try:
            connection.select(folder, readonly=True)
            _status, data = connection.search(None, "UNSEEN")
            return len(data[0].split())
        finally:
            connection.logout()

    def empty(self) -> None:
        """Remove every message and every folder but INBOX."""
        connection = self.connect()
        try:
            _status, listing = connection.list()
            for line in listing or []:
                name = line.decode().rsplit(' "', 1)[-1].rstrip('"') if line else ""
                if name and name.upper() != "INBOX":
                    connection.delete(f'"{name}"')
            connection.select("INBOX")
            _status, data = connection.search(None, "ALL")
            if data[0]:
                connection.store("1:*", "+FLAGS.SILENT", "\\Deleted")
                connection.expunge()
            connection.close()
        finally:
            connection.logout()

    def message_count(self, folder: str = "INBOX") -> int:
        connection = self.connect()
        try:
            _status, data = connection.select(folder, readonly=True)
            return int(data[0])
        finally:
            connection.logout()

    @property
    def app_config(self) -> dict:
        """Settings that point the app's reply mailbox at this server."""
        return {
            "IMAP_HOST": self.host,
            "IMAP_PORT": self.port,
            "IMAP_USE_SSL": False,
            "IMAP_USERNAME": self.username,
            "IMAP_PASSWORD": self.password,
            "IMAP_FOLDER": "INBOX",
        }


def _wait_until_listening(process: subprocess.Popen, port: int, log_file: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as probe:
                if probe.recv(64).startswith(b"* OK"):
                    return
        except OSError:
            time.sleep(0.1)
    output = process.stdout.read().decode(errors="replace") if process.poll() is not None else ""
    log = log_file.read_text(errors="replace") if log_file.exists() else ""
    pytest.fail(f"Dovecot did not start on port {port}.\n{output}\n{log}", pytrace=False)


@pytest.fixture
def imap_server(_dovecot) -> ImapServer:
    _dovecot.empty()
    return _dovecot


@pytest.fixture(scope="session")
def _dovecot() -> Iterator[ImapServer]:
    binary = dovecot_binary()
    accounts = Accounts.for_current_user()
    # Not pytest's tmp_path: its parents are private to us, and Dovecot's helper processes run
    # as other users when we are root.
    root = Path(tempfile.mkdtemp(prefix="eventsys-dovecot-"))
    root.chmod(0o755)
    process = None
    try:
        (root / "home").mkdir()
        os.chown(root / "home", accounts.mail_uid, accounts.mail_gid)
        passwd = root / "passwd"
        passwd.write_text(f"{USERNAME}:{{PLAIN}}{PASSWORD}\n", encoding="utf-8")
        passwd.chmod(0o644)
        port = free_port()
        config = root / "dovecot.conf"
        config.write_text(_config(root, port, accounts, _dovecot_version(binary)))
        process = subprocess.Popen(
            [binary, "-F", "-c", str(config)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        _wait_until_listening(process, port, root / "dovecot.log")
        yield ImapServer("127.0.0.1", port, USERNAME, PASSWORD)
    finally:
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process is not None and process.stdout is not None:
            process.stdout.close()
        shutil.rmtree(root, ignore_errors=True)
