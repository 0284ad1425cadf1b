"""The deployment files: docker-compose.yml, Dockerfile and Procfile.

No container engine runs where the suite runs, so these tests read the files and check that the
full stack is wired as the README says. Each check is a plain function over the parsed file; the
``*_catches_*`` tests feed it a broken copy to prove the check can fail.
"""

import copy
import re
import shlex
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
APP_SERVICES = ("web", "worker", "beat")


def load_compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


@pytest.fixture
def compose() -> dict:
    return load_compose()


def as_text(value: str | list | None) -> str:
    """A command or healthcheck test as one string, whether written as a list or a string."""
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(str(part) for part in value)
    return str(value)


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: str(value) for key, value in env.items()}


def dockerfile_env(name: str) -> str | None:
    match = re.search(rf"\b{name}=(\S+)", (REPO / "Dockerfile").read_text())
    return match.group(1) if match else None


# --- Checks ------------------------------------------------------------------------------------


def check_services_exist(cfg: dict) -> None:
    services = cfg.get("services") or {}
    missing = {"web", "worker", "beat", "postgres", "redis", "migrate"} - services.keys()
    assert not missing, f"services missing from docker-compose.yml: {sorted(missing)}"


def check_app_services_share_one_image(cfg: dict) -> None:
    services = cfg["services"]
    builds = {name: services[name].get("build") for name in (*APP_SERVICES, "migrate")}
    images = {name: services[name].get("image") for name in (*APP_SERVICES, "migrate")}
    assert all(builds.values()), f"every app service builds the Dockerfile: {builds}"
    assert len({repr(b) for b in builds.values()}) == 1, f"one build for all app services: {builds}"
    assert all(images.values()), f"every app service names the image: {images}"
    assert len(set(images.values())) == 1, f"one image for all app services: {images}"
    context = builds["web"] if isinstance(builds["web"], str) else builds["web"].get("context", ".")
    assert (REPO / context / "Dockerfile").is_file()


def check_commands(cfg: dict) -> None:
    services = cfg["services"]
    web = as_text(services["web"].get("command"))
    assert "gunicorn" in web and "config.wsgi:application" in web, web
    assert "0.0.0.0:8000" in web, f"gunicorn must listen on all interfaces in the container: {web}"
    worker = shlex.split(as_text(services["worker"].get("command")))
    assert worker[:4] == ["celery", "-A", "config", "worker"], worker
    beat = shlex.split(as_text(services["beat"].get("command")))
    assert beat[:4] == ["celery", "-A", "config", "beat"], beat
    migrate = as_text(services["migrate"].get("command"))
    assert "manage.py migrate" in migrate, migrate
    assert (REPO / "config" / "celery.py").is_file(), "celery -A config needs config/celery.py"


def check_healthchecks(cfg: dict) -> None:
    services = cfg["services"]
    tests = {name: as_text((services[name].get("healthcheck") or {}).get("test")) for name in services}
    assert "pg_isready" in tests["postgres"], tests["postgres"]
    assert "redis-cli" in tests["redis"] and "ping" in tests["redis"], tests["redis"]
    assert "127.0.0.1:8000" in tests["web"] or "localhost:8000" in tests["web"], tests["web"]


def check_depends_on(cfg: dict) -> None:
    services = cfg["services"]
    for name in APP_SERVICES:
        deps = services[name].get("depends_on")
        assert isinstance(deps, dict), f"{name}: depends_on needs conditions, not a bare list"
        conditions = {dep: (spec or {}).get("condition") for dep, spec in deps.items()}
        assert conditions.get("postgres") == "service_healthy", (name, conditions)
        assert conditions.get("redis") == "service_healthy", (name, conditions)
        assert conditions.get("migrate") == "service_completed_successfully", (name, conditions)
    migrate_deps = services["migrate"].get("depends_on") or {}
    assert (migrate_deps.get("postgres") or {}).get("condition") == "service_healthy", migrate_deps
    assert "migrate" not in migrate_deps, "migrate cannot wait for itself"


def check_environment(cfg: dict) -> None:
    services = cfg["services"]
    for name in (*APP_SERVICES, "migrate"):
        env = environment(services[name])
        assert env.get("DJANGO_ENV") == "production", (name, env.get("DJANGO_ENV"))
        # The key comes from the operator's environment (or .env), never from this file.
        assert env.get("SECRET_KEY", "").startswith("${SECRET_KEY"), (name, "SECRET_KEY")
        assert env.get("ALLOWED_HOSTS"), (name, "ALLOWED_HOSTS")
        database = urlsplit(env.get("DATABASE_URL", ""))
        assert database.scheme in {"postgres", "postgresql"}, (name, env.get("DATABASE_URL"))
        assert database.hostname == "postgres", f"{name}: DATABASE_URL must point at the postgres service"
        assert database.path.strip("/") == environment(services["postgres"]).get("POSTGRES_DB"), name
        redis = urlsplit(env.get("REDIS_URL", ""))
        assert redis.scheme == "redis" and redis.hostname == "redis", (name, env.get("REDIS_URL"))


