"""Settings of the production profile: refused when unsafe, secrets never defaulted in code."""

from __future__ import annotations

import stat

import pytest

from scripts.production import ConfigurationError, ProductionStack, production_env

API_TOKEN = "unit-api-token-" + "a" * 24
REST_TOKEN = "unit-rest-token-" + "r" * 24


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"RASA_AUTH_TOKEN": "short"}, "RASA_AUTH_TOKEN"),
        ({"LDN_REST_TOKEN": "short"}, "LDN_REST_TOKEN"),
        ({"LDN_CORS_ORIGINS": "*"}, "LDN_CORS_ORIGINS"),
        ({"LDN_CORS_ORIGINS": "https://a.example, *"}, "LDN_CORS_ORIGINS"),
        ({"LDN_RASA_REPLICAS": "zero"}, "LDN_RASA_REPLICAS"),
        ({"LDN_ACTION_SERVERS": "0"}, "LDN_ACTION_SERVERS"),
        ({"LDN_REDIS_PREFIX": "ldn:prod"}, "LDN_REDIS_PREFIX"),
        ({"LDN_WEBCHAT_JWT_KEY": "too-short-for-hs256"}, "LDN_WEBCHAT_JWT_KEY"),
    ],
)
def test_unsafe_settings_are_refused_with_the_setting_named(tmp_path, overrides, complaint):
    settings = {
        "LDN_DATA_DIR": str(tmp_path),
        "RASA_AUTH_TOKEN": API_TOKEN,
        "LDN_REST_TOKEN": REST_TOKEN,
        **overrides,
    }
    with pytest.raises(ConfigurationError, match=complaint):
        production_env(settings)


def test_missing_tokens_are_generated_once_into_a_private_file(tmp_path, monkeypatch):
    for name in ("RASA_AUTH_TOKEN", "LDN_REST_TOKEN", "LDN_CORS_ORIGINS"):
        monkeypatch.delenv(name, raising=False)
    first = production_env({"LDN_DATA_DIR": str(tmp_path)})
    second = production_env({"LDN_DATA_DIR": str(tmp_path)})
    secrets_file = tmp_path / "secrets.env"
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    for name in ("RASA_AUTH_TOKEN", "LDN_REST_TOKEN"):
        assert len(first[name]) >= 32 and first[name] == second[name]
        assert f"{name}={first[name]}" in secrets_file.read_text()
    assert first["RASA_AUTH_TOKEN"] != first["LDN_REST_TOKEN"]
    # Browsers: only the assistant's own origin unless configured.
    assert first["LDN_CORS_ORIGINS"] == "http://127.0.0.1:8080"


def test_tokens_from_the_environment_are_not_written_to_disk(tmp_path):
    production_env(
        {"LDN_DATA_DIR": str(tmp_path), "RASA_AUTH_TOKEN": API_TOKEN, "LDN_REST_TOKEN": REST_TOKEN}
    )
    assert not (tmp_path / "secrets.env").exists()


def test_nginx_configuration_lists_every_replica_and_action_server(tmp_path):
    env = production_env(
        {
            "LDN_DATA_DIR": str(tmp_path),
            "RASA_AUTH_TOKEN": API_TOKEN,
            "LDN_REST_TOKEN": REST_TOKEN,
            "LDN_RASA_REPLICAS": "3",
            "LDN_RASA_BASE_PORT": "6010",
            "LDN_ACTION_SERVERS": "2",
            "LDN_ACTION_BASE_PORT": "6060",
            "LDN_ACTION_PROXY_PORT": "6059",
            "LDN_PUBLIC_PORT": "9090",
        }
    )
    stack = ProductionStack(env=env)
    conf = stack.render_nginx().read_text()
    for port in ("6010", "6011", "6012"):
        assert conf.count(f"server 127.0.0.1:{port} ") == 2  # in the sticky and the any pool
    for port in ("6060", "6061"):
        assert conf.count(f"server 127.0.0.1:{port} ") == 1
    assert "listen 127.0.0.1:9090;" in conf and "listen 127.0.0.1:6059;" in conf
    assert "hash $ldn_sticky_key consistent;" in conf
    assert "client_max_body_size 64k;" in conf
    assert env["ACTION_PORT"] == "6059"  # Rasa calls the action servers through the proxy
    for secret in (API_TOKEN, REST_TOKEN):
        assert secret not in conf


def test_the_web_chat_sign_in_key_is_named_in_the_credentials_never_written(tmp_path):
    key = "unit-webchat-key-" + "w" * 24
    env = production_env(
        {
            "LDN_DATA_DIR": str(tmp_path),
            "RASA_AUTH_TOKEN": API_TOKEN,
            "LDN_REST_TOKEN": REST_TOKEN,
            "LDN_WEBCHAT_JWT_KEY": key,
        }
    )
    credentials = ProductionStack(env=env).credentials_file()
    text = (tmp_path / "credentials.generated.yml").read_text()
    assert credentials == str(tmp_path / "credentials.generated.yml")
    section = text.split("channels.webchat.ClinicalSocketIOInput:\n", 1)[1]
    assert section.startswith("  jwt_key: ${LDN_WEBCHAT_JWT_KEY}\n  jwt_method: HS256\n")
    assert key not in text


def test_without_a_sign_in_key_the_plain_credentials_are_used(tmp_path):
    env = production_env(
        {"LDN_DATA_DIR": str(tmp_path), "RASA_AUTH_TOKEN": API_TOKEN, "LDN_REST_TOKEN": REST_TOKEN}
    )
    env.pop("SLACK_BOT_TOKEN", None)
    assert ProductionStack(env=env).credentials_file() == "credentials.yml"
