"""`extract_code`, shared by the parent and by improvers in the sandbox (``from helpers import extract_code``).

Stdlib only: the sandbox runner loads this file by path before any candidate code runs.
"""

import ast

FENCE = "`" * 3


def _one(text: str) -> str:
    """The last fenced block of an answer (python, py or unlabelled); else the whole answer if it parses; else ''."""
    text = str(text or "")
    blocks, rest = [], text
    while FENCE in rest:
        _, _, after = rest.partition(FENCE)
        body, closed, rest = after.partition(FENCE)
        if not closed:
            break
        label, _, code = body.partition("\n")
        if label.strip().lower() in ("python", "py", "python3", ""):
            blocks.append(code)
    if blocks:
        return blocks[-1].strip("\n") + "\n"
    try:
        ast.parse(text)
    except (SyntaxError, ValueError):
        return ""
    return text.strip("\n") + "\n" if text.strip() else ""


def extract_code(answers):
    """The code in a model's answer, or in each of a list of answers."""
    if isinstance(answers, (list, tuple)):
        return [_one(a) for a in answers]
    return _one(answers)
