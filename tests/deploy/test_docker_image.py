"""The Docker image run on its own serves uploaded files: its own command and environment, run here without Docker.

There is no Docker engine on this machine, so the test reads the Dockerfile's ENV and CMD and runs
that command in this checkout (the image's /app), with /app's folders mapped to temporary ones.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

from tests.deploy.helpers import ROOT, fetch, free_port, make_content, manage, production_env, wait_for


def dockerfile():
    """(ENV as a dict, CMD as a list, HEALTHCHECK's command as a list) from the Dockerfile."""
    text = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text())
    env, cmd, health = {}, None, None
    for line in text.splitlines():
        if line.startswith("ENV "):
            env.update(dict(re.findall(r"(\w+)=(\S+)", line)))
        elif line.startswith("CMD "):
            cmd = json.loads(line[4:])
        elif line.startswith("HEALTHCHECK "):
            health = json.loads(line.split(" CMD ", 1)[1])
    return env, cmd, health


def test_the_images_own_command_serves_pages_static_and_uploaded_files(tmp_path, static_root):
    image_env, cmd, health = dockerfile()
    assert "DEBUG" not in image_env and image_env["MEDIA_ROOT"] == "/app/media"
    folders = {"/app/staticfiles": static_root, "/app/media": tmp_path / "media", "/app/cache": tmp_path / "cache"}
    (tmp_path / "media").mkdir()
    env = production_env(tmp_path, ALLOWED_HOSTS="portal.example.org")
    env.update({key: str(folders.get(value, value)) for key, value in image_env.items()})
    port = free_port()
    env.update(PORT=str(port), WEB_CONCURRENCY="1", PATH=f"{Path(sys.executable).parent}:{env['PATH']}")
    manage(env, "migrate", "--noinput", "-v0")
    content = make_content(env)

    server = subprocess.Popen(cmd, cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/healthz/", process=server)
        # As Docker judges it (--retries=3): one check that runs past its 4 s on a busy machine is not a failure.
        assert any(subprocess.run(health, cwd=ROOT, env=env, timeout=120).returncode == 0 for _ in range(3))

        status, _, page = fetch(base + content["briefing"])
        assert status == 200
        stylesheet = re.search(rb'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page).group(1).decode()
        assert fetch(base + stylesheet)[0] == 200

        status, headers, body = fetch(base + "/media/" + content["image"])
        assert status == 200 and body.startswith(b"\x89PNG")
        assert headers["Content-Disposition"].startswith("inline") and "sandbox" in headers["Content-Security-Policy"]
        status, headers, body = fetch(base + "/media/" + content["pdf"])
        assert status == 200 and len(body) == content["pdf_size"]
        assert headers["Content-Disposition"].startswith("attachment")
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert fetch(base + "/media/" + content["draft_pdf"])[0] == 404
    finally:
        server.terminate()
        server.wait(timeout=120)
