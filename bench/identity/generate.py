#!/usr/bin/env python3
"""Synthetic household records with ground truth, for the identity-resolution benchmark.

Every name, ID number, phone and address is invented. About 20% of households get 1-5 extra
copies, each with one to three of: a one-digit ID typo, an adjacent swap in the ID, a homophone or
traditional/variant character in the name, a phone edit, an abbreviated address, an abbreviated
village, a missing field, and harmless re-spellings (first-generation 15-digit ID, full-width
digits, other date formats).

    generate.py --records 100000 --seed 1 --out DIR   ->  DIR/records.csv, DIR/truth.csv
"""

import argparse
import csv
import os
import random

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰玉华红梅飞鹏斌波辉宇浩凯健俊帆帅旭宁龙林"
    "峰建国文志春雪晓云海燕琴莉慧萍凤彬鑫婷欣佳琳晶颖倩丹蕾玲茂德福寿发财贵荣昌盛兴旺成才良"
)
# Characters that read alike (same toneless pinyin), as clerks confuse them.
HOMOPHONES = [
    "张章", "王汪", "李黎", "刘柳", "陈晨", "黄皇", "吴武伍", "徐许", "胡扈", "朱诸", "何和",
    "林琳霖", "冯封", "于余俞", "肖萧", "袁元", "付傅符", "卢鲁", "蒋江姜", "魏卫", "闫严颜",
    "伟玮炜韦", "华桦骅", "明铭鸣", "丽莉俐", "芳方", "军君钧", "英瑛莹", "平萍苹", "红虹宏鸿",
    "兰岚蓝", "玉钰宇雨", "梅玫", "娟鹃", "杰洁婕", "强蔷", "静婧靖", "敏珉", "燕艳彦", "磊蕾",
    "涛韬", "斌彬", "刚钢", "勇咏永", "建健剑", "文雯", "峰锋枫", "桂贵", "云芸", "春椿",
    "凤奉", "晶精", "颖影", "倩茜", "丹单", "玲铃", "飞菲", "鹏朋", "波博", "辉晖", "浩皓",
    "凯恺", "俊骏", "宁凝", "龙隆", "志智", "雪薛", "晓小", "海亥", "欣新", "佳家",
]
# Traditional or variant forms.
VARIANTS = dict(zip(
    "张陈刘杨黄赵吴孙郑冯邓华丽国军红兰凤刚伟涛强静艳龙鹏辉宁飞贵兴荣发财",
    "張陳劉楊黃趙吳孫鄭馮鄧華麗國軍紅蘭鳳剛偉濤強靜艷龍鵬輝寧飛貴興榮發財",
))
TOWNS = ["上派镇", "三河镇", "官亭镇", "山南镇", "花岗镇", "紫蓬镇", "桃花镇", "丰乐镇", "高刘镇",
         "严店乡", "铭传乡", "柿树岗乡"]
PLACE_A = "三大小新高长石柳桃杨王李刘张陈周吴马何龙金银铁凤双前后东西南北中上下老"
PLACE_B = "岗郢圩湾庄店桥河山塘冲集埠岭墩坊湖"
COUNTIES = ["340123"] * 8 + ["340121", "340122", "340104", "340111"]
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def check_char(first17):
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


HOMOPHONE_OF = {c: group for group in HOMOPHONES for c in group}


