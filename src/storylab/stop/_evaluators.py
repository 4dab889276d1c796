"""The algorithmic tasks' utilities, as they run inside the sandbox (stdlib only).

As in STOP, the utility runs in the same process as the candidate: it calls the
candidate's function and compares what comes back. A candidate can therefore bend
the number it reports (an object whose ``==`` returns 10**9, say); the parent checks
every number against the task's range and counts the ones that are not in it.
Instances come from fixed seeds, so a score is a function of the program alone.
"""

import random


def parity(algorithm, data):
    """Learning parity with noise: accuracy on clean held-out samples, averaged over instances."""
    rng = random.Random(data["seed"])
    n, n_train, n_test, noise = data["bits"], data["train"], data["test"], data["noise"]
    total = 0.0
    for _ in range(data["instances"]):
        mask = [0] * n
        while not any(mask):
            mask = [int(rng.random() < 0.5) for _ in range(n)]
        samples = [[rng.randint(0, 1) for _ in range(n)] for _ in range(n_train + n_test)]
        labels = [sum(s[i] for i in range(n) if mask[i]) % 2 for s in samples]
        train_labels = [y ^ int(rng.random() < noise) for y in labels[:n_train]]
        predict = algorithm(samples[:n_train], train_labels)
        predictions = predict(samples[n_train:])
        correct = sum(p == y for p, y in zip(predictions, labels[n_train:]))
        total += correct / n_test
    return total / data["instances"]


def sat(algorithm, data):
    """Planted random 3-SAT: the fraction of instances whose returned assignment satisfies every clause."""
    rng = random.Random(data["seed"])
    n, m = data["vars"], data["clauses"]
    solved = 0
    for _ in range(data["instances"]):
        hidden = [rng.random() < 0.5 for _ in range(n)]
        clauses = []
        while len(clauses) < m:
            picked = rng.sample(range(1, n + 1), 3)
            clause = [v if rng.random() < 0.5 else -v for v in picked]
            if any((lit > 0) == hidden[abs(lit) - 1] for lit in clause):
                clauses.append(clause)
        assignment = algorithm(n, [list(c) for c in clauses])
        values = [bool(assignment[i]) for i in range(n)]
        solved += all(any((lit > 0) == values[abs(lit) - 1] for lit in c) for c in clauses)
    return solved / data["instances"]


def maxcut(algorithm, data):
    """Weighted max-cut on random graphs: cut weight over total weight, averaged over instances."""
    rng = random.Random(data["seed"])
    n = data["nodes"]
    total = 0.0
    for _ in range(data["instances"]):
        edges = [(i, j, rng.randint(1, 10)) for i in range(n) for j in range(i + 1, n) if rng.random() < data["p"]]
        sides = algorithm(n, [list(e) for e in edges])
        cut = sum(w for i, j, w in edges if sides[i] != sides[j])
        total += cut / max(1, sum(w for _, _, w in edges))
    return total / data["instances"]
