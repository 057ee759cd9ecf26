"""deploy/: the process list, the systemd units and compose.yaml say the same thing, and the nginx
template renders into a configuration nginx accepts. (The stack itself runs in `make prod-check`.)"""

import configparser
import os
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
DEPLOY = REPO / "deploy"


def processes():
    with open(DEPLOY / "processes.toml", "rb") as f:
        return {name: shlex.split(spec["command"]) for name, spec in tomllib.load(f).items()}


def cpu_weights():
    with open(DEPLOY / "processes.toml", "rb") as f:
        return {name: spec.get("cpu_weight", 100) for name, spec in tomllib.load(f).items()}


def load_prodcheck():
    """deploy/prodcheck.py as a module (it is a script, not part of the package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("prodcheck", DEPLOY / "prodcheck.py")
    prodcheck = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(prodcheck)
    return prodcheck


def test_prod_check_gives_the_weighted_processes_a_lower_nice_value():
    prodcheck = load_prodcheck()
    assert prodcheck.nice_for(100) == 0
    assert prodcheck.nice_for(400) == (-6 if os.geteuid() == 0 else 0)
    assert prodcheck.nice_for(50) == 3


def unit(name):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(DEPLOY / "systemd" / name)
    return parser


def test_every_process_has_a_systemd_unit_running_the_same_command():
    units = {
        "web": "firegrid-web.service",
        "ingest": "firegrid-ingest@.service",
        "worker": "firegrid-worker.service",
        "beat": "firegrid-beat.service",
        "gb26875": "firegrid-gb26875.service",
    }
    assert set(units) == set(processes())
    for name, argv in processes().items():
        service = unit(units[name])["Service"]
        command = shlex.split(service["ExecStart"])
        command[0] = command[0].removeprefix("/opt/firegrid/.venv/bin/")
        if name == "ingest":
            assert command[-2:] == ["--worker", "%i"]  # one client id per instance
            command = command[:-2]
        assert command == argv, name
        assert service["EnvironmentFile"] == "/etc/firegrid/firegrid.env"
        assert service["User"] == "firegrid"
        assert int(service.get("CPUWeight", 100)) == cpu_weights()[name], name
    assert cpu_weights()["ingest"] > cpu_weights()["web"]  # telemetry and alarms before pages


def test_compose_runs_the_same_processes_and_is_well_formed():
    compose = yaml.safe_load((REPO / "compose.yaml").read_text())
    services = compose["services"]
    for name, argv in processes().items():
        assert services[name]["command"] == argv, name
        assert services[name]["image"] == "firegrid:latest"
        assert services[name].get("cpu_shares", 1024) == cpu_weights()[name] * 1024 // 100, name
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert {"postgres", "redis", "mosquitto", "nginx", "migrate"} <= set(services)
    named = set(compose["volumes"])
    for service in services.values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith("."):
                assert source in named, f"volume {source} is not declared"
            else:
                assert (REPO / source).exists() or source == "./deploy/tls", f"{source} is missing"
    dockerfile = (REPO / "Dockerfile").read_text()
    assert "requirements.txt" in dockerfile and "collectstatic" in dockerfile


def render_nginx(tmp_path):
    prodcheck = load_prodcheck()
    cert, key = tmp_path / "tls.crt", tmp_path / "tls.key"
    prodcheck.self_signed_certificate(cert, key, "localhost", days=1)
    values = {
        "FIREGRID_SERVER_NAME": "localhost",
        "FIREGRID_HTTP_PORT": "127.0.0.1:18080",
        "FIREGRID_HTTPS_PORT": "127.0.0.1:18443",
        "FIREGRID_TLS_CERT": str(cert),
        "FIREGRID_TLS_KEY": str(key),
        "FIREGRID_UPSTREAM": "127.0.0.1:18001",
        "FIREGRID_STATIC_ROOT": str(tmp_path / "static"),
    }
    names = prodcheck.template_variables()
    assert names == set(values), "the template's variables changed: update prodcheck.py and compose.yaml"
    return prodcheck.render_site(values)


@pytest.mark.skipif(not shutil.which("nginx") or not shutil.which("openssl"), reason="nginx/openssl missing")
def test_the_nginx_template_renders_into_a_valid_configuration(tmp_path):
    (tmp_path / "site.conf").write_text(render_nginx(tmp_path))
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{ include /etc/nginx/mime.types; include {tmp_path}/site.conf; }}\n"
    )
    done = subprocess.run(["nginx", "-t", "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True)  # noqa: S603, S607
    assert done.returncode == 0, done.stderr
    site = (tmp_path / "site.conf").read_text()
    assert "location /media/ { return 404; }" in site  # uploads only through Django's checks
    assert "X-Request-ID" in site and "X-Forwarded-Proto" in site


def test_gunicorn_configuration_loads():
    config = {}
    exec(compile((DEPLOY / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), config)  # noqa: S102
    assert config["worker_class"] == "gthread"
    assert config["workers"] >= 1 and config["threads"] >= 1
    assert callable(config["child_exit"])


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GUNICORN_GC_THRESHOLD", "10000;20"),
        ("GUNICORN_GC_THRESHOLD", "1,2,3,4"),
        ("GUNICORN_GC_THRESHOLD", "-5"),
        ("GUNICORN_GC_THRESHOLD", ""),
        ("WEB_CONCURRENCY", "four"),
        ("WEB_CONCURRENCY", "0"),
        ("GUNICORN_THREADS", "2.5"),
        ("GUNICORN_TIMEOUT", "0"),
        ("GUNICORN_MAX_REQUESTS", "-1"),
        ("GUNICORN_SWITCH_INTERVAL_US", "50"),
    ],
)
def test_a_bad_gunicorn_setting_stops_it_with_a_message_naming_the_setting(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as stopped:
        exec(compile((DEPLOY / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), {})  # noqa: S102
    message = str(stopped.value)
    assert message.startswith(f"{name}={value!r}: give ") and "for example" in message


@pytest.mark.parametrize(
    ("value", "expected"), [("700", (700,)), ("700/10", (700, 10)), (" 0 , 5, 5 ", (0, 5, 5))]
)
def test_gc_threshold_takes_one_to_three_numbers(monkeypatch, value, expected):
    monkeypatch.setenv("GUNICORN_GC_THRESHOLD", value)
    config = {}
    exec(compile((DEPLOY / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), config)  # noqa: S102
    assert config["GC_THRESHOLD"] == expected


def test_gunicorn_workers_freeze_the_app_and_collect_less_often():
    import gc

    config = {}
    exec(compile((DEPLOY / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), config)  # noqa: S102
    before, interval = gc.get_threshold(), sys.getswitchinterval()
    try:
        config["post_worker_init"](None)
        assert gc.get_threshold() == config["GC_THRESHOLD"] == (10000, 20, 100)
        assert gc.get_freeze_count() > 0
        assert sys.getswitchinterval() == 0.005  # Python's default unless GUNICORN_SWITCH_INTERVAL_US
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
        sys.setswitchinterval(interval)