def check_volumes(cfg: dict) -> None:
    services = cfg["services"]
    named = set((cfg.get("volumes") or {}).keys())

    def mounts(name: str) -> dict[str, str]:
        pairs = (str(v).split(":")[:2] for v in services[name].get("volumes") or [])
        return {target: source for source, target in pairs}

    postgres_source = mounts("postgres").get("/var/lib/postgresql/data")
    assert postgres_source in named, f"postgres data needs a named volume, got {postgres_source!r}"
    media_root = dockerfile_env("MEDIA_ROOT")
    assert media_root, "the Dockerfile sets MEDIA_ROOT"
    for name in ("web", "worker"):
        source = mounts(name).get(media_root)
        assert source in named, f"{name}: uploads ({media_root}) need a named volume, got {source!r}"


def check_web_published_on_8000(cfg: dict) -> None:
    ports = [str(p) for p in cfg["services"]["web"].get("ports") or []]
    assert any(p.endswith(":8000") for p in ports), ports


CHECKS: list[Callable[[dict], None]] = [
    check_services_exist,
    check_app_services_share_one_image,
    check_commands,
    check_healthchecks,
    check_depends_on,
    check_environment,
    check_volumes,
    check_web_published_on_8000,
]


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
def test_docker_compose(compose: dict, check: Callable[[dict], None]) -> None:
    check(compose)


# --- The checks fail on broken files ---------------------------------------------------------


def _drop_service(name: str) -> Callable[[dict], None]:
    return lambda cfg: cfg["services"].pop(name)


def _set(service: str, key: str, value: object) -> Callable[[dict], None]:
    def mutate(cfg: dict) -> None:
        cfg["services"][service][key] = value

    return mutate


def _set_env(service: str, key: str, value: str | None) -> Callable[[dict], None]:
    def mutate(cfg: dict) -> None:
        env = cfg["services"][service]["environment"]
        if value is None:
            env.pop(key)
        else:
            env[key] = value

    return mutate


def _set_dep(service: str, dep: str, condition: str | None) -> Callable[[dict], None]:
    def mutate(cfg: dict) -> None:
        deps = cfg["services"][service]["depends_on"]
        if condition is None:
            deps.pop(dep)
        else:
            deps[dep] = {"condition": condition}

    return mutate


BROKEN = [
    (check_services_exist, _drop_service("beat")),
    (check_services_exist, _drop_service("redis")),
    (check_app_services_share_one_image, _set("worker", "image", "kyoka-worker:latest")),
    (check_app_services_share_one_image, _set("beat", "build", "./other")),
    (check_commands, _set("web", "command", "python manage.py runserver 0.0.0.0:8000")),
    (check_commands, _set("worker", "command", "celery -A config beat -l info")),
    (check_commands, _set("beat", "command", ["celery", "-A", "config", "worker"])),
    (check_healthchecks, _set("postgres", "healthcheck", {"test": ["CMD", "true"]})),
    (check_healthchecks, _set("redis", "healthcheck", None)),
    (check_healthchecks, _set("web", "healthcheck", {"disable": True})),
    (check_depends_on, _set("web", "depends_on", ["postgres", "redis", "migrate"])),
    (check_depends_on, _set_dep("worker", "postgres", "service_started")),
    (check_depends_on, _set_dep("beat", "migrate", None)),
    (check_environment, _set_env("web", "DJANGO_ENV", "development")),
    (check_environment, _set_env("worker", "SECRET_KEY", "hard-coded-in-the-repo")),
    (check_environment, _set_env("beat", "DATABASE_URL", "sqlite:////app/var/kyoka.sqlite3")),
    (check_environment, _set_env("migrate", "REDIS_URL", None)),
    (check_volumes, _set("postgres", "volumes", [])),
    (check_volumes, _set("worker", "volumes", ["/tmp/media:/app/var/media"])),
    (check_web_published_on_8000, _set("web", "ports", [])),
]


@pytest.mark.parametrize(
    ("check", "mutate"),
    BROKEN,
    ids=[f"{check.__name__}-{i}" for i, (check, _) in enumerate(BROKEN)],
)
def test_check_catches_broken_compose(compose: dict, check: Callable[[dict], None], mutate) -> None:
    check(compose)  # the real file passes ...
    broken = copy.deepcopy(compose)
    mutate(broken)
    with pytest.raises(AssertionError):
        check(broken)  # ... and the broken copy does not


# --- Dockerfile and Procfile -----------------------------------------------------------------


def test_dockerfile_builds_a_non_root_gunicorn_image() -> None:
    text = (REPO / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim-bookworm\b", text, re.M)
    assert "requirements/base.txt" in text
    assert "collectstatic --noinput" in text
    users = re.findall(r"^USER\s+(\S+)", text, re.M)
    assert users and users[-1] not in {"root", "0"}, f"the image must run as a non-root user: {users}"
    cmd = re.findall(r"^CMD\s+(.+)$", text, re.M)
    assert cmd and "gunicorn" in cmd[-1] and "config.wsgi:application" in cmd[-1], cmd


def test_dockerignore_keeps_local_state_out_of_the_image() -> None:
    ignored = {line.strip() for line in (REPO / ".dockerignore").read_text().splitlines()}
    assert {".git", ".venv", "var", ".env"} <= ignored


def test_procfile_runs_web_worker_and_beat() -> None:
    processes = dict(
        line.split(":", 1)
        for line in (REPO / "Procfile").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    )
    processes = {name.strip(): command.strip() for name, command in processes.items()}
    assert set(processes) == {"web", "worker", "beat"}
    assert processes["web"].startswith("python manage.py runserver 127.0.0.1:8000")
    assert processes["worker"].startswith("celery -A config worker")
    assert processes["beat"].startswith("celery -A config beat")
