"""The production profile: several Rasa replicas and action servers behind nginx, on
PostgreSQL (tracker store), Redis (lock store) and RabbitMQ (event broker).

`make run-production` (or `python scripts/cli.py run --profile production`) and the
production tests use `ProductionStack`. It checks (and, on this machine, starts) the local
services, creates the tracker database, renders the nginx configuration, starts every process
and waits until the public entry point answers; stopping stops them all. Settings come from the
environment only (see PRODUCTION_DEFAULTS and docs/deployment.md).
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from scripts.model import ensure_model
from scripts.stack import ROOT, Stack, http_get, stack_env

PRODUCTION_DEFAULTS = {
    "LDN_ENDPOINTS": "endpoints.production.yml",
    "LDN_PUBLIC_PORT": "8080",
    "LDN_RASA_REPLICAS": "2",
    "LDN_RASA_BASE_PORT": "5010",
    "LDN_ACTION_SERVERS": "2",
    "LDN_ACTION_BASE_PORT": "5060",
    # What Rasa calls: nginx's internal port in front of the action servers.
    "LDN_ACTION_PROXY_PORT": "5059",
    "LDN_PG_HOST": "127.0.0.1",
    "LDN_PG_PORT": "5432",
    "LDN_PG_DB": "ldn_tracker",
    "LDN_PG_USER": "postgres",
    "LDN_PG_PASSWORD": "",
    "LDN_REDIS_HOST": "127.0.0.1",
    "LDN_REDIS_PORT": "6379",
    "LDN_REDIS_DB": "1",
    "LDN_REDIS_PASSWORD": "",
    "LDN_REDIS_PREFIX": "ldn",
    "LDN_RABBITMQ_HOST": "127.0.0.1",
    "LDN_RABBITMQ_PORT": "5672",
    # RabbitMQ's built-in account, which only accepts connections from localhost.
    "LDN_RABBITMQ_USER": "guest",
    "LDN_RABBITMQ_PASSWORD": "guest",
    "LDN_RABBITMQ_QUEUE": "ldn_events",
    # A replica killed mid-message blocks its conversation at most this long (live processes
    # renew their tickets: rasa_plugins/lock_store.py).
    "TICKET_LOCK_LIFETIME": "10",
    # One compute thread per process: on a busy machine more threads wait on each other
    # (measured: docs/deployment.md); scale with processes instead.
    "TF_INTRA_OP_PARALLELISM_THREADS": "1",
    "TF_INTER_OP_PARALLELISM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "LDN_TORCH_THREADS": "1",
    # Rasa's SQL pool per replica.
    "SQL_POOL_SIZE": "10",
    "SQL_MAX_OVERFLOW": "10",
}

# Tokens the profile refuses to run without. For a local run they are generated once and kept
# in <data dir>/secrets.env (mode 0600); a real deployment sets them in the environment.
REQUIRED_TOKENS = ("RASA_AUTH_TOKEN", "LDN_REST_TOKEN")

# How this machine's local services are started when they are down (Debian packages).
LOCAL_SERVICES = {
    "PostgreSQL": (
        "LDN_PG_HOST",
        "LDN_PG_PORT",
        "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    ),
    "Redis": (
        "LDN_REDIS_HOST",
        "LDN_REDIS_PORT",
        "redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save '' "
        "--appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log",
    ),
    "RabbitMQ": ("LDN_RABBITMQ_HOST", "LDN_RABBITMQ_PORT", "rabbitmq-server -detached"),
}


class ConfigurationError(RuntimeError):
    """A setting is missing or unsafe; the message says which and how to fix it."""


def port_open(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def production_env(overrides: dict[str, str] | None = None) -> dict[str, str]:
    env = stack_env({**PRODUCTION_DEFAULTS, **os.environ, **(overrides or {})})
    data_dir = Path(env["LDN_DATA_DIR"])
    _load_or_create_tokens(env, data_dir / "secrets.env")
    # Only the proxy's address is used for actions here; the dev ACTION_PORT is not.
    env["ACTION_PORT"] = env["LDN_ACTION_PROXY_PORT"]
    env.setdefault("LDN_PUBLIC_URL", f"http://127.0.0.1:{env['LDN_PUBLIC_PORT']}")
    # Browsers may only call from the assistant's own origin unless configured otherwise.
    env.setdefault("LDN_CORS_ORIGINS", env["LDN_PUBLIC_URL"])
    check_settings(env)
    return env


def _load_or_create_tokens(env: dict[str, str], path: Path) -> None:
    missing = [name for name in REQUIRED_TOKENS if not env.get(name)]
    if not missing:
        return
    stored: dict[str, str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            name, _, value = line.partition("=")
            stored[name.strip()] = value.strip()
    for name in missing:
        if not stored.get(name):
            stored[name] = secrets.token_urlsafe(32)
        env[name] = stored[name]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{k}={v}\n" for k, v in stored.items()), encoding="utf-8")
    path.chmod(0o600)


def check_settings(env: dict[str, str]) -> None:
    problems = []
    for name in REQUIRED_TOKENS:
        if len(env.get(name, "")) < 16:
            problems.append(f"{name} must be set to a secret of at least 16 characters")
    if "*" in env["LDN_CORS_ORIGINS"].replace(",", " ").split():
        problems.append("LDN_CORS_ORIGINS must list the allowed origins; '*' is refused here")
    for name in ("LDN_RASA_REPLICAS", "LDN_ACTION_SERVERS"):
        if not env[name].isdigit() or int(env[name]) < 1:
            problems.append(f"{name} must be a positive whole number, got {env[name]!r}")
    jwt_key = env.get("LDN_WEBCHAT_JWT_KEY", "")
    if jwt_key and len(jwt_key) < 32:
        problems.append("LDN_WEBCHAT_JWT_KEY must be at least 32 characters (HS256 key)")
    if not env["LDN_REDIS_PREFIX"].isalnum():
        problems.append("LDN_REDIS_PREFIX must be letters and digits only")
    if problems:
        raise ConfigurationError("production profile: " + "; ".join(problems))


def ensure_local_services(env: dict[str, str], say) -> None:
    """Each service must accept connections; a local one that does not is started."""
    for service, (host_var, port_var, start_command) in LOCAL_SERVICES.items():
        host, port = env[host_var], int(env[port_var])
        if port_open(host, port):
            continue
        if host not in ("127.0.0.1", "localhost"):
            raise RuntimeError(f"{service} at {host}:{port} does not accept connections")
        say(f"==> {service} is not running on {host}:{port}; starting it")
        subprocess.run(start_command, shell=True, check=False, capture_output=True)
        deadline = time.monotonic() + 60
        while not port_open(host, port):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{service} did not start on {host}:{port} ({start_command})")
            time.sleep(1)


def ensure_tracker_database(env: dict[str, str]) -> None:
    """Create the PostgreSQL database and Rasa's tables once, before the replicas start."""
    result = subprocess.run(
        [str(ROOT / ".venv/rasa/bin/python"), "-W", "ignore", "-m"]
        + ["rasa_plugins.tracker_database", "ensure"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            "could not create the tracker database "
            f"{env['LDN_PG_DB']!r}: {result.stderr.strip().splitlines()[-1:]}"
        )


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if not found:
        raise RuntimeError("nginx is not installed: run scripts/ensure_nginx.sh")
    return found


@dataclass
class ProductionStack(Stack):
    """The production profile; ``rasa_url`` is the public nginx entry point."""

    env: dict[str, str] = field(default_factory=production_env)

    def __post_init__(self) -> None:
        replicas = int(self.env["LDN_RASA_REPLICAS"])
        servers = int(self.env["LDN_ACTION_SERVERS"])
        rasa_base, action_base = (
            int(self.env["LDN_RASA_BASE_PORT"]),
            int(self.env["LDN_ACTION_BASE_PORT"]),
        )
        self.rasa_ports = {f"rasa-{i + 1}": str(rasa_base + i) for i in range(replicas)}
        self.action_ports = {f"actions-{i + 1}": str(action_base + i) for i in range(servers)}

    @property
    def rasa_url(self) -> str:
        return self.env["LDN_PUBLIC_URL"]

    def replica_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.rasa_ports[name]}"

    @property
    def nginx_dir(self) -> Path:
        return Path(self.env["LDN_DATA_DIR"]) / "nginx"

    def render_nginx(self) -> Path:
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.nginx_dir / sub).mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        run_as_root = os.geteuid() == 0
        if run_as_root:  # workers run as nobody: they need their temp folders
            for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
                shutil.chown(self.nginx_dir / sub, user="nobody")
        template = Environment(
            loader=FileSystemLoader(ROOT / "deploy"),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        ).get_template("nginx.conf.j2")
        conf = self.nginx_dir / "nginx.conf"
        conf.write_text(
            template.render(
                data_dir=str(Path(self.env["LDN_DATA_DIR"]).resolve()),
                log_dir=str(self.log_dir.resolve()),
                run_as_root=run_as_root,
                public_port=self.env["LDN_PUBLIC_PORT"],
                action_proxy_port=self.env["LDN_ACTION_PROXY_PORT"],
                rasa_ports=list(self.rasa_ports.values()),
                action_ports=list(self.action_ports.values()),
            ),
            encoding="utf-8",
        )
        return conf

    def start_nginx(self, timeout: float = 30) -> None:
        binary = nginx_binary()
        conf = self.render_nginx()
        check = subprocess.run(
            [binary, "-t", "-q", "-p", str(self.nginx_dir), "-c", str(conf)],
            capture_output=True,
            text=True,
            check=False,
        )
        if check.returncode != 0:
            raise RuntimeError(f"nginx configuration rejected: {check.stderr.strip()}")
        self.say(f"==> starting nginx on {self.rasa_url}")
        self._spawn("nginx", [binary, "-p", str(self.nginx_dir), "-c", str(conf)])
        self._wait("nginx", lambda: http_get(f"{self.rasa_url}/webhooks/rest/")[0] == 200, timeout)

    def start_action_server(self, name: str) -> None:
        url = self.spawn_actions(name, self.action_ports[name])
        self.wait_actions(name, url)

    def start_replica(self, name: str, model: Path | None = None) -> None:
        url = self.spawn_rasa(model or ensure_model(), name, self.rasa_ports[name])
        self.wait_rasa(name, url)

    def start(self) -> ProductionStack:
        Path(self.env["LDN_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
        model = ensure_model()
        try:
            ensure_local_services(self.env, self.say)
            ensure_tracker_database(self.env)
            # Start each group at once, then wait: the processes load in parallel.
            urls = {
                name: self.spawn_actions(name, port) for name, port in self.action_ports.items()
            }
            for name, url in urls.items():
                self.wait_actions(name, url)
            urls = {
                name: self.spawn_rasa(model, name, port) for name, port in self.rasa_ports.items()
            }
            for name, url in urls.items():
                self.wait_rasa(name, url)
            self.start_nginx()
        except BaseException:
            self.stop()
            raise
        return self

    def can_restart(self, name: str) -> bool:
        # The others keep serving while one replica or action server comes back.
        return name in self.rasa_ports or name in self.action_ports

    def restart(self, name: str) -> None:
        self.stop_process(name)
        if name in self.rasa_ports:
            self.start_replica(name)
        elif name in self.action_ports:
            self.start_action_server(name)
        else:
            raise ValueError(f"{name} cannot be restarted on its own")

    def extra_notes(self) -> str:
        web_chat = (
            "a JWT signed with LDN_WEBCHAT_JWT_KEY (cookie ldn_chat_token)"
            if self.env.get("LDN_WEBCHAT_JWT_KEY")
            else "NO sign-in (set LDN_WEBCHAT_JWT_KEY, or keep it behind SSO)"
        )
        return (
            f"\n  Replicas:    {', '.join(self.replica_url(n) for n in self.rasa_ports)}"
            f"\n  Auth:        Bearer LDN_REST_TOKEN for REST, ?token=RASA_AUTH_TOKEN for the "
            f"API (from the environment or {Path(self.env['LDN_DATA_DIR']) / 'secrets.env'})"
            f"; web chat: {web_chat}"
            f"\n  Events:      RabbitMQ queue {self.env['LDN_RABBITMQ_QUEUE']}"
        )
