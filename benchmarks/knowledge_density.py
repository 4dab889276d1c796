"""How much everyday knowledge the procedural stories state: facts per story, by relation, by form.

    PYTHONPATH=src python benchmarks/knowledge_density.py [--n 2000] [--seed 0]

Counts every knowledge episode (`storylab.world.facts.Ep`: one per fact stated, including
needs and the night sky) while generating `n` stories, the form it took (a general fact
told by someone, a question and answer, or narration: seen, done, a cause or a contrast),
and the everyday_fact skill items recorded. Works on any tree whose world has `facts.Ep`
(run it with another tree's ``src`` on PYTHONPATH to compare).
"""

from __future__ import annotations

import argparse
from collections import Counter

from storylab.world import facts, generate_stories
from storylab.world.story import Story


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    eps: list = []  # the episodes of every story so far
    draft: list = []  # those of the story being written (a draft that comes out too long is rewritten)
    init, story_init = facts.Ep.__init__, Story.__init__

    def counting_init(self, st, rel, subj, *a, **k):
        init(self, st, rel, subj, *a, **k)
        draft.append([rel, "narration"])

    def new_draft(self, *a, **k):
        draft.clear()
        story_init(self, *a, **k)

    def form(name):
        fn = getattr(facts, name)

        def wrapped(*a, **k):
            if draft and draft[-1][1] == "narration":
                draft[-1][1] = name.strip("_")
            return fn(*a, **k)
        return wrapped

    facts.Ep.__init__ = counting_init
    Story.__init__ = new_draft
    for name in ("_tell", "_qa", "_ask"):
        if hasattr(facts, name):
            setattr(facts, name, form(name))

    items, zero = Counter(), 0
    for rec in generate_stories(args.n, args.seed):
        items.update(s["relation"] for s in rec["meta"]["skills"] if s["skill"] == "everyday_fact")
        zero += not draft
        eps += draft
        draft.clear()
    rels = Counter(r for r, _ in eps)
    forms = Counter("qa" if f == "ask" else f for _, f in eps)
    n = args.n
    print(f"{n:,} stories, seed {args.seed}: {len(eps) / n:.2f} knowledge episodes per story, "
          f"{sum(items.values()) / n:.2f} everyday_fact items per story "
          f"({sum(items.values()) / max(len(eps), 1):.0%} of episodes); "
          f"{zero / n:.0%} of stories state none")
    print("by form:     " + ", ".join(f"{k} {v / n:.2f}" for k, v in forms.most_common()))
    print("by relation: " + ", ".join(f"{k} {v / n:.3f}" for k, v in rels.most_common()))
    print("items by relation: " + ", ".join(f"{k} {v / n:.3f}" for k, v in items.most_common()))


if __name__ == "__main__":
    main()
