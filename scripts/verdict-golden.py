"""Writes tests/golden/verdict-probabilities.json: P(p >= T) and P(p <= T) under
Jeffreys' Beta(s + 1/2, n - s + 1/2), computed by scipy, the independent
calculation the verdict tests hold analysis/verdict.ts to (methodology §3).

Run from the repository root: python3 scripts/verdict-golden.py && npx biome format --write tests/golden
(needs scipy; the JSON is committed, so the tests do not).
"""
import json
import random

from scipy.stats import beta

random.seed(20261205)
cases = [(63, 70, 0.85), (53, 55, 0.9), (95, 100, 0.9), (18, 20, 0.85), (30, 33, 0.9), (45, 50, 0.9), (277, 322, 0.9),
         (0, 1, 0.5), (1, 1, 0.99), (0, 200, 0.01), (3, 400, 0.01), (999, 1000, 0.99)]
for _ in range(300):
    n = random.choice([random.randint(1, 40), random.randint(40, 400), random.randint(400, 5000)])
    s = random.randint(0, n)
    t = random.choice([0.5, 0.8, 0.85, 0.9, 0.95, 0.99, 0.01, round(random.random(), 3)])
    cases.append((s, n, t))

rows = []
for s, n, t in cases:
    a, b = s + 0.5, n - s + 0.5
    rows.append({"s": s, "n": n, "T": t, "atLeast": float(beta.sf(t, a, b)), "atMost": float(beta.cdf(t, a, b))})

with open("tests/golden/verdict-probabilities.json", "w") as f:
    json.dump({"source": "scipy.stats.beta (scripts/verdict-golden.py)", "cases": rows}, f, indent=1)
    f.write("\n")
print(len(rows), "cases")
