"""CDS service settings from environment variables (docs/cds-hooks.md lists them)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from ldn_core.settings import REPO_ROOT


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _issuers(raw: str) -> dict[str, str]:
    try:
        issuers = json.loads(raw or "{}")
    except ValueError:
        issuers = None
    if not isinstance(issuers, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in issuers.items()
    ):
        raise ValueError(
            'LDN_CDS_TRUSTED_ISSUERS must be a JSON object {"<iss>": "<JWKS URL or empty>"}'
        )
    return issuers


@dataclass(frozen=True)
class CdsSettings:
    host: str
    port: int
    public_url: str  # base URL the EHR calls; JWT `aud` must be <public_url>/cds-services/...
    data_dir: Path
    require_jwt: bool
    trusted_issuers: dict[str, str]  # iss -> JWKS URL (or "" when a configured key is used)
    public_key_pem: str | None  # one configured verification key for all trusted issuers
    fhir_timeout_s: float = 10.0

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> CdsSettings:
        env = dict(os.environ if env is None else env)
        port = int(env.get("LDN_CDS_PORT", "5010"))
        host = env.get("LDN_CDS_HOST", "127.0.0.1")
        production = env.get("LDN_PROFILE", "dev") == "production"
        key_file = env.get("LDN_CDS_JWT_PUBLIC_KEY_FILE")
        return cls(
            host=host,
            port=port,
            public_url=env.get("LDN_CDS_PUBLIC_URL", f"http://{host}:{port}").rstrip("/"),
            data_dir=Path(env.get("LDN_DATA_DIR", REPO_ROOT / "var")),
            # unsigned calls are refused in production unless explicitly switched off
            require_jwt=_flag(env.get("LDN_CDS_REQUIRE_JWT"), production),
            trusted_issuers=_issuers(env.get("LDN_CDS_TRUSTED_ISSUERS", "")),
            public_key_pem=Path(key_file).read_text("utf-8") if key_file else None,
        )
