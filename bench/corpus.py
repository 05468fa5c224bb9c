"""Realistic synthetic entries for benchmarks: English abstracts (~625 chars), Korean
commentary (~350 chars), titles (~50 chars), a few tags, as in ../shared/notes."""

from __future__ import annotations

import datetime as dt
import random

from journal.model import Entry, make_entry

_EN = [
    "we",
    "propose",
    "a",
    "novel",
    "method",
    "for",
    "efficient",
    "training",
    "of",
    "large",
    "language",
    "models",
    "that",
    "reduces",
    "memory",
    "while",
    "preserving",
    "accuracy",
    "across",
    "benchmarks",
    "diffusion",
    "transformer",
    "attention",
    "cache",
    "scaling",
    "data",
    "evaluation",
    "alignment",
    "preference",
    "reward",
    "policy",
    "vision",
    "encoder",
    "decoder",
    "tokens",
    "retrieval",
    "reasoning",
]
_KO = [
    "이",
    "논문은",
    "학습",
    "효율을",
    "높이기",
    "위해",
    "새로운",
    "방법을",
    "제안했네요",
    "재학습",
    "없이",
    "모델의",
    "성능을",
    "유지하는",
    "것이",
    "흥미롭습니다",
    "데이터의",
    "품질이",
    "중요하다는",
    "점을",
    "다시",
    "확인할",
    "수",
    "있었습니다",
    "어텐션",
    "구조를",
    "바꾸는",
    "시도는",
    "앞으로도",
    "계속될",
    "것",
    "같습니다",
    "평가",
    "방법에",
    "대해서는",
    "조금",
    "더",
    "생각해볼",
    "필요가",
    "있겠죠",
]
_TAGS = [
    "efficiency",
    "diffusion",
    "llm",
    "rl",
    "alignment",
    "vision",
    "benchmark",
    "distillation",
    "moe",
    "rag",
]


def _text(rng: random.Random, words: list[str], chars: int) -> str:
    out: list[str] = []
    size = 0
    while size < chars:
        w = rng.choice(words)
        out.append(w)
        size += len(w) + 1
    return " ".join(out)


def entries(n: int, seed: int = 0, start: dt.date = dt.date(2015, 1, 1)) -> list[Entry]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        day = start + dt.timedelta(days=i // 8)
        out.append(
            make_entry(
                title=_text(rng, _EN, 45).capitalize() + f" {i}",
                date=day,
                authors=[f"Author {rng.randrange(5000)}" for _ in range(rng.randint(1, 6))],
                url=f"https://arxiv.org/abs/{2000 + i // 100000:04d}.{i % 100000:05d}",
                abstract=_text(rng, _EN, 625),
                commentary=_text(rng, _KO, 250) + "\n\n" + _text(rng, _KO, 100),
                tags=rng.sample(_TAGS, rng.randint(0, 3)),
            )
        )
    return out
