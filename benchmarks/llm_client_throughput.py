"""Requests per second of `storylab.llmgen.ChatClient` against an instant local server.

The server is a raw asyncio HTTP/1.1 keep-alive server in a separate process that
answers every chat-completions request at once with a fixed JSON body, so the figure
measures the client (JSON encode, httpx, parse, retries bookkeeping, semaphore), not
a model. Goal: >= 500 requests/s with 64 in flight on a 2-core laptop. The client's CPU
time per request is printed too: unlike the wall-clock rate it does not depend on what
else the machine is doing (the server process shares the two cores).

    python benchmarks/llm_client_throughput.py [--requests 5000] [--in-flight 64]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import socket
import time

ANSWER = json.dumps({
    "id": "bench", "object": "chat.completion", "model": "bench",
    "choices": [{"index": 0, "finish_reason": "stop",
                 "message": {"role": "assistant", "content": "Once upon a time, there was a little cat. " * 8}}],
    "usage": {"prompt_tokens": 60, "completion_tokens": 80, "total_tokens": 140},
}).encode()
RESPONSE = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
            + str(len(ANSWER)).encode() + b"\r\n\r\n" + ANSWER)


async def _handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            if length:
                await reader.readexactly(length)
            writer.write(RESPONSE)
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


def _serve(sock: socket.socket) -> None:
    async def main():
        server = await asyncio.start_server(_handle, sock=sock)
        async with server:
            await server.serve_forever()
    try:
        import uvloop  # noqa: F401  (optional, only if present)
        uvloop.install()
    except ImportError:
        pass
    asyncio.run(main())


async def _run(url: str, n: int, in_flight: int) -> tuple[float, float, int]:
    from storylab.llmgen import ChatClient, bounded_map

    messages = [{"role": "user", "content": "Write a short story about a cat."}]
    async with ChatClient(url, "bench", max_in_flight=in_flight, timeout=30, max_retries=0) as client:
        # warm up: open the connections
        async for _ in bounded_map(lambda i: client.complete(messages), range(in_flight * 2), in_flight):
            pass
        failures = 0
        start, cpu = time.perf_counter(), time.process_time()
        async for _, result in bounded_map(lambda i: client.complete(messages, max_tokens=200), range(n), in_flight):
            failures += isinstance(result, Exception)
        return time.perf_counter() - start, time.process_time() - cpu, failures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=5000)
    ap.add_argument("--in-flight", type=int, default=64)
    args = ap.parse_args()

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    port = sock.getsockname()[1]
    server = mp.get_context("fork").Process(target=_serve, args=(sock,), daemon=True)
    server.start()
    sock.close()
    try:
        seconds, cpu, failures = asyncio.run(_run(f"http://127.0.0.1:{port}/v1", args.requests, args.in_flight))
    finally:
        server.terminate()
        server.join()
    rate = args.requests / seconds
    load = os.getloadavg()[0]
    print(f"llm client throughput: {args.requests} requests, {args.in_flight} in flight, "
          f"{seconds:.2f} s, {rate:,.0f} requests/s, {failures} failures (cpus={os.cpu_count()}, "
          f"load {load:.1f}, goal >= 500/s); client CPU {cpu / args.requests * 1e6:,.0f} us/request "
          f"= {args.requests / cpu:,.0f} requests per CPU-second")


if __name__ == "__main__":
    main()
