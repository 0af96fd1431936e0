"""Solve a DIMACS min-cost-flow file with OR-Tools' SimpleMinCostFlow; print JSON like hearth."""

import json
import sys
import time

import numpy as np
from ortools.graph.python import min_cost_flow


def read_dimacs(path):
    supplies = None
    tails, heads, caps, costs = [], [], [], []
    with open(path, "rb") as f:
        for line in f:
            if line.startswith(b"a "):
                _, t, h, low, cap, cost = line.split()
                if low != b"0":
                    sys.exit(f"{path}: lower bounds are not supported by this reader")
                tails.append(int(t) - 1)
                heads.append(int(h) - 1)
                caps.append(int(cap))
                costs.append(int(cost))
            elif line.startswith(b"n "):
                _, node, supply = line.split()
                supplies[int(node) - 1] = int(supply)
            elif line.startswith(b"p "):
                supplies = [0] * int(line.split()[2])
    return supplies, tails, heads, caps, costs


def main():
    supplies, tails, heads, caps, costs = read_dimacs(sys.argv[1])
    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(
        np.array(tails, dtype=np.int32), np.array(heads, dtype=np.int32),
        np.array(caps, dtype=np.int64), np.array(costs, dtype=np.int64))
    smcf.set_nodes_supplies(np.arange(len(supplies), dtype=np.int32),
                            np.array(supplies, dtype=np.int64))
    start = time.perf_counter()
    status = smcf.solve()
    seconds = time.perf_counter() - start
    if status != smcf.OPTIMAL:
        sys.exit(f"{sys.argv[1]}: OR-Tools status {status}")
    shipped = sum(s for s in supplies if s > 0)
    print(json.dumps({"objective": smcf.optimal_cost(), "flow": shipped, "seconds": seconds}))


if __name__ == "__main__":
    main()
