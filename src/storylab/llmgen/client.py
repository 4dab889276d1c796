"""An async client for any OpenAI-compatible chat-completions endpoint.

`ChatClient` sends ``POST {base_url}/chat/completions`` and returns a `Completion`
(text, finish_reason, usage). It is generic on purpose: story generation uses it,
and so can an LLM judge.

Why `httpx` directly and not the `openai` package: one dependency fewer (httpx is
already a core dependency), and full control over what matters at scale — which
failures are retried, exponential backoff with jitter, honouring `Retry-After`,
one shared pause for everybody after a 429, per-request deadlines, and a connection
pool sized to the number of requests in flight. The `openai` client hides most of
these behind its own retry policy.

Failure model, in one place (`_classify`):

- retried with backoff: 429 (waiting at least `Retry-After`), 408, 409, 5xx,
  timeouts, refused or dropped connections, truncated bodies, malformed JSON;
- fatal for the whole run (`EndpointError`, a `StorylabError`): 401/403 (bad key),
  404 (wrong URL or model) — retrying cannot fix them;
- anything else, or a retryable failure that outlived `max_retries`, raises
  `RequestFailed(reason)` for this one request; callers count it and move on.

The API key is read from the environment variable *named* by `api_key_env`; the
key itself is kept in one private attribute, sent only as a bearer header, and never
formatted into a message or a repr.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import os
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import AsyncIterator, Awaitable, Callable, Iterable, TypeVar

import httpx

from storylab.errors import StorylabError

T = TypeVar("T")
R = TypeVar("R")


# --- results and errors --------------------------------------------------------------


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __iadd__(self, other: "Usage") -> "Usage":
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        return self

    def as_dict(self) -> dict:
        return {"prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens}


@dataclass
class Completion:
    text: str
    finish_reason: str | None
    usage: Usage
    model: str | None = None
    attempts: int = 1          # 1 + number of retries it took
    seconds: float = 0.0       # wall time including retries


class RequestFailed(Exception):
    """One request gave no usable answer (after retries, if it was worth retrying).

    `reason` is a short machine-readable word (timeout, connection, rate_limited,
    server_error, bad_response, http_400, ...) used for counting.
    """

    def __init__(self, reason: str, detail: str = "", attempts: int = 1):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
        self.attempts = attempts


class EndpointError(StorylabError):
    """The endpoint refuses us in a way no retry can fix (bad key, wrong URL or model)."""


class _Retry(Exception):
    """Internal: this attempt failed in a way worth retrying."""

    def __init__(self, reason: str, detail: str, retry_after: float | None = None):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.retry_after = retry_after


# --- rate limiting ---------------------------------------------------------------------


class RateLimiter:
    """A token bucket refilled at `per_minute / 60` units per second.

    `acquire(cost)` waits until the bucket holds `cost` (or is full, for a cost bigger
    than the bucket), then takes it; the level may go negative, and the debt delays the
    next ones, so the long-run rate is exact. `settle(delta)` corrects an estimate
    once the real cost is known (tokens are only known after the answer).
    The capacity is a few seconds' worth, so a burst at start cannot trip the server's
    own per-minute limit.
    """

    def __init__(self, per_minute: float, burst_seconds: float = 5.0):
        if per_minute <= 0:
            raise StorylabError(f"rate limit must be positive, got {per_minute}")
        self.rate = per_minute / 60.0
        self.capacity = max(1.0, self.rate * burst_seconds)
        self.level = self.capacity
        self.stamp = time.monotonic()
        self._lock = asyncio.Lock()

    def _refill(self) -> None:
        now = time.monotonic()
        self.level = min(self.capacity, self.level + (now - self.stamp) * self.rate)
        self.stamp = now

    async def acquire(self, cost: float = 1.0) -> None:
        async with self._lock:  # FIFO: waiters are served in arrival order
            self._refill()
            while self.level < min(cost, self.capacity):
                await asyncio.sleep((min(cost, self.capacity) - self.level) / self.rate)
                self._refill()
            self.level -= cost

    def settle(self, delta: float) -> None:
        self._refill()
        self.level = min(self.capacity, self.level - delta)


# --- the client -------------------------------------------------------------------------


def _retry_after_seconds(value: str | None) -> float | None:
    """Parse a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class ChatClient:
    """Async chat-completions client with bounded concurrency, rate limits and retries.

    Use as ``async with ChatClient(...) as client: c = await client.complete(messages)``.

    - `max_in_flight`: requests on the wire at once (also the connection-pool size).
    - `rpm` / `tpm`: requests and tokens per minute; tokens are estimated before a
      request (prompt characters / 4 + `max_tokens`) and corrected from `usage`.
    - `timeout`: seconds for one attempt, start to end of the body.
    - `max_retries`: retries after the first attempt; backoff is
      `backoff * 2**k` capped at `max_backoff`, with jitter in [0.5, 1], and never
      shorter than the server's `Retry-After` (itself capped at `max_retry_after` so
      that a hostile header cannot hang a run).
    """

    POOL_SHARD = 8

    def __init__(self, base_url: str, model: str, api_key_env: str | None = None, *,
                 max_in_flight: int = 16, rpm: float | None = None, tpm: float | None = None,
                 timeout: float = 60.0, max_retries: int = 5, backoff: float = 1.0,
                 max_backoff: float = 60.0, max_retry_after: float = 300.0,
                 default_params: dict | None = None, rng: random.Random | None = None):
        if not base_url or "://" not in base_url:
            raise StorylabError(f"base URL must look like http(s)://host/v1, got {base_url!r}")
        if max_in_flight < 1:
            raise StorylabError(f"max_in_flight must be at least 1, got {max_in_flight}")
        self.base_url = base_url.rstrip("/")
        self.url = self.base_url + "/chat/completions"
        self.model = model
        self.api_key_env = api_key_env
        self._api_key = self._read_key(api_key_env)
        self.max_in_flight = max_in_flight
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after
        self.default_params = dict(default_params or {})
        self.rpm = RateLimiter(rpm) if rpm else None
        self.tpm = RateLimiter(tpm) if tpm else None
        self.retries: Counter = Counter()      # retried attempts, by reason
        self.usage = Usage()                   # summed over all answered requests
        self.requests = 0                      # attempts sent
        self._rng = rng or random.Random()
        self._pause_until = 0.0                # shared cool-down after a 429
        self._slots: asyncio.Semaphore | None = None
        self._pools: list[httpx.AsyncClient] = []
        self._pool_load: list[int] = []

    @staticmethod
    def _read_key(env: str | None) -> str | None:
        if not env:
            return None
        key = os.environ.get(env)
        if not key:
            raise StorylabError(f"environment variable {env} is not set (it should hold the API key)")
        return key

    def __repr__(self) -> str:  # never shows the key
        return f"ChatClient(base_url={self.base_url!r}, model={self.model!r}, api_key_env={self.api_key_env!r})"

    async def __aenter__(self) -> "ChatClient":
        headers = {"Content-Type": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        # httpcore's pool scans every connection and every waiting request on each event,
        # so its cost grows with the square of the pool size; several small pools (at most
        # POOL_SHARD connections each) keep 64 in flight as cheap as 8.
        shards = -(-self.max_in_flight // self.POOL_SHARD)
        tls = httpx.create_ssl_context() if self.url.startswith("https:") else False  # one, loaded once
        self._pools = []
        for i in range(shards):
            size = len(range(i, self.max_in_flight, shards))
            limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
            self._pools.append(httpx.AsyncClient(headers=headers, limits=limits, trust_env=False, verify=tls,
                                                 timeout=httpx.Timeout(self.timeout, pool=None)))
        self._pool_load = [0] * shards
        self._slots = asyncio.Semaphore(self.max_in_flight)
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        pools, self._pools = self._pools, []
        for pool in pools:
            await pool.aclose()

    # -- one request, with retries --

    async def complete(self, messages: list[dict], **params) -> Completion:
        """Send one chat request; retry what is worth retrying; return the answer.

        Raises `RequestFailed` when this request cannot be answered and `EndpointError`
        when no request can (bad key, wrong URL).
        """
        if not self._pools:
            raise RuntimeError("use ChatClient inside 'async with'")
        body = {"model": self.model, "messages": messages, **self.default_params, **params}
        payload = json.dumps(body).encode("utf-8")
        estimate = sum(len(str(m.get("content", ""))) for m in messages) / 4 + float(body.get("max_tokens") or 512)
        start = time.monotonic()
        for attempt in range(self.max_retries + 1):
            await self._wait_turn(estimate)
            try:
                async with self._slots:
                    self.requests += 1
                    completion = await _within(self.timeout, self._attempt(payload))
            except RequestFailed as e:  # not worth retrying (a 4xx other than 401/403/404/408/409/429)
                if self.tpm:
                    self.tpm.settle(-estimate)
                e.attempts = attempt + 1
                raise
            except (_Retry, asyncio.TimeoutError) as e:
                if self.tpm:
                    self.tpm.settle(-estimate)  # nothing was spent; give the tokens back
                reason, detail, retry_after = ((e.reason, e.detail, e.retry_after) if isinstance(e, _Retry)
                                               else ("timeout", f"no complete answer within {self.timeout:g}s", None))
                if attempt == self.max_retries:
                    raise RequestFailed(reason, detail, attempts=attempt + 1) from None
                self.retries[reason] += 1
                await asyncio.sleep(self._delay(attempt, reason, retry_after))
                continue
            if self.tpm:
                self.tpm.settle(completion.usage.total_tokens - estimate)
            self.usage += completion.usage
            completion.attempts = attempt + 1
            completion.seconds = time.monotonic() - start
            return completion
        raise AssertionError("unreachable")

    async def _wait_turn(self, estimate: float) -> None:
        pause = self._pause_until - time.monotonic()
        if pause > 0:
            await asyncio.sleep(pause)
        if self.rpm:
            await self.rpm.acquire(1)
        if self.tpm:
            await self.tpm.acquire(estimate)

    def _delay(self, attempt: int, reason: str, retry_after: float | None) -> float:
        """Exponential backoff with jitter, at least the server's Retry-After."""
        delay = min(self.max_backoff, self.backoff * 2 ** attempt) * self._rng.uniform(0.5, 1.0)
        if retry_after is not None:
            retry_after = min(retry_after, self.max_retry_after)
            delay = max(delay, retry_after)
            if reason == "rate_limited":  # everyone slows down, not just this request
                self._pause_until = max(self._pause_until, time.monotonic() + retry_after)
        return delay

    async def _attempt(self, payload: bytes) -> Completion:
        shard = self._pool_load.index(min(self._pool_load))  # the least busy pool
        self._pool_load[shard] += 1
        try:
            response = await self._pools[shard].post(self.url, content=payload)
        except httpx.TimeoutException:
            raise _Retry("timeout", f"no answer within {self.timeout:g}s") from None
        except httpx.TransportError as e:  # refused, reset, closed mid-body (truncated)
            raise _Retry("connection", f"{type(e).__name__}: {e}".rstrip(": ")) from None
        finally:
            self._pool_load[shard] -= 1
        return self._classify(response)

    def _classify(self, response: httpx.Response) -> Completion:
        status = response.status_code
        if status == 200:
            return self._parse(response.content)
        if status in (401, 403):
            raise EndpointError(f"{self.url} answered {status} ({response.reason_phrase}): "
                                f"check the API key in ${self.api_key_env or '(none given)'}")
        if status == 404:
            raise EndpointError(f"{self.url} answered 404 (Not Found): check the base URL and the model name "
                                f"{self.model!r}")
        retry_after = _retry_after_seconds(response.headers.get("retry-after"))
        if status == 429:
            raise _Retry("rate_limited", "429 Too Many Requests", retry_after)
        if status in (408, 409) or status >= 500:
            raise _Retry("server_error", f"HTTP {status}", retry_after)
        raise RequestFailed(f"http_{status}", _short(response.text))

    def _parse(self, content: bytes) -> Completion:
        """Read an OpenAI-style answer; anything malformed is worth another attempt."""
        try:
            data = json.loads(content)
            choice = data["choices"][0]
            message = choice.get("message") or {}
            text = message.get("content")
            if text is None:
                text = ""
            if not isinstance(text, str):
                raise TypeError("message content is not a string")
            usage = data.get("usage") or {}
            tokens = Usage(int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0))
            return Completion(text=text, finish_reason=choice.get("finish_reason"), usage=tokens,
                              model=data.get("model"))
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as e:
            raise _Retry("bad_response", f"malformed answer ({type(e).__name__}): {_short(content)}") from None


async def _within(seconds: float, coro):
    """`asyncio.wait_for` without its extra task per call where Python has asyncio.timeout (3.11+)."""
    if hasattr(asyncio, "timeout"):
        async with asyncio.timeout(seconds):
            return await coro
    return await asyncio.wait_for(coro, seconds)


def _short(content: bytes | str, n: int = 80) -> str:
    if isinstance(content, bytes):
        content = content.decode("utf-8", "replace")
    content = " ".join(content.split())
    return content if len(content) <= n else content[:n] + "..."


# --- one endpoint, described once ----------------------------------------------------------


@dataclass
class Endpoint:
    """How to reach a model, shared by LLM generation and the judge: where, which model, the
    *name* of the variable holding the key, how hard to push (requests in flight, per-minute
    limits), how patient to be (timeout, retries, backoff), the sampling parameters sent with
    every request, and what its tokens cost (dollars per million, for generation's summary)."""

    base_url: str
    model: str
    api_key_env: str | None = None
    in_flight: int = 16
    rpm: float | None = None
    tpm: float | None = None
    timeout: float = 120.0
    max_retries: int = 6
    backoff: float = 1.0
    max_backoff: float = 60.0
    max_retry_after: float = 300.0
    temperature: float | None = 1.0
    max_tokens: int | None = 1024
    extra_params: dict = field(default_factory=dict)
    price_in: float = 0.0
    price_out: float = 0.0

    def make_client(self) -> ChatClient:
        """A `ChatClient` for this endpoint (checks the URL and reads the key now)."""
        return ChatClient(self.base_url, self.model, self.api_key_env, max_in_flight=self.in_flight,
                          rpm=self.rpm, tpm=self.tpm, timeout=self.timeout, max_retries=self.max_retries,
                          backoff=self.backoff, max_backoff=self.max_backoff,
                          max_retry_after=self.max_retry_after)

    def request_params(self) -> dict:
        """The sampling parameters sent with each request (`extra_params` first, then ours)."""
        params = dict(self.extra_params)
        if self.temperature is not None:
            params.setdefault("temperature", self.temperature)
        if self.max_tokens is not None:
            params.setdefault("max_tokens", self.max_tokens)
        return params


# --- many requests ----------------------------------------------------------------------


async def bounded_map(func: Callable[[T], Awaitable[R]], items: Iterable[T],
                      limit: int) -> AsyncIterator[tuple[T, R | Exception]]:
    """Run `func` over `items` with at most `limit` calls at once; yield results as they finish.

    Each result is ``(item, value)`` or ``(item, exception)`` for an `Exception` raised
    by `func` — one failure does not stop the others. Items are pulled lazily, so a
    million items cost no memory up front. If the consumer stops early (break, error),
    the calls still running are cancelled.
    """
    iterator = iter(items)
    done: asyncio.Queue = asyncio.Queue()
    end = object()

    async def worker() -> None:
        try:
            for item in iterator:  # shared iterator: each item goes to exactly one worker
                try:
                    value = await func(item)
                except Exception as e:  # handed to the consumer, who decides
                    value = e
                await done.put((item, value))
        finally:
            await done.put(end)

    workers = [asyncio.ensure_future(worker()) for _ in range(max(1, limit))]
    running = len(workers)
    try:
        while running:
            got = await done.get()
            if got is end:
                running -= 1
                continue
            yield got
    finally:
        for w in workers:
            w.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
