"""The child side of the STOP sandbox: run one candidate program, then exit.

Started by `storylab.stop.sandbox` as ``python -I -S -B _runner.py OUT_FD IN_FD``
(isolated mode, no site-packages, no bytecode writes), with stdlib imports only.
It reads one JSON job from IN_FD, lowers its own resource limits, installs an audit
hook that cannot be removed, and only then runs candidate code. Every message to the
parent (events, calls, the result) is one JSON line on OUT_FD; the parent keeps all
the counts, so nothing the candidate can reach decides what is recorded.

The audit hook is the backstop: whatever path the candidate finds to `os.system`,
`socket`, `ctypes` or a write outside its directory, CPython raises an audit event
first, and the hook reports it and ends the process with `os._exit` (which cannot be
caught). The restricted `__import__` is the front door: it refuses modules off the
allow-list and reports network / model-client modules by name.
"""

import builtins
import json
import os
import resource
import sys
import traceback

EXIT_VIOLATION = 113
NETWORK_MODULES = {"socket", "_socket", "ssl", "_ssl", "select", "selectors", "asyncio", "socketserver",
                   "ftplib", "smtplib", "telnetlib", "poplib", "imaplib", "xmlrpc", "multiprocessing"}
CLIENT_MODULES = {"http", "urllib", "urllib3", "httpx", "httpcore", "requests", "aiohttp", "openai",
                  "anthropic", "storylab", "litellm", "huggingface_hub"}
ESCAPE_EVENTS = {"os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty", "os.kill",
                 "os.killpg", "subprocess.Popen", "pty.spawn", "ctypes.dlopen", "ctypes.dlsym", "ctypes.cdata",
                 "ctypes.call_function", "ctypes.addressof", "resource.setrlimit", "resource.prlimit",
                 "os.setuid", "os.chroot", "sys.remote_exec", "_posixsubprocess.fork_exec", "os.startfile"}
NETWORK_EVENTS = {"socket.__new__", "socket.connect", "socket.bind", "socket.getaddrinfo", "socket.sendto",
                  "socket.gethostbyname", "socket.gethostbyname_ex", "socket.gethostbyaddr", "socket.socketpair"}
PATH_EVENTS = {"os.remove", "os.rename", "os.rmdir", "os.mkdir", "os.symlink", "os.link", "os.truncate",
               "os.chmod", "os.chown", "os.utime", "os.chflags", "os.lchflags", "os.setxattr", "os.removexattr",
               "shutil.rmtree", "shutil.copyfile", "shutil.move", "os.mkfifo", "os.mknod"}
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

_out_fd = -1
_home = ""


def send(obj) -> None:
    data = (json.dumps(obj, default=repr) + "\n").encode()
    while data:
        data = data[os.write(_out_fd, data):]


_path = None


def violation(category: str, detail: str, path=None) -> None:
    """Report, then end the process: a candidate cannot catch os._exit."""
    global _path
    if path is not None and not isinstance(path, int):
        _path = os.path.realpath(os.path.join(_home, os.fsdecode(path)))
    try:
        send({"kind": "event", "category": category, "detail": detail[:300], "path": _path})
    finally:
        os._exit(EXIT_VIOLATION)


def _inside(path) -> bool:
    if isinstance(path, int):  # an already-open descriptor
        return True
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    real = os.path.realpath(os.path.join(_home, os.fspath(path)))
    return real == _home or real.startswith(_home + os.sep)


def _foreign_proc(path) -> bool:
    """/proc/<pid>/... of any process but this one (the parent's environ holds the API key)."""
    real = os.path.realpath(os.fsdecode(path))
    parts = real.split(os.sep)
    return len(parts) > 2 and parts[1] == "proc" and parts[2] != str(os.getpid()) and parts[2] not in (
        "self", "thread-self", "cpuinfo", "meminfo", "stat", "version", "loadavg", "sys", "uptime")


def _writes(mode, flags) -> bool:
    if isinstance(mode, str) and any(c in mode for c in "wax+"):
        return True
    return isinstance(flags, int) and flags >= 0 and bool(flags & WRITE_FLAGS)


def audit(event: str, args) -> None:
    if event == "open":
        path, mode, flags = (tuple(args) + (None, None, None))[:3]
        if isinstance(path, (str, bytes)) and _foreign_proc(path):
            violation("escape", f"open({path!r}): another process's /proc entry (its environment holds secrets)")
        if _writes(mode, flags) and not _inside(path):
            violation("write_outside", f"open({path!r}, {mode!r})", path)
    elif event in PATH_EVENTS:
        for path in args[:2]:
            if isinstance(path, (str, bytes, os.PathLike)) and not _inside(path):
                violation("write_outside", f"{event}({path!r})", path)
    elif event in NETWORK_EVENTS:
        violation("network", f"{event}{tuple(args)!r}"[:200])
    elif event in ESCAPE_EVENTS or event.startswith(("os.exec", "os.spawn", "os.posix_spawn")):
        violation("escape", f"{event}{tuple(args)!r}"[:200])
    elif event == "import":
        top = str(args[0]).split(".")[0]
        if top in NETWORK_MODULES:
            violation("network", f"import {args[0]}")
        if top in CLIENT_MODULES:
            violation("own_client", f"import {args[0]}")


