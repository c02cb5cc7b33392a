"""Start, supervise and stop the assistant: the action server and the Rasa server.

`make run` uses the CLI (`python scripts/cli.py run`); the live tests use `Stack` as a
context manager. Both wait until each process is really ready (the action server has loaded
the knowledge store; Rasa has loaded its model), and stop both cleanly.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from scripts.model import ensure_model

ROOT = Path(__file__).resolve().parent.parent

DEFAULTS = {
    "RASA_PORT": "5005",
    "ACTION_PORT": "5055",
    "LDN_CDS_PORT": "5010",
    "LDN_DATA_DIR": str(ROOT / "var"),
    "RASA_TELEMETRY_ENABLED": "false",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
}


def http_get(url: str, timeout: float = 2.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, b""
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return 0, b""


def post_json(url: str, body: dict, timeout: float = 120.0) -> tuple[int, object]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, None
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return 0, None


def cors_origins(env: dict[str, str]) -> list[str]:
    """Allowed browser origins for the Rasa server: LDN_CORS_ORIGINS, comma or space separated."""
    raw = env.get("LDN_CORS_ORIGINS", "*")
    return [origin for origin in raw.replace(",", " ").split() if origin] or ["*"]


def stack_env(overrides: dict[str, str] | None = None) -> dict[str, str]:
    env = {**DEFAULTS, **os.environ, **(overrides or {})}
    data_dir = Path(env["LDN_DATA_DIR"])
    env.setdefault("LDN_TRACKER_DB", str(data_dir / "tracker.db"))
    return env


@dataclass
class Stack:
    env: dict[str, str] = field(default_factory=stack_env)
    quiet: bool = False
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.env['RASA_PORT']}"

    @property
    def action_url(self) -> str:
        return f"http://127.0.0.1:{self.env['ACTION_PORT']}"

    @property
    def log_dir(self) -> Path:
        return Path(self.env["LDN_DATA_DIR"]) / "logs"

    def say(self, message: str) -> None:
        if not self.quiet:
            print(message, flush=True)

    def _spawn(self, name: str, argv: list[str]) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - owned by the child
        self.processes[name] = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: stopped as a whole
        )

    def _wait(self, name: str, ready, timeout: float) -> None:
        started = time.monotonic()
        last_note = started
        while time.monotonic() - started < timeout:
            process = self.processes[name]
            if process.poll() is not None:
                raise RuntimeError(
                    f"{name} exited with code {process.returncode}; see {self.log_dir / name}.log"
                )
            if ready():
                self.say(f"    {name} ready after {time.monotonic() - started:.0f} s")
                return
            if time.monotonic() - last_note > 15:
                self.say(f"    ... waiting for {name} ({time.monotonic() - started:.0f} s)")
                last_note = time.monotonic()
            time.sleep(0.5)
        raise TimeoutError(f"{name} not ready after {timeout:.0f} s; see {self.log_dir / name}.log")

    def spawn_actions(self, name: str = "actions", port: str | None = None) -> str:
        """Start one action server; returns its URL (readiness: ``wait_actions``)."""
        port = port or self.env["ACTION_PORT"]
        url = f"http://127.0.0.1:{port}"
        self.say(f"==> starting the action server {name} on {url}")
        self._spawn(
            name,
            [
                str(ROOT / ".venv/actions/bin/python"),
                "-m",
                "rasa_sdk",
                "--actions",
                "actions",
                "--port",
                port,
            ],
        )
        return url

    def wait_actions(self, name: str, url: str, timeout: float = 240) -> None:
        self._wait(name, lambda: http_get(f"{url}/health")[0] == 200, timeout)
        # Ready means the knowledge store and embedding model are loaded: ask one question.
        warmup = {
            "next_action": "action_respond",
            "sender_id": "stack-warmup",
            "tracker": {
                "sender_id": "stack-warmup",
                "slots": {},
                "events": [],
                "latest_message": {
                    "text": "starting dose",
                    "intent": {"name": "ask_dosing"},
                    "entities": [],
                },
            },
            "domain": {},
        }
        started = time.monotonic()
        status, _ = post_json(f"{url}/webhook", warmup, timeout=timeout)
        if status != 200:
            raise RuntimeError(
                f"action server warm-up failed (HTTP {status}); see {self.log_dir}/{name}.log"
            )
        self.say(f"    {name}: knowledge store loaded in {time.monotonic() - started:.0f} s")

    def start_actions(self, timeout: float = 240) -> None:
        url = self.spawn_actions()
        self.wait_actions("actions", url, timeout)

    @property
    def slack_enabled(self) -> bool:
        return bool(self.env.get("SLACK_BOT_TOKEN") and self.env.get("SLACK_SIGNING_SECRET"))

    def credentials_file(self) -> str:
        """credentials.yml, plus the Slack channel when SLACK_BOT_TOKEN and
        SLACK_SIGNING_SECRET are set, plus a sign-in token for the web chat's socket.io
        connection when LDN_WEBCHAT_JWT_KEY is set. Secrets stay in the environment: the
        generated file names the variable (Rasa expands it), never its value."""
        base = self.env.get("LDN_CREDENTIALS", "credentials.yml")
        text = (ROOT / base).read_text(encoding="utf-8")
        added = ""
        if self.env.get("LDN_WEBCHAT_JWT_KEY"):
            socketio = "channels.webchat.ClinicalSocketIOInput:\n"
            if socketio not in text:
                raise RuntimeError(f"{base} has no {socketio.strip()} section for the token")
            text = text.replace(
                socketio,
                socketio + "  jwt_key: ${LDN_WEBCHAT_JWT_KEY}\n  jwt_method: HS256\n",
            )
            added += " LDN_WEBCHAT_JWT_KEY"
        if self.slack_enabled:
            text += "\nchannels.slack.ClinicalSlackInput:\n"
            added += " SLACK_BOT_TOKEN SLACK_SIGNING_SECRET"
        if not added:
            return base
        generated = Path(self.env["LDN_DATA_DIR"]) / "credentials.generated.yml"
        generated.write_text(f"# Generated by scripts/stack.py for:{added}\n" + text, "utf-8")
        return str(generated)

    def spawn_rasa(self, model: Path, name: str = "rasa", port: str | None = None) -> str:
        """Start one Rasa server; returns its URL (readiness: ``wait_rasa``)."""
        port = port or self.env["RASA_PORT"]
        url = f"http://127.0.0.1:{port}"
        self.say(f"==> starting the Rasa server {name} on {url}")
        argv = [
            str(ROOT / ".venv/rasa/bin/rasa"),
            "run",
            "--enable-api",
            "--interface",
            self.env.get("RASA_INTERFACE", "127.0.0.1"),
            "--port",
            port,
            "--model",
            str(model),
            "--credentials",
            self.credentials_file(),
            "--endpoints",
            self.env.get("LDN_ENDPOINTS", "endpoints.yml"),
            "--cors",
            *cors_origins(self.env),
        ]
        if self.env.get("RASA_AUTH_TOKEN"):
            argv += ["--auth-token", self.env["RASA_AUTH_TOKEN"]]
        self._spawn(name, argv)
        return url

    def wait_rasa(self, name: str, url: str, timeout: float = 300) -> None:
        def loaded() -> bool:
            status, body = http_get(f"{url}/status?token={self.env.get('RASA_AUTH_TOKEN', '')}")
            return status == 200 and b'"model_id"' in body and b'"model_id":null' not in body

        self._wait(name, loaded, timeout)

    def start_rasa(self, model: Path, timeout: float = 300) -> None:
        url = self.spawn_rasa(model)
        self.wait_rasa("rasa", url, timeout)

    @property
    def cds_url(self) -> str:
        return f"http://127.0.0.1:{self.env['LDN_CDS_PORT']}"

    def start_cds(self, timeout: float = 60) -> None:
        """The CDS Hooks service for EHRs (cds_service; docs/cds-hooks.md)."""
        self.say(f"==> starting the CDS Hooks service on {self.cds_url}")
        self._spawn("cds", [str(ROOT / ".venv/actions/bin/python"), "-m", "cds_service"])
        self._wait("cds", lambda: http_get(f"{self.cds_url}/health")[0] == 200, timeout)

    def start(self) -> Stack:
        Path(self.env["LDN_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
        model = ensure_model()
        try:
            self.start_actions()
            self.start_rasa(model)
        except BaseException:
            self.stop()
            raise
        return self

    def stop_process(self, name: str, timeout: float = 20) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        except ProcessLookupError:
            pass

    def stop(self) -> None:
        # Entry points first, then what they call (started last, stopped first).
        for name in reversed(list(self.processes)):
            self.say(f"==> stopping {name}")
            self.stop_process(name)

    def extra_notes(self) -> str:
        return ""

    def can_restart(self, name: str) -> bool:
        """Dev profile: one process of each kind, so a crash stops the whole stack."""
        return False

    def restart(self, name: str) -> None:
        raise NotImplementedError(name)

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
