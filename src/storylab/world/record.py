"""Skill records: the ground truth a story keeps for each place where its next word is determined.

Shared by the skill episodes (`skills`) and the knowledge episodes (`facts`), so neither
imports the other for it.
"""

from __future__ import annotations


def skill(st, name: str, answer: str, distractors: list[str], **details) -> dict:
    """Record one skill item on the story `st` (its ``prompt_end`` is set when the answer is marked)."""
    distractors = [d for d in dict.fromkeys(distractors) if d != answer]  # unique, never the answer
    rec = {"skill": name, "answer": answer, "distractors": distractors, **details}
    st.pending_skills.append(rec)
    return rec
