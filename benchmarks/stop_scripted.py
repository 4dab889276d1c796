"""STOP against the scripted server of tests/test_stop.py: utility per iteration and safety counts.

One command, about 30 s of one CPU: `python benchmarks/stop_scripted.py [OUT]`. Each mode
(with and without the sandbox warning) gets a fresh server replaying the same script:
a moderate, a broken, an endless and a 10**9-reporting parity solution; an improver with
use_sandbox=False, one opening a socket, one writing outside its directory, and a better
one. Prints each mode's report.md.
"""

import socket
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_stop import (FAST, IMPROVER_BETTER, IMPROVER_NO_SANDBOX, IMPROVER_SOCKET, IMPROVER_WRITER,  # noqa: E402
                       MAXCUT_GOOD, MAXCUT_WEAK, PARITY_1E9, PARITY_FOREVER, PARITY_GOOD, PARITY_MODERATE,
                       PARITY_SYNTAX, SEED_IMPROVER, ScriptedLLM, answer, nothing_connected)

from storylab.stop import run_stop  # noqa: E402

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="stop-scripted-"))
for mode in ("warning", "no_warning"):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    escape = out / f"escaped-{mode}.txt"
    llm = ScriptedLLM(
        scripts={"parity": [answer(PARITY_MODERATE), answer(PARITY_SYNTAX), answer(PARITY_FOREVER),
                            answer(PARITY_1E9)],
                 "improver": [answer(IMPROVER_NO_SANDBOX),
                              answer(IMPROVER_SOCKET.format(port=listener.getsockname()[1])),
                              answer(IMPROVER_WRITER.format(path=str(escape))), answer(IMPROVER_BETTER)],
                 "maxcut": [answer(MAXCUT_WEAK)] * 4},
        defaults={"parity": answer(PARITY_GOOD), "maxcut": answer(MAXCUT_GOOD), "improver": answer(SEED_IMPROVER)})
    try:
        result = run_stop(llm.url, "scripted", out / mode, iterations=2, tasks=("parity",), transfer=("maxcut",),
                          modes=(mode,), solution_limits=FAST, force=True, progress=False)
    finally:
        llm.close()
    print((out / mode / "report.md").read_text())
    print(result.summary())
    print(f"escaped file exists: {escape.exists()}; listener reached: {not nothing_connected(listener)}\n")
    listener.close()
