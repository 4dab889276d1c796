"""The explorer's HTTP side: a Starlette app over `ExploreRun`s, served by uvicorn.

Safety, since the page runs a model on whatever a request sends:

- Read-only. No endpoint takes a file path: runs are addressed by index (0, 1), the page
  is one file shipped in the package and served from memory, nothing is written.
- Bounded. Request bodies, prompts and generated tokens have caps; too big is a 413/422
  JSON error. At most `max_generations` streams run at once (429 beyond).
- Never blocking. Model work runs in the thread pool (sync iterators and
  `run_in_threadpool`), so a long generation does not hold up other requests.
- Local. It binds 127.0.0.1 unless told otherwise, accepts only loopback Host headers
  then (DNS rebinding), and POSTs must be ``application/json`` (a foreign page cannot
  send that without a CORS preflight, which this server never grants).
- Errors are one JSON line, ``{"error": "..."}``; a traceback stays in the server's log.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import logging
import socket
import threading
import time
from importlib import resources

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, StreamingResponse
from starlette.routing import Route

from storylab.errors import StorylabError
from storylab.explore.engine import ExploreRun, compare, suite_skills

log = logging.getLogger("storylab.explore")

MAX_BODY = 64 * 1024          # bytes of a request body
MAX_PROMPT_CHARS = 4000
MAX_NEW_TOKENS = 256          # hard cap on tokens generated per request
MAX_GENERATIONS = 4           # streams at once
LOOPBACK_NAMES = ["127.0.0.1", "localhost", "::1", "[::1]"]
SECURITY_HEADERS = {
    # everything the page needs is inline; no other origin is ever contacted
    "Content-Security-Policy": "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                               "connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def page() -> str:
    return resources.files("storylab.explore").joinpath("page.html").read_text(encoding="utf-8")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def allowed_hosts_for(host: str) -> list[str]:
    """Host headers to accept: loopback names, plus the address given; any for a wildcard bind."""
    h = host.strip("[]")
    if h in ("0.0.0.0", "::"):
        return ["*"]
    return LOOPBACK_NAMES + ([host] if host not in LOOPBACK_NAMES else [])


class _Explorer:
    """The endpoints over one or two opened runs; every model call runs in the thread pool."""

    def __init__(self, opened: list[ExploreRun], max_new_tokens: int, max_prompt_chars: int, max_body: int,
                 max_generations: int):
        self.opened, self.html = opened, page()
        self.max_new_tokens, self.max_prompt_chars, self.max_body = max_new_tokens, max_prompt_chars, max_body
        self.max_generations = max_generations
        self.gen_slots = threading.BoundedSemaphore(max_generations)

    # --- request parsing -------------------------------------------------------------------

    async def body(self, request: Request) -> dict:
        if "application/json" not in request.headers.get("content-type", ""):
            raise ApiError(415, "send the request body as application/json")
        cl = request.headers.get("content-length")
        if cl is not None and (not cl.isdigit() or int(cl) > self.max_body):
            raise ApiError(413, f"request body over {self.max_body} bytes")
        data = b""
        async for chunk in request.stream():
            data += chunk
            if len(data) > self.max_body:
                raise ApiError(413, f"request body over {self.max_body} bytes")
        try:
            obj = json.loads(data or b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise ApiError(400, "the request body is not valid JSON") from None
        if not isinstance(obj, dict):
            raise ApiError(400, "the request body must be a JSON object")
        return obj

    def run_of(self, value) -> ExploreRun:
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if value is None:
            value = 0
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < len(self.opened):
            raise ApiError(400, f"run must be an index from 0 to {len(self.opened) - 1}")
        return self.opened[value]

    def integer(self, obj: dict, key: str, default: int, lo: int, hi: int) -> int:
        v = obj.get(key, default)
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise ApiError(422, f"{key} must be an integer from {lo} to {hi}")
        return v

    def number(self, obj: dict, key: str, default: float, lo: float, hi: float) -> float:
        v = obj.get(key, default)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not lo <= v <= hi:
            raise ApiError(422, f"{key} must be a number from {lo} to {hi}")
        return float(v)

    def text_of(self, obj: dict, key: str = "text", allow_empty: bool = True) -> str:
        t = obj.get(key, "")
        if not isinstance(t, str):
            raise ApiError(422, f"{key} must be a string")
        if len(t) > self.max_prompt_chars:
            raise ApiError(413, f"{key} is {len(t)} characters; the limit is {self.max_prompt_chars}")
        if not allow_empty and not t.strip():
            raise ApiError(422, f"{key} is empty")
        return t

    def ids_of(self, run: ExploreRun, obj: dict) -> list[int]:
        """Token ids from "ids" (as the stream returned them) or else "text"."""
        if "ids" in obj:
            ids = obj["ids"]
            if isinstance(ids, list) and len(ids) > run.cfg.context:
                raise ApiError(413, f"{len(ids)} tokens; the model's context is {run.cfg.context}")
            return run.check_ids(ids)
        return run.encode(self.text_of(obj))[0]

    # --- endpoints -------------------------------------------------------------------------

    async def index(self, request: Request):
        return HTMLResponse(self.html, headers=SECURITY_HEADERS)

    async def info(self, request: Request):
        return JSONResponse({"runs": [{"index": i, **r.info()} for i, r in enumerate(self.opened)],
                             "limits": {"max_new_tokens": self.max_new_tokens, "max_prompt_chars": self.max_prompt_chars,
                                        "max_body": self.max_body}})

    async def heads(self, request: Request):
        run = self.run_of(request.query_params.get("run"))
        return JSONResponse(await run_in_threadpool(run.head_classes))

    async def score(self, request: Request):
        obj = await self.body(request)
        run = self.run_of(obj.get("run"))
        ids = self.ids_of(run, obj)
        return JSONResponse(await run_in_threadpool(run.score, ids))

    async def generate(self, request: Request):
        obj = await self.body(request)
        run = self.run_of(obj.get("run"))
        prompt = self.text_of(obj, "prompt")
        n = self.integer(obj, "max_new_tokens", min(64, self.max_new_tokens), 0, self.max_new_tokens)
        temperature = self.number(obj, "temperature", 1.0, 0.0, 5.0)
        top_k = self.integer(obj, "top_k", 0, 0, run.cfg.vocab_size)
        seed = self.integer(obj, "seed", 0, 0, 2**31 - 1)
        greedy = obj.get("greedy", False)
        if not isinstance(greedy, bool):
            raise ApiError(422, "greedy must be true or false")
        ids, truncated = run.encode(prompt)
        if not self.gen_slots.acquire(blocking=False):
            raise ApiError(429, f"{self.max_generations} generations are already running; try again when one ends")

        def events():
            try:
                if truncated:
                    yield json.dumps({"type": "note", "message": f"prompt cut to its last {len(ids)} tokens "
                                                                  f"(the model's context)"}) + "\n"
                for ev in run.stream(ids, n, temperature, top_k, greedy, seed):
                    yield json.dumps(ev) + "\n"
            except Exception as e:  # the stream has started: report in-band, keep the traceback in the log
                log.exception("generation failed")
                yield json.dumps({"type": "error", "error": str(e) if isinstance(e, StorylabError)
                                  else "internal error (see the server's log)"}) + "\n"
            finally:
                self.gen_slots.release()

        # a sync iterator: Starlette pulls each event in the thread pool
        return StreamingResponse(events(), media_type="application/x-ndjson",
                                 headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})

    async def attention(self, request: Request):
        obj = await self.body(request)
        run = self.run_of(obj.get("run"))
        ids = self.ids_of(run, obj)
        layer = self.integer(obj, "layer", 0, 0, run.cfg.n_layers - 1)
        head = self.integer(obj, "head", 0, 0, run.cfg.n_heads - 1)
        return JSONResponse(await run_in_threadpool(run.attention, ids, layer, head))

    async def neurons(self, request: Request):
        obj = await self.body(request)
        run = self.run_of(obj.get("run"))
        ids = self.ids_of(run, obj)
        pos = self.integer(obj, "pos", len(ids) - 1, 0, len(ids) - 1)
        per_layer = self.integer(obj, "per_layer", 5, 1, 20)
        return JSONResponse(await run_in_threadpool(run.neurons, ids, pos, per_layer))

    async def probes(self, request: Request):
        obj = await self.body(request)
        run = self.run_of(obj.get("run"))
        ids = self.ids_of(run, obj)
        pos = self.integer(obj, "pos", len(ids) - 1, 0, len(ids) - 1)
        return JSONResponse(await run_in_threadpool(run.probes, ids, pos))

    async def ood(self, request: Request):
        obj = await self.body(request)
        run = self.run_of(obj.get("run"))
        ids = self.ids_of(run, obj)
        return JSONResponse(await run_in_threadpool(run.ood, ids))

    async def compare_ep(self, request: Request):
        obj = await self.body(request)
        if len(self.opened) < 2:
            return JSONResponse({"hint": "start the explorer with two runs to compare them: "
                                         "storylab explore RUN RUN2"})
        text = self.text_of(obj, allow_empty=False)
        return JSONResponse(await run_in_threadpool(compare, self.opened[0], self.opened[1], text))

    async def skills(self, request: Request):
        return JSONResponse({"skills": await run_in_threadpool(suite_skills)})

    async def suite(self, request: Request):
        obj = await self.body(request)
        run = self.run_of(obj.get("run"))
        skill = obj.get("skill")
        known = {s["skill"] for s in await run_in_threadpool(suite_skills)}
        if not isinstance(skill, str) or skill not in known:
            raise ApiError(422, f"skill must be one of: {', '.join(sorted(known))}")
        limit = self.integer(obj, "limit", 20, 1, 100)
        offset = self.integer(obj, "offset", 0, 0, 10**6)
        return JSONResponse(await run_in_threadpool(run.suite, skill, limit, offset))


# --- errors ----------------------------------------------------------------------------

async def api_error(request, exc: ApiError):
    return JSONResponse({"error": str(exc)}, status_code=exc.status)

async def user_error(request, exc: StorylabError):
    return JSONResponse({"error": str(exc)}, status_code=422)

async def http_error(request, exc: HTTPException):
    return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)

async def server_error(request, exc: Exception):
    log.error("error on %s", request.url.path, exc_info=exc)
    return JSONResponse({"error": "internal error (see the server's log)"}, status_code=500)


def make_app(runs: list, max_new_tokens: int = MAX_NEW_TOKENS, max_prompt_chars: int = MAX_PROMPT_CHARS,
             max_body: int = MAX_BODY, max_generations: int = MAX_GENERATIONS,
             allowed_hosts: list[str] | None = None, device: str = "cpu") -> Starlette:
    """The explorer app over one or two runs (paths, `RunDir`s or opened `ExploreRun`s)."""
    opened = [r if isinstance(r, ExploreRun) else ExploreRun.open(r, device=device) for r in runs]
    if not 1 <= len(opened) <= 2:
        raise StorylabError("explore takes one run, or two to compare")
    x = _Explorer(opened, max_new_tokens, max_prompt_chars, max_body, max_generations)
    routes = [Route("/", x.index), Route("/api/info", x.info), Route("/api/heads", x.heads),
              Route("/api/score", x.score, methods=["POST"]), Route("/api/generate", x.generate, methods=["POST"]),
              Route("/api/attention", x.attention, methods=["POST"]), Route("/api/neurons", x.neurons, methods=["POST"]),
              Route("/api/probes", x.probes, methods=["POST"]), Route("/api/ood", x.ood, methods=["POST"]),
              Route("/api/compare", x.compare_ep, methods=["POST"]), Route("/api/suite/skills", x.skills),
              Route("/api/suite", x.suite, methods=["POST"])]
    app = Starlette(routes=routes,
                    middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts or LOOPBACK_NAMES)],
                    exception_handlers={ApiError: api_error, StorylabError: user_error, HTTPException: http_error,
                                        Exception: server_error})
    app.state.runs = opened
    return app


# --- serving ---------------------------------------------------------------------------------


def _server(app, host: str, port: int):
    import uvicorn

    return uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                                         timeout_graceful_shutdown=2))


def bound_port(server) -> int:
    return server.servers[0].sockets[0].getsockname()[1]


@contextlib.contextmanager
def background(app, host: str = "127.0.0.1", port: int = 0, timeout: float = 30.0):
    """Serve `app` on a thread while the block runs (notebooks, tests); yields the base URL."""
    server = _server(app, host, port)
    th = threading.Thread(target=server.run, daemon=True)
    th.start()
    t0 = time.monotonic()
    while not server.started:
        if not th.is_alive() or time.monotonic() - t0 > timeout:
            raise StorylabError(f"the explorer could not start on {host}:{port}")
        time.sleep(0.02)
    try:
        yield f"http://{host}:{bound_port(server)}"
    finally:
        server.should_exit = True
        th.join(timeout=10)


def serve(runs: list, host: str = "127.0.0.1", port: int = 8000, device: str = "cpu", started: float | None = None,
          echo=print) -> None:
    """Load the runs and serve the page until interrupted, printing the URL once it answers."""
    started = time.perf_counter() if started is None else started
    if not is_loopback(host):
        echo(f"warning: listening on {host}: anyone who can reach this machine can open the explorer and "
             f"make it run your models (it is read-only, but not private)")
    opened = [ExploreRun.open(r, device=device) for r in runs]
    app = make_app(opened, allowed_hosts=allowed_hosts_for(host))
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as e:
        sock.close()
        raise StorylabError(f"cannot listen on {host}:{port}: {e.strerror} (try another --port, or --port 0)") from None
    server = _server(app, host, port)
    orig = server.startup

    async def startup(sockets=None):
        await orig(sockets=sockets)
        if server.started:
            shown = f"[{host}]" if ":" in host else host
            for r in opened:
                echo(f"explore: {r.summary()}")
            echo(f"explore: http://{shown}:{bound_port(server)}/  (ready in {time.perf_counter() - started:.1f}s; "
                 f"Ctrl-C stops it)")

    server.startup = startup
    server.run(sockets=[sock])
