"""`egov up`: infrastructure, topics, the three services, demo data; Ctrl-C stops it all."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import typer

from egov_cli.platform import ADMIN_PORT_OFFSET, DEFAULT_PORTS, Platform
from shared.demo import DEMO_RECEIVER_PORT

ROOT = Path(__file__).resolve().parents[1]


def run_up(load_demo: bool = True) -> None:
    infra = ROOT / "deploy" / "local" / "infra.sh"
    state = Path(os.environ.get("EGOV_STATE_DIR", ROOT / ".egov"))
    subprocess.run(["bash", str(infra), "start"], check=True)
    platform = Platform()
    # The demo partner's webhook receiver runs on loopback, which the SSRF guard refuses.
    allow = os.environ.get("EGOV_LGSP_ALLOW_PRIVATE_WEBHOOKS", "true")
    env = {"EGOV_LGSP_ALLOW_PRIVATE_WEBHOOKS": allow}
    if load_demo and "EGOV_DOCUMENTS_REGISTER_STARTS" not in os.environ:
        # The local register "goes live" mid-year so the demo decision gets its real number.
        from services.documents.demo import demo_register_starts

        env["EGOV_DOCUMENTS_REGISTER_STARTS"] = json.dumps(demo_register_starts())
    try:
        started = time.monotonic()
        platform.start(
            "demo-receiver",
            DEMO_RECEIVER_PORT,
            {},
            state / "logs",
            module="services.lgsp.demo_receiver",
        )
        for name in ("documents", "portal", "lgsp"):
            port = int(os.environ.get(f"EGOV_{name.upper()}_PORT", DEFAULT_PORTS[name]))
            admin = os.environ.get(f"EGOV_{name.upper()}_ADMIN_PORT")
            admin_port = int(admin) if admin else port + ADMIN_PORT_OFFSET
            platform.start(name, port, env, state / "logs", admin_port=admin_port)
        platform.wait_ready(timeout=90)
        typer.echo(f"all services ready in {time.monotonic() - started:.1f}s")
        if load_demo:
            from egov_cli.demo import load_all

            asyncio.run(load_all())
        for proc in platform.processes:
            admin = f"admin: {proc.admin_url}/metrics" if proc.admin_url else ""
            typer.echo(f"  {proc.name:<14} {proc.url:<24} log: {proc.log_path}  {admin}")
        typer.echo("Portal: http://127.0.0.1:8000/   Press Ctrl-C to stop everything.")
        stop = False

        def _stop(*_: object) -> None:
            nonlocal stop
            stop = True

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)  # Ctrl-C, even where SIGINT was inherited ignored
        while not stop:
            for proc in platform.processes:
                if proc.process.poll() is not None:
                    typer.echo(f"{proc.name} exited; see {proc.log_path}", err=True)
                    stop = True
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    except (TimeoutError, RuntimeError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    finally:
        typer.echo("stopping services")
        platform.stop()
        subprocess.run(["bash", str(infra), "stop"], check=False)
