"""A realistic synthetic journal for benchmarks.

Titles ~50 characters, English abstracts ~625 characters, Korean commentary ~350
characters (nouns with particles, English terms mixed in, paragraphs), 0-3 tags, 1-8
authors, an arXiv URL each, and some commentary that mentions an earlier entry. Every
entry has a topic, so words have realistic frequencies: a topical word such as
``diffusion`` is in roughly a tenth of the entries, a method name in a few dozen.

    python bench/make_journal.py j100k/entries.parquet 100000

Deterministic (seeded); written with one ``Journal.add_many`` (one Parquet file).
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path


def _words(text: str) -> list[str]:
    return text.split()


TOPICS: dict[str, tuple[str, str]] = {
    # topic: (English words, Korean words)
    "diffusion": (
        "diffusion denoising sampling score noise image generation latent guidance steps",
        "디퓨전 디노이징 샘플링 노이즈 이미지 생성 잠재 가이던스 스텝",
    ),
    "llm": (
        "language model tokens pretraining instruction tuning context reasoning prompt decoding",
        "언어 모델 토큰 사전학습 지시 미세조정 컨텍스트 추론 프롬프트 디코딩",
    ),
    "alignment": (
        "preference reward policy RLHF alignment feedback safety human annotators DPO",
        "선호 보상 정책 정렬 피드백 안전성 어노테이션 가이드라인 평가자",
    ),
    "efficiency": (
        "efficient memory latency throughput cache quantization sparse kernel GPU compression",
        "효율 메모리 지연 처리량 캐시 양자화 희소 커널 압축 연산",
    ),
    "vision": (
        "vision image visual recognition detection segmentation pixels encoder patches ViT",
        "비전 이미지 인식 검출 분할 픽셀 인코더 패치 시각",
    ),
    "multimodal": (
        "multimodal vision-language captions video audio speech grounding alignment LVLM",
        "멀티모달 캡션 비디오 오디오 음성 그라운딩 할루시네이션 객체",
    ),
    "rl": (
        "reinforcement learning agent environment policy value exploration planning robot control",
        "강화 학습 에이전트 환경 정책 가치 탐색 계획 로봇 제어",
    ),
    "theory": (
        "theory bound convergence gradient optimization loss landscape generalization proof",
        "이론 수렴 경사 최적화 손실 일반화 증명 분석 가정",
    ),
    "data": (
        "data dataset curation synthetic filtering quality deduplication scaling corpus web",
        "데이터 데이터셋 정제 합성 필터링 품질 중복 스케일링 코퍼스 웹",
    ),
    "architecture": (
        "architecture transformer attention layers heads recurrent state-space MoE routing",
        "아키텍처 트랜스포머 어텐션 레이어 헤드 순환 상태공간 전문가 라우팅",
    ),
    "evaluation": (
        "benchmark evaluation leaderboard metrics human judges contamination arena win-rate",
        "벤치마크 평가 리더보드 지표 심사 오염 아레나 승률",
    ),
    "code": (
        "code programming repository execution tests compiler synthesis debugging software",
        "코드 프로그래밍 저장소 실행 테스트 컴파일러 합성 디버깅",
    ),
    "retrieval": (
        "retrieval search documents embeddings dense index augmented RAG reranking queries",
        "검색 문서 임베딩 인덱스 증강 재순위 질의 리트리버",
    ),
    "distillation": (
        "distillation teacher student compression pruning knowledge small model transfer",
        "증류 교사 학생 압축 가지치기 지식 소형 전이 재학습",
    ),
}
GENERAL = _words(
    "method approach framework results performance baseline propose show demonstrate achieve "
    "outperform existing prior work experiments novel simple effective large scale training "
    "inference tasks across state-of-the-art analysis study"
)
GLUE = _words("we our the a of to in and for with on that this by from is are which can")
KO_GENERAL = _words("학습 모델 방법 성능 문제 결과 실험 논문 접근 구조 능력 한계 격차 스타일 과제 방향")
PARTICLES = [
    "을",
    "를",
    "이",
    "가",
    "은",
    "는",
    "의",
    "에",
    "에서",
    "으로",
    "로",
    "과",
    "와",
    "도",
    "만",
    " 같은",
    "에 대한",
    "처럼",
]
ENDINGS = [
    "했군요.",
    "하네요.",
    "입니다.",
    "인 듯 합니다.",
    "할 수 있겠죠.",
    "이 흥미롭네요.",
    "을 보여줬네요.",
    "가 중요한 것 같습니다.",
    "를 생각해보게 하는군요.",
    "에 관심이 있다면 참조할만할 것 같네요.",
]
VERBS = _words("사용해 개선해서 결합해 분석해서 비교해 적용해 줄여서 늘려서 바꿔서 추가해")
TAGS = _words(
    "efficiency diffusion distillation benchmark hallucination llm alignment rlhf reasoning vision "
    "multimodal speech robotics agents retrieval rag scaling moe quantization pretraining finetuning "
    "self_supervised self-supervised contrastive video image_generation text_to_image evaluation "
    "safety interpretability long_context state_space_model attention tokenizer dataset synthetic_data "
    "code math theorem_proving planning tool_use optimizer normalization architecture"
)
FIRST = _words(
    "Yutao Li Yi Shaohan Wenhui Shuming Jonas Albert Edgar Lisa Evan Tianle Wei-Lin Joseph Hao Ming Ji-hoon Seo-yeon Min-jun"
)
LAST = _words(
    "Sun Dong Zhu Huang Wang Ma Kohler Pumarola Dunlap Frick Li Chiang Gonzalez Yang Kim Lee Park Choi Jung"
)
_SYLLABLES = _words("ka ze ro mi tu na vo li xe qu pa fi do ge ha ju")
#: Rare words: method names such as "Zerotu", each in a few dozen abstracts at 100k.
NAMES = sorted({"".join(random.Random(i).choices(_SYLLABLES, k=3)).capitalize() for i in range(3000)})
_TOPIC_NAMES = sorted(TOPICS)


def _words(rng: random.Random, topic: str, count: int) -> list[str]:
    topical = TOPICS[topic][0].split()
    other = TOPICS[rng.choice(_TOPIC_NAMES)][0].split()
    out = []
    for _ in range(count):
        r = rng.random()
        pool = GLUE if r < 0.4 else topical if r < 0.65 else GENERAL if r < 0.9 else other
        out.append(rng.choice(pool))
    return out


def _title(rng: random.Random, topic: str) -> str:
    name = rng.choice(NAMES)
    return f"{name}: " + " ".join(_words(rng, topic, rng.randint(4, 7))).title()


def _abstract(rng: random.Random, topic: str, size: int = 625) -> str:
    parts = [f"We introduce {rng.choice(NAMES)}."]
    while sum(len(p) + 1 for p in parts) < size:
        parts.append(" ".join(_words(rng, topic, rng.randint(8, 18))).capitalize() + ".")
    return " ".join(parts)


def _korean(rng: random.Random, topic: str, size: int = 350) -> str:
    topical = TOPICS[topic][1].split()
    english = TOPICS[topic][0].split()
    paragraphs: list[str] = []
    current: list[str] = []
    total = 0
    while total < size:
        words = []
        for _ in range(rng.randint(3, 6)):
            r = rng.random()
            noun = (
                rng.choice(english).capitalize()
                if r < 0.15
                else rng.choice(topical if r < 0.75 else KO_GENERAL)
            )
            words.append(noun + rng.choice(PARTICLES))
        words.append(rng.choice(VERBS))
        words.append(rng.choice(topical) + rng.choice(ENDINGS))
        sentence = " ".join(words)
        current.append(sentence)
        total += len(sentence) + 1
        if rng.random() < 0.3:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return "\n\n".join(paragraphs)


def make_entries(n: int, seed: int = 6) -> list:
    from journal.model import make_entry

    rng = random.Random(seed)
    start = dt.date(2021, 1, 1)
    entries = []
    arxiv_ids: list[str] = []
    for i in range(n):
        day = start + dt.timedelta(days=i * 1200 // max(n, 1))
        arxiv = f"{day:%y%m}.{10000 + i % 89999:05d}"
        topic = rng.choice(_TOPIC_NAMES)
        commentary = _korean(rng, topic)
        if arxiv_ids and rng.random() < 0.05:
            commentary += f"\n\n비슷한 접근: https://arxiv.org/abs/{rng.choice(arxiv_ids[-500:])}"
        tags = ([topic] if rng.random() < 0.6 else []) + rng.sample(TAGS, rng.randint(0, 2))
        entries.append(
            make_entry(
                title=_title(rng, topic),
                date=day,
                authors=[f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(rng.randint(1, 8))],
                url=f"https://arxiv.org/abs/{arxiv}",
                abstract=_abstract(rng, topic),
                commentary=commentary,
                tags=tags,
            )
        )
        arxiv_ids.append(arxiv)
    return entries


def make_journal(path: str | Path, n: int) -> Path:
    """The journal at ``path`` with ``n`` synthetic entries (reused when it exists)."""
    from journal.store import Journal

    path = Path(path)
    if path.exists():
        if len(Journal(path)) == n:
            return path
        raise SystemExit(f"{path} exists with another size; remove it first")
    path.parent.mkdir(parents=True, exist_ok=True)
    Journal(path).add_many(make_entries(n), on_existing="error")
    return path


if __name__ == "__main__":
    target = make_journal(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 100_000)
    print(target)
