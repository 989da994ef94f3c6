"""The review web app: Starlette routes (a JSON API and the static page), guarded by a token.

Security: every request needs the session token (``?token=`` once, then an HttpOnly
SameSite=Strict cookie); the Host header must be the address the app was started on (no DNS
rebinding); POSTs also need the token in an ``X-Review-Token`` header and a same-origin
``Origin`` when the browser sends one, which a cross-site form or script cannot provide.
The page is served with a strict Content-Security-Policy and puts article text in the page
through ``textContent`` only. No endpoint takes a file path.
"""

from __future__ import annotations

import asyncio
import hmac
import multiprocessing
import secrets
import threading
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import asdict
from importlib import resources
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import ClassifierError
from ._places import search_places
from ._retrain import ignore_sigint, retrain
from ._session import Session, model_version, valid_labels

TOKEN_HEADER = "x-review-token"
_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def _static_dir() -> Path:
    return Path(str(resources.files("classifier.review") / "static"))


class TokenGuard:
    """ASGI middleware: 403 without the token, the right Host, and (for POST) the header and same origin."""

    def __init__(self, app: ASGIApp, token: str, hosts: Sequence[str], cookie: str):
        self.app, self.token, self.hosts, self.cookie = app, token, set(hosts), cookie

    def _ok(self, value: str | None) -> bool:
        return bool(value) and hmac.compare_digest(str(value).encode(), self.token.encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        why = self._refuse(request)
        if why:
            await PlainTextResponse(f"403 Forbidden: {why}", status_code=403)(scope, receive, send)
            return
        if request.method == "GET" and self._ok(request.query_params.get("token")) and request.url.path == "/":
            # Trade the token in the address for a cookie, and take it out of the address bar.
            response = RedirectResponse("/", status_code=303)
            response.set_cookie(self.cookie, self.token, httponly=True, samesite="strict", path="/")
            await response(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", _CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                    (b"cache-control", b"no-store"),
                ]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _refuse(self, request: Request) -> str | None:
        if self.hosts and request.headers.get("host", "") not in self.hosts:
            return "unexpected Host header"
        if not (self._ok(request.query_params.get("token")) or self._ok(request.cookies.get(self.cookie))):
            return "open the address with the token that `classifier review` printed"
        if request.method not in ("GET", "HEAD"):
            if not self._ok(request.headers.get(TOKEN_HEADER)):
                return "missing request token header"
            origin = request.headers.get("origin")
            if origin is not None and origin.split("://", 1)[-1] != request.headers.get("host"):
                return "cross-origin request"
            if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
                return "cross-site request"
        return None


class RetrainJob:
    """At most one retraining at a time, in a worker process; its outcome as JSON."""

    def __init__(self, base: Sequence[str | Path], labels: Path, out: Path | None, cv: int):
        self.base, self.labels, self.out, self.cv = list(base), labels, out, cv
        self.status: dict[str, Any] = {"state": "idle", "available": out is not None}
        self.task: asyncio.Task[None] | None = None
        self.pool: ProcessPoolExecutor | None = None
        self.labels_at_last = 0

    def start(self, session: Session) -> bool:
        if self.out is None or (self.task is not None and not self.task.done()):
            return False
        if self.pool is None:
            self.pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=ignore_sigint
            )
        self.labels_at_last = len(session.store)
        self.status = {**self.status, "state": "running", "error": None, "n_labels": self.labels_at_last}
        self.task = asyncio.get_running_loop().create_task(self._run(session))
        return True

    async def _run(self, session: Session) -> None:
        from .. import load

        loop = asyncio.get_running_loop()
        try:
            assert self.pool is not None and self.out is not None
            result = await loop.run_in_executor(
                self.pool, _retrain_job, self.base, str(self.labels), str(self.out), self.cv
            )
            model = await loop.run_in_executor(None, load, self.out)
            await loop.run_in_executor(None, session.set_model, model, model_version(self.out))
            self.status = {**self.status, "state": "done", **result, "model_version": session.version}
        except Exception as exc:  # noqa: BLE001 -- shown on the page; the app keeps going with the old model
            self.status = {**self.status, "state": "failed", "error": f"{type(exc).__name__}: {exc}"}

    def shutdown(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)


def _retrain_job(base: list[str | Path], labels: str, out: str, cv: int) -> dict[str, Any]:
    return retrain(base, labels, out, cv=cv)


