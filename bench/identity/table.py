#!/usr/bin/env python3
"""The benchmark table from the files run.sh left: table.py DATA_DIR SIZE..."""

import json
import os
import sys


def load(path):
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def rss_mib(path):
    if not os.path.exists(path):
        return float("nan")
    with open(path) as f:
        return int(f.read().split()[-1]) / 1024


def phases(result):
    return " / ".join(f"{k} {v:.2f}" for k, v in result["phases"].items())


def main():
    data, sizes = sys.argv[1], sys.argv[2:]
    print("| records | tool | precision | recall | F1 | seconds | phases (s) | peak MiB |")
    print("|---:|---|---:|---:|---:|---:|---|---:|")
    ratios = []
    for n in sizes:
        d = os.path.join(data, n)
        rows = {}
        for tool in ("hearth", "splink"):
            result, ev = load(f"{d}/{tool}.json"), load(f"{d}/{tool}.eval.json")
            if result is None or ev is None:
                continue
            rows[tool] = (result, ev)
            print(f"| {int(n):,} | {tool} | {ev['precision']:.5f} | {ev['recall']:.5f} | "
                  f"{ev['f1']:.5f} | {result['seconds']:.2f} | {phases(result)} | "
                  f"{rss_mib(f'{d}/{tool}.rss'):.0f} |")
        if len(rows) == 2:
            (h, he), (s, se) = rows["hearth"], rows["splink"]
            ratios.append(f"{int(n):,}: Hearth is {s['seconds'] / h['seconds']:.1f}× faster, "
                          f"F1 {he['f1']:.5f} vs {se['f1']:.5f}")
    for line in ratios:
        print(f"\n{line}")


if __name__ == "__main__":
    main()
