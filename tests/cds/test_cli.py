"""``python -m cds_service`` flags: they override the environment, and bad ones are refused."""

import pytest

from cds_service.__main__ import parse_settings


def test_port_and_host_flags_override_the_environment(monkeypatch):
    monkeypatch.setenv("LDN_CDS_PORT", "5010")
    monkeypatch.delenv("LDN_CDS_PUBLIC_URL", raising=False)
    settings = parse_settings(["--port", "5610", "--host", "0.0.0.0"])
    assert (settings.host, settings.port) == ("0.0.0.0", 5610)
    assert settings.public_url == "http://0.0.0.0:5610"


def test_without_flags_the_environment_decides(monkeypatch):
    monkeypatch.setenv("LDN_CDS_PORT", "5710")
    assert parse_settings([]).port == 5710


@pytest.mark.parametrize("argv", [["--port", "abc"], ["--prot", "5610"]])
def test_bad_flags_are_refused_with_a_usage_error(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        parse_settings(argv)
    assert exit_info.value.code == 2
    assert "usage: python -m cds_service" in capsys.readouterr().err
