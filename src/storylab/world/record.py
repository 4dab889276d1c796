"""The skill record a story keeps for the capability suite: shared by skills and facts."""

from __future__ import annotations


def skill(st, name: str, answer: str, distractors: list[str], **details) -> dict:
    """Record that the text up to here is a prompt whose right continuation is `answer`."""
    distractors = [d for d in dict.fromkeys(distractors) if d != answer]  # unique, never the answer
    rec = {"skill": name, "answer": answer, "distractors": distractors, **details}
    st.pending_skills.append(rec)
    return rec
