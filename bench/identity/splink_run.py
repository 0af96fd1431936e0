#!/usr/bin/env python3
"""The peer: Splink (DuckDB backend) on the same records.csv, written as prediction JSON.

    splink_run.py records.csv prediction.json

Splink gets the same normalisation Hearth does (cleaned ID lifted to 18 characters, toneless pinyin
of the name, village without its suffix, phone digits, the address below the village, birth date
from the field or a valid ID) so that the comparison is between the matching, not the cleaning.
Its model is trained the way Splink's documentation teaches (random-sampling u, EM for m) and
predicts over blocking rules that find the same kinds of twins as Hearth's passes.
"""

import json
import re
import sys
import time

import pandas as pd
from pypinyin import lazy_pinyin
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
import splink.comparison_library as cl

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
FULL_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
AREA = re.compile(r"^(?:.{1,7}?[省市县镇乡])+")
MARKERS = re.compile(r"[村组号室栋幢户\s]")
THRESHOLD = 0.9


def check_char(first17):
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


def clean_id(raw):
    s = re.sub(r"\s", "", str(raw or "")).translate(FULL_WIDTH).upper().lstrip("'")
    if len(s) == 15 and s.isdigit():
        s = s[:6] + "19" + s[6:]
        s += check_char(s)
    return s if len(s) == 18 and re.fullmatch(r"[0-9X]{18}", s) else None


def valid(id18):
    return id18 is not None and id18[:17].isdigit() and check_char(id18[:17]) == id18[17]


def birth(raw, id18):
    parts = re.findall(r"\d+", str(raw or "").translate(FULL_WIDTH))
    if len(parts) == 1 and len(parts[0]) == 8:
        return parts[0]
    if len(parts) == 3:
        return f"{int(parts[0]):04d}{int(parts[1]):02d}{int(parts[2]):02d}"
    return id18[6:14] if valid(id18) else None


def village(raw):
    s = re.sub(r"\s", "", str(raw or ""))
    for suffix in ("村民委员会", "居民委员会", "村委会", "居委会", "社区", "村"):
        if s.endswith(suffix) and len(s) > len(suffix):
            return s[: -len(suffix)]
    return s or None


def address(raw, vil):
    s = re.sub(r"\s", "", str(raw or ""))
    if vil and vil in s:
        s = s[s.index(vil) + len(vil):]
    else:
        s = AREA.sub("", s)
    s = MARKERS.sub("", s)
    return s or None


def phone(raw):
    d = re.sub(r"\D", "", str(raw or "").translate(FULL_WIDTH))
    if len(d) == 13 and d.startswith("86"):
        d = d[2:]
    return d or None


def prepare(path):
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    pinyin_cache = {}

    def py(name):
        if name not in pinyin_cache:
            pinyin_cache[name] = " ".join(lazy_pinyin(name)) or None
        return pinyin_cache[name]

    ids = [clean_id(v) for v in raw["id_number"]]
    villages = [village(v) for v in raw["village"]]
    df = pd.DataFrame({
        "unique_id": range(1, len(raw) + 1),
        "name": [re.sub(r"[\s·]", "", n) or None for n in raw["name"]],
        "name_py": [py(re.sub(r"[\s·]", "", n)) for n in raw["name"]],
        "id": ids,
        "id_head": [i[:9] if i else None for i in ids],
        "id_tail": [i[9:] if i else None for i in ids],
        "birth": [birth(b, i) for b, i in zip(raw["birth_date"], ids)],
        "phone": [phone(p) for p in raw["phone"]],
        "village": villages,
        "address": [address(a, v) for a, v in zip(raw["address"], villages)],
    })
    return df


def settings():
    return SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[
            block_on("id"),
            block_on("id_tail"),
            block_on("id_head", "name_py"),
            block_on("phone"),
            block_on("name_py", "village"),
            block_on("name_py", "birth"),
        ],
        comparisons=[
            cl.DamerauLevenshteinAtThresholds("id", [1]),
            cl.CustomComparison(
                output_column_name="name",
                comparison_levels=[
                    {"sql_condition": "name_l IS NULL OR name_r IS NULL", "is_null_level": True},
                    {"sql_condition": "name_l = name_r", "label_for_charts": "same characters",
                     "tf_adjustment_column": "name", "tf_adjustment_weight": 1.0},
                    {"sql_condition": "name_py_l = name_py_r", "label_for_charts": "same pinyin"},
                    {"sql_condition": "jaro_winkler_similarity(name_py_l, name_py_r) >= 0.9",
                     "label_for_charts": "close pinyin"},
                    {"sql_condition": "ELSE", "label_for_charts": "different"},
                ],
            ),
            cl.ExactMatch("birth"),
            cl.DamerauLevenshteinAtThresholds("phone", [1]),
            cl.ExactMatch("village"),
            cl.JaccardAtThresholds("address", [0.9, 0.6]),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def main():
    records_path, out_path = sys.argv[1], sys.argv[2]
    phases = {}
    t = time.perf_counter()
    df = prepare(records_path)
    db_api = DuckDBAPI()
    table = db_api.register(df)
    linker = Linker(table, settings(), log_level=None)
    phases["prepare"] = time.perf_counter() - t

    t = time.perf_counter()
    training = linker.training
    training.estimate_probability_two_random_records_match([block_on("id")], recall=0.8)
    training.estimate_u_using_random_sampling(max_pairs=5e6, seed=1)
    training.estimate_parameters_using_expectation_maximisation(block_on("name_py", "village"))
    training.estimate_parameters_using_expectation_maximisation(block_on("id"))
    phases["train"] = time.perf_counter() - t

    t = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    phases["predict"] = time.perf_counter() - t

    t = time.perf_counter()
    clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=THRESHOLD
    ).as_pandas_dataframe()
    groups = clustered.groupby("cluster_id")["unique_id"].apply(sorted)
    clusters = sorted((list(map(int, g)) for g in groups if len(g) > 1), key=lambda c: c[0])
    phases["cluster"] = time.perf_counter() - t

    with open(out_path, "w", encoding="utf-8") as f:
        json.dump({
            "records": len(df), "clusters": clusters, "seconds": sum(phases.values()),
            "phases": phases,
        }, f)


if __name__ == "__main__":
    main()