def create_app(
    session: Session,
    *,
    token: str | None = None,
    hosts: Sequence[str] = ("127.0.0.1",),
    base: Sequence[str | Path] = (),
    new_model: Path | None = None,
    cv: int = 5,
    retrain_every: int = 0,
    port: int = 0,
) -> tuple[Starlette, str]:
    """The Starlette app for ``session`` and its token (random unless given)."""
    token = token or secrets.token_urlsafe(24)
    job = RetrainJob(base, session.store.path, new_model, cv)
    page = (_static_dir() / "index.html").read_text(encoding="utf-8")

    async def index(request: Request) -> Response:
        return HTMLResponse(page.replace("{{TOKEN}}", token))

    one_at_a_time = threading.Lock()  # one person, one page: no two model calls interleave

    def payload() -> dict[str, Any]:
        with one_at_a_time:
            return _payload()

    def _payload() -> dict[str, Any]:
        i = session.next_index()
        return {
            "article": session.article(i) if i is not None else None,
            "stats": session.stats(),
            "retrain": job.status,
        }

    async def next_article(request: Request) -> Response:
        return JSONResponse(await asyncio.get_running_loop().run_in_executor(None, payload))

    async def body(request: Request) -> dict[str, Any]:
        try:
            data = await request.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")  # noqa: TRY004 -- a bad request body, answered with 400
        return data

    def index_of(data: dict[str, Any]) -> int:
        i = data.get("index")
        if not isinstance(i, int) or not 0 <= i < len(session.records):
            raise ValueError("index: not an article of this session")
        return i

    async def decide(request: Request) -> Response:
        try:
            data = await body(request)
            i = index_of(data)
            labels = {k: data.get(k, "") for k in ("topic", "region", "city", "county")}
            why = valid_labels(labels, session.topics)
            if why:
                raise ValueError(why)
            session.decide(i, labels)
        except (ValueError, ClassifierError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        if retrain_every and len(session.store) - job.labels_at_last >= retrain_every:
            job.start(session)
        return await next_article(request)

    async def skip(request: Request) -> Response:
        try:
            session.skip(index_of(await body(request)))
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return await next_article(request)

    async def undo(request: Request) -> Response:
        session.undo()
        return await next_article(request)

    async def mode(request: Request) -> Response:
        try:
            session.set_mode(str((await body(request)).get("mode")))
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return await next_article(request)

    async def places(request: Request) -> Response:
        q = request.query_params.get("q", "")[:20]
        return JSONResponse([asdict(o) for o in search_places(q)])

    async def start_retrain(request: Request) -> Response:
        if job.out is None:
            return JSONResponse({"error": "retraining needs --new-model"}, status_code=400)
        job.start(session)
        return JSONResponse(job.status)

    async def retrain_status(request: Request) -> Response:
        return JSONResponse(job.status)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        job.shutdown()

    routes = [
        Route("/", index),
        Route("/api/next", next_article),
        Route("/api/decide", decide, methods=["POST"]),
        Route("/api/skip", skip, methods=["POST"]),
        Route("/api/undo", undo, methods=["POST"]),
        Route("/api/mode", mode, methods=["POST"]),
        Route("/api/places", places),
        Route("/api/retrain", retrain_status),
        Route("/api/retrain", start_retrain, methods=["POST"]),
        Mount("/static", StaticFiles(directory=_static_dir()), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    allowed = [h for name in hosts for h in (f"{name}:{port}", name)]
    if any(h in ("127.0.0.1", "localhost") for h in hosts):
        allowed += [f"localhost:{port}", f"127.0.0.1:{port}"]
    if any(h in ("0.0.0.0", "[::]") for h in hosts):  # every address of the machine: any Host (token still needed)
        allowed = []
    return TokenGuard(app, token, allowed, cookie=f"classifier_review_{port}"), token  # type: ignore[return-value]


def run_review(
    sources: Sequence[str | Path],
    *,
    model: str | Path | None = None,
    labels: str | Path,
    base: Sequence[str | Path] = (),
    new_model: str | Path | None = None,
    host: str = "127.0.0.1",
    port: int = 8765,
    seed: int = 0,
    cv: int = 5,
    retrain_every: int = 0,
    open_browser: bool = True,
    echo: Any = print,
) -> None:
    """Start the review app on ``sources`` and serve until Ctrl-C (the labels file is always up to date)."""
    import os
    import socket
    import sys
    import webbrowser

    import uvicorn

    from .. import load
    from ._retrain import check_new_model_path
    from ._store import LabelStore
    from ._suggest import read_inputs

    store = LabelStore(labels)
    if new_model is not None:
        new_model = check_new_model_path(new_model)
    records = read_inputs(list(sources))
    if not records:
        raise ClassifierError(f"{', '.join(map(str, sources))}: no readable articles")
    echo(f"scoring {len(records)} articles ...")
    session = Session(records, load(model), store, model_path=model, seed=seed)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)  # connections wait in the backlog until the server accepts them
    port = sock.getsockname()[1]
    hosts = [host] if ":" not in host else [f"[{host}]"]
    app, token = create_app(
        session,
        hosts=hosts,
        base=base,
        new_model=Path(new_model) if new_model else None,
        cv=cv,
        retrain_every=retrain_every,
        port=port,
    )
    url = f"http://{hosts[0]}:{port}/?token={token}"
    echo(f"{len(store)} decisions in {store.path}; {session.remaining()} articles in the teach queue")
    echo(f"review at {url}   (Ctrl-C stops)")
    if hasattr(sys.stdout, "flush"):
        sys.stdout.flush()
    if open_browser and (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or sys.platform in ("darwin", "win32")
    ):
        webbrowser.open(url)
    config = uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=2)
    uvicorn.Server(config).run(sockets=[sock])