class World:
    def __init__(self, rng, households):
        self.rng = rng
        n_villages = max(8, households // 1200)
        names = set()
        while len(names) < n_villages:
            names.add(rng.choice(PLACE_A) + rng.choice(PLACE_B))
        self.villages = [(rng.choice(TOWNS), v) for v in sorted(names)]
        self.office_phone = {v: self.mobile() for _, v in self.villages}
        self.ids = set()
        # Surnames and given-name characters follow a steep (Zipf-like) popularity curve.
        self.surname_w = [1 / (i + 1) for i in range(len(SURNAMES))]
        self.given_w = [1 / (i + 1) ** 0.7 for i in range(len(GIVEN))]

    def mobile(self):
        r = self.rng
        return "1" + r.choice("35789") + "".join(r.choice("0123456789") for _ in range(9))

    def name(self):
        r = self.rng
        surname = r.choices(SURNAMES, self.surname_w)[0]
        k = 1 if r.random() < 0.3 else 2
        return surname + "".join(r.choices(GIVEN, self.given_w, k=k))

    def id_number(self, birth):
        while True:
            first17 = self.rng.choice(COUNTIES) + birth + f"{self.rng.randrange(1000):03d}"
            full = first17 + check_char(first17)
            if full not in self.ids:
                self.ids.add(full)
                return full

    def household(self):
        r = self.rng
        year = r.randrange(1930, 2010)
        birth = f"{year}{r.randrange(1, 13):02d}{r.randrange(1, 29):02d}"
        town, village = r.choice(self.villages)
        group = r.choice(PLACE_A) + r.choice(PLACE_B)
        roll = r.random()
        phone = self.office_phone[village] if roll < 0.03 else ("" if roll < 0.10 else self.mobile())
        return {
            "name": self.name(),
            "id_number": self.id_number(birth),
            "phone": phone,
            "birth_date": f"{birth[:4]}-{birth[4:6]}-{birth[6:]}",
            "village": village + "村",
            "address": f"{town}{village}村{group}组{r.randrange(1, 120)}号",
            "_town": town,
            "_village": village,
            "_group": group,
        }


def digit_typo(rec, r):
    s = rec["id_number"]
    if not s:
        return
    k = r.randrange(18)
    new = r.choice([d for d in "0123456789" if d != s[k]])
    rec["id_number"] = s[:k] + new + s[k + 1:]


def adjacent_swap(rec, r):
    s = rec["id_number"]
    spots = [k for k in range(17) if s[k] != s[k + 1] and s[k].isdigit() and s[k + 1].isdigit()]
    if spots:
        k = r.choice(spots)
        rec["id_number"] = s[:k] + s[k + 1] + s[k] + s[k + 2:]


def homophone(rec, r):
    chars = list(rec["name"])
    spots = [k for k, c in enumerate(chars) if c in HOMOPHONE_OF]
    if spots:
        k = r.choice(spots)
        chars[k] = r.choice([c for c in HOMOPHONE_OF[chars[k]] if c != chars[k]])
        rec["name"] = "".join(chars)


def variant(rec, r):
    rec["name"] = "".join(VARIANTS.get(c, c) for c in rec["name"])


def phone_edit(rec, r):
    s = rec["phone"]
    if len(s) < 11:
        return
    if r.random() < 0.5:
        k = r.randrange(3, 11)
        rec["phone"] = s[:k] + r.choice([d for d in "0123456789" if d != s[k]]) + s[k + 1:]
    else:
        rec["phone"] = "+86 " + s[:3] + " " + s[3:7] + " " + s[7:]


def address_abbrev(rec, r):
    town, village, group = rec["_town"], rec["_village"], rec["_group"]
    number = rec["address"].rsplit("组", 1)[-1]
    rec["address"] = r.choice([
        f"{village}村{group}组{number}",
        f"{village}{group}{number}",
        f"{group}组{number}",
        f"安徽省合肥市肥西县{town}{village}村{group}组{number}",
        f"肥西县{town}{village}村{group}{number}",
    ])


def village_abbrev(rec, r):
    rec["village"] = r.choice([rec["_village"], rec["_village"] + "村委会"])


def missing(rec, r):
    rec[r.choice(["id_number", "phone", "birth_date", "address"])] = ""


def respell(rec, r):
    s = rec["id_number"]
    choice = r.randrange(3)
    if choice == 0 and len(s) == 18 and s[6:8] == "19":
        rec["id_number"] = s[:6] + s[8:17]
    elif choice == 1 and s:
        rec["id_number"] = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in s)
    elif rec["birth_date"]:
        y, m, d = rec["birth_date"].split("-")
        rec["birth_date"] = r.choice([f"{y}{m}{d}", f"{y}/{int(m)}/{int(d)}", f"{y}年{int(m)}月{int(d)}日"])


CORRUPTIONS = [
    (digit_typo, 3), (adjacent_swap, 2), (homophone, 3), (variant, 1), (phone_edit, 2),
    (address_abbrev, 3), (village_abbrev, 1), (missing, 2), (respell, 2),
]


def copy_of(original, rng):
    rec = dict(original)
    funcs, weights = zip(*CORRUPTIONS)
    chosen = set()
    wanted = rng.randint(1, 3)
    while len(chosen) < wanted:
        chosen.add(rng.choices(funcs, weights)[0])
    for f in sorted(chosen, key=lambda f: f.__name__):
        f(rec, rng)
    return rec


def generate(n_records, seed):
    rng = random.Random(seed)
    world = World(rng, int(n_records / 1.6))
    rows = []
    entity = 0
    while len(rows) < n_records:
        original = world.household()
        rows.append((entity, original))
        if rng.random() < 0.2:
            for _ in range(rng.randint(1, 5)):
                rows.append((entity, copy_of(original, rng)))
        entity += 1
    rows = rows[:n_records]
    rng.shuffle(rows)
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rows = generate(args.records, args.seed)
    fields = ["name", "id_number", "phone", "birth_date", "village", "address"]
    with open(os.path.join(args.out, "records.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(fields)
        for _, rec in rows:
            w.writerow([rec[k] for k in fields])
    with open(os.path.join(args.out, "truth.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["row", "household"])
        for row, (entity, _) in enumerate(rows, start=1):
            w.writerow([row, entity])


if __name__ == "__main__":
    main()