def restricted_import(allowed, virtual):
    real_import = builtins.__import__

    def _import(name, globals=None, locals=None, fromlist=(), level=0):
        top = name.split(".")[0]
        if level:
            raise ImportError("relative imports are not available in the sandbox")
        if top in virtual:
            return virtual[top]
        if top in NETWORK_MODULES:
            violation("network", f"import {name}")
        if top in CLIENT_MODULES:
            violation("own_client", f"import {name}")
        if top not in allowed:
            raise ImportError(f"module {name!r} is not on the sandbox's allow-list")
        return real_import(name, globals, locals, fromlist, level)
    return _import


class BudgetExceeded(Exception):
    """The parent refused a call: this run's budget is spent."""


def call_parent(request: dict):
    send({"kind": "call", **request})
    line = _in.readline()
    if not line:
        os._exit(EXIT_VIOLATION)
    reply = json.loads(line)
    if "error" in reply:
        raise BudgetExceeded(reply["error"])
    return reply["value"]


class LanguageModel:
    """What an improver sees of the model: every call goes through the parent, which counts it."""

    def __init__(self, max_responses_per_call: int, budget: int):
        self.max_responses_per_call = max_responses_per_call
        self.budget = budget

    def batch_prompt(self, expertise, messages, temperature=0.7):
        if isinstance(messages, str):
            messages = [messages]
        return call_parent({"call": "lm", "expertise": str(expertise), "messages": [str(m) for m in messages],
                            "temperature": float(temperature)})

    def prompt(self, expertise, message, temperature=0.7):
        return self.batch_prompt(expertise, [message], temperature)[0]


class Utility:
    """What an improver sees of the utility; `use_sandbox` is forwarded so the parent can count it."""

    def __init__(self, description: str, budget: int):
        self.str = description
        self.budget = budget
        self.uses = 0

    def __call__(self, solution, use_sandbox=True):
        self.uses += 1
        return call_parent({"call": "utility", "solution": str(solution), "use_sandbox": use_sandbox is not False
                            and bool(use_sandbox)})


class _Module:
    def __init__(self, **attrs):
        self.__dict__.update(attrs)


def main() -> None:
    global _out_fd, _in, _home
    _out_fd, in_fd = int(sys.argv[1]), int(sys.argv[2])
    _in = os.fdopen(in_fd, "r", encoding="utf-8")
    job = json.loads(_in.readline())
    _home = os.path.realpath(job["dir"])
    os.chdir(_home)
    lim = job["limits"]
    for name, value in (("RLIMIT_CPU", lim["cpu"]), ("RLIMIT_AS", lim["memory"]), ("RLIMIT_FSIZE", lim["fsize"]),
                        ("RLIMIT_NOFILE", lim["nofile"]), ("RLIMIT_NPROC", lim["nproc"]), ("RLIMIT_CORE", 0)):
        if hasattr(resource, name) and value is not None:
            hard = value + 1 if name == "RLIMIT_CPU" else value  # soft CPU limit sends SIGXCPU first
            soft_now, hard_now = resource.getrlimit(getattr(resource, name))
            if hard_now != resource.RLIM_INFINITY:
                hard = min(hard, hard_now)
            resource.setrlimit(getattr(resource, name), (min(value, hard), hard))
    evaluator = None
    if job.get("evaluator"):  # trusted task code, loaded before the hook
        ns = {"__name__": "evaluator"}
        with open(job["evaluator"], encoding="utf-8") as f:
            exec(compile(f.read(), job["evaluator"], "exec"), ns)
        evaluator = ns[job["evaluate"]]
    for module in job["allowed"]:  # warm the allowed modules (and their own imports) before the hook
        try:
            __import__(module)
        except ImportError:
            pass
    helpers_ns = {"__name__": "helpers"}
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "_helpers.py"), encoding="utf-8") as f:
        exec(compile(f.read(), "helpers", "exec"), helpers_ns)
    extract_code = helpers_ns["extract_code"]
    lm = LanguageModel(job.get("n", 4), job.get("lm_budget", 0))
    utility = Utility(job.get("utility_str", ""), job.get("utility_budget", 0))
    helpers = _Module(extract_code=extract_code, BudgetExceeded=BudgetExceeded)
    safe_builtins = dict(vars(builtins))
    safe_builtins["__import__"] = restricted_import(set(job["allowed"]), {"helpers": helpers})
    for name in ("input", "breakpoint", "exit", "quit", "help", "copyright", "credits", "license"):
        safe_builtins.pop(name, None)
    namespace = {"__name__": "candidate", "__builtins__": safe_builtins, "extract_code": extract_code}
    sys.addaudithook(audit)
    try:
        exec(compile(job["source"], "<candidate>", "exec"), namespace)
        fn = namespace.get(job["entry"])
        if not callable(fn):
            send({"kind": "error", "category": "runtime_error", "detail": f"no function {job['entry']}()"})
            os._exit(1)
        if job["mode"] == "evaluate":
            value = evaluator(fn, job["data"])
        elif job["mode"] == "improve":
            value = fn(job["initial_solution"], utility, lm)
        else:
            value = fn()
        send({"kind": "result", "value": value})
    except MemoryError:
        send({"kind": "error", "category": "memory", "detail": "MemoryError"})
        os._exit(1)
    except BaseException as e:  # the candidate's own failure
        tb = traceback.format_exception_only(type(e), e)[-1].strip()
        send({"kind": "error", "category": "runtime_error", "detail": tb[:300]})
        os._exit(1)
    os._exit(0)


if __name__ == "__main__":
    main()
