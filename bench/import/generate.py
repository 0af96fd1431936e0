"""Synthetic household sheets for the import benchmark: N rows with valid ID numbers (check
character computed), phones typed with dashes, categories joined by 、, family sizes as "3人",
in the villages given. Writes households.csv (UTF-8 with BOM) and, with --xlsx, households.xlsx
(openpyxl write-only, so generating does not hold the sheet in memory).

    python generate.py --rows 1000000 --villages 340123100201,340123100202 --out data/1000000
"""

import argparse
import csv
import os
import random

HEADER = ["序号", "户主姓名", "身份证号", "联系电话", "乡镇（园区）", "村（社区）", "详细地址",
          "困难类型", "家庭人口", "致困原因", "备注"]
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "青山林生松柏梅兰竹菊春秋冬雪云峰海波明华"
CATEGORIES = ["低保", "特困", "低保边缘", "残疾", "低保、残疾", "高龄", "监测户"]
CAUSES = ["因病", "因残", "缺劳力", "因学"]


def id_number(n):
    # Serial, month, day and year each take a digit range of n: unique up to 20 million rows.
    year = 1940 + (n // 336000) % 60
    body = f"340123{year}{1 + (n // 1000) % 12:02d}{1 + (n // 12000) % 28:02d}{n % 1000:03d}"
    total = sum(int(c) * w for c, w in zip(body, WEIGHTS))
    return body + CHECK[total % 11]


def rows(count, villages, seed):
    rng = random.Random(seed)
    for n in range(count):
        yield [
            str(n + 1),
            rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
            id_number(n),
            f"139-{n % 10000:04d}-{(n // 10000) % 10000:04d}",
            "上派镇",
            rng.choice(villages),
            f"{rng.randint(1, 12)}组{rng.randint(1, 99)}号",
            rng.choice(CATEGORIES),
            f"{rng.randint(1, 6)}人",
            rng.choice(CAUSES),
            "",
        ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--villages", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--xlsx", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    villages = args.villages.split(",")
    with open(os.path.join(args.out, "households.csv"), "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(rows(args.rows, villages, args.seed))
    if args.xlsx:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("困难家庭")
        sheet.append(HEADER)
        for row in rows(args.rows, villages, args.seed):
            sheet.append(row)
        book.save(os.path.join(args.out, "households.xlsx"))


if __name__ == "__main__":
    main()
