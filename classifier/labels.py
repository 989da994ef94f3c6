"""The label sets and output fields: defined here once, imported everywhere else."""

from __future__ import annotations

from types import MappingProxyType

#: Topic labels, in the order used for probability vectors.
TOPICS: tuple[str, ...] = ("supervision_visit", "symposium", "progress_qa", "other")

#: Region label for national pieces.
NATIONAL = "全国"
#: Code written for ``NATIONAL`` in ``region_code`` (GB/T 2260 has none for the country).
NATIONAL_CODE = "000000"

#: Province-level divisions: official full name -> GB/T 2260 code.
PROVINCES = MappingProxyType({
    "北京市": "110000", "天津市": "120000", "河北省": "130000", "山西省": "140000",
    "内蒙古自治区": "150000", "辽宁省": "210000", "吉林省": "220000", "黑龙江省": "230000",
    "上海市": "310000", "江苏省": "320000", "浙江省": "330000", "安徽省": "340000",
    "福建省": "350000", "江西省": "360000", "山东省": "370000", "河南省": "410000",
    "湖北省": "420000", "湖南省": "430000", "广东省": "440000", "广西壮族自治区": "450000",
    "海南省": "460000", "重庆市": "500000", "四川省": "510000", "贵州省": "520000",
    "云南省": "530000", "西藏自治区": "540000", "陕西省": "610000", "甘肃省": "620000",
    "青海省": "630000", "宁夏回族自治区": "640000", "新疆维吾尔自治区": "650000",
    "台湾省": "710000", "香港特别行政区": "810000", "澳门特别行政区": "820000",
})

#: Every valid ``region`` value.
REGIONS: tuple[str, ...] = (*PROVINCES, NATIONAL)

#: Region fields of a prediction record, filled by ``classifier.region``.
REGION_FIELDS: tuple[str, ...] = ("region", "region_code", "city", "city_code", "county", "county_code")

#: Fields of one prediction record, in output order (pass-through columns come first, ``error`` last).
PREDICTION_FIELDS: tuple[str, ...] = ("topic", "topic_proba", *REGION_FIELDS)

#: Column holding the article text in JSONL / CSV / Parquet input.
TEXT_COLUMN = "text"
#: Column holding a per-record failure in batch output.
ERROR_FIELD = "error"
