#!/usr/bin/env python3
"""Pairwise precision, recall and F1 of predicted clusters against the ground truth.

    evaluate.py truth.csv prediction.json  ->  prints one JSON object

prediction.json holds {"clusters": [[row, ...], ...]} (rows 1-based, header excluded); rows in no
cluster are singletons. A pair counts when both rows are in one cluster.
"""

import csv
import json
import sys
from collections import Counter


def pairs(n):
    return n * (n - 1) // 2


def main():
    truth_path, prediction_path = sys.argv[1], sys.argv[2]
    with open(truth_path, encoding="utf-8") as f:
        truth = {int(r["row"]): int(r["household"]) for r in csv.DictReader(f)}
    with open(prediction_path, encoding="utf-8") as f:
        clusters = json.load(f)["clusters"]
    true_pairs = sum(pairs(n) for n in Counter(truth.values()).values())
    predicted_pairs = sum(pairs(len(c)) for c in clusters)
    both = Counter()
    for k, cluster in enumerate(clusters):
        for row in cluster:
            both[(k, truth[row])] += 1
    correct = sum(pairs(n) for n in both.values())
    precision = correct / predicted_pairs if predicted_pairs else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(json.dumps({
        "true_pairs": true_pairs, "predicted_pairs": predicted_pairs, "correct_pairs": correct,
        "precision": round(precision, 5), "recall": round(recall, 5), "f1": round(f1, 5),
    }))


if __name__ == "__main__":
    main()
