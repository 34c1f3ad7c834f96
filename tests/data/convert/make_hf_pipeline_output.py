"""Make hf_pipeline_simple.json and hf_pipeline_none.json: the real output of the Hugging Face
`pipeline("token-classification")` on the five corpus texts, from a model built here.

No hub was touched: the rules of the project allow no network but the package registries, so
the tokenizer and the model are built on this machine and loaded from a local folder with
HF_HUB_OFFLINE=1 and TRANSFORMERS_OFFLINE=1.

- tokenizer: a `tokenizers` WordPiece (vocabulary 1000, so that rarer words split into `##`
  pieces) trained on the five corpus texts, with BERT's normalizer (cased) and pre-tokenizer,
  wrapped as a fast `BertTokenizerFast` (offsets mapping) with do_lower_case=False (the
  wrapper's default would lowercase what the cased vocabulary was trained on);
- model: `BertForTokenClassification`, `BertConfig` with 2 layers, hidden size 64, 2 heads,
  `id2label` O plus B-/I- of PERSON, ORG, GPE, NORP (our own type names: no label map needed),
  trained for 120 steps (seed 0; training loss 0.015 at the end) on the gold `name` mentions of
  those types (first sub-word of a word B- or I-, later sub-words I-), so that its tags are not
  all one and not all right (it is scored on what it was trained on: its figures say nothing of
  NER, only that the converter reads real output);
- the pipeline, loaded from the saved folder, run on each text with
  `aggregation_strategy="simple"` and with `"none"` (per token); the outputs are written with
  `json.dump` as {doc_id: [...]}, numpy numbers turned into Python ones (the only change).

Run from the repository root, in a venv of its own (the project does not depend on torch):

    python3 -m venv /tmp/hfvenv
    /tmp/hfvenv/bin/pip install torch==2.13.0 transformers tokenizers
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 PYTHONPATH=src \\
        /tmp/hfvenv/bin/python tests/data/convert/make_hf_pipeline_output.py

The committed outputs were made so on 2026-12-07 (about 100 s on two shared CPU cores) with
Python 3.11.7, torch 2.13.0+cpu, transformers 5.25.0, tokenizers 0.23.3 (numpy 2.4.6), as
hf_pipeline_versions.json beside them records. A second run gives other bytes (the WordPiece
trainer breaks ties between equally frequent pairs in no fixed order, so the vocabulary, the
token indices and the model differ): the outputs are committed, and the tests derive every
expectation from the committed files. The test suite does not run this script."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402
import tokenizers  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers  # noqa: E402
from transformers import (  # noqa: E402
    BertConfig,
    BertForTokenClassification,
    BertTokenizerFast,
    pipeline,
)

ROOT = Path(__file__).resolve().parents[3]
OUT = Path(__file__).resolve().parent
TYPES = ("PERSON", "ORG", "GPE", "NORP")
LABELS = ["O"] + [f"{p}-{t}" for t in TYPES for p in ("B", "I")]
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
MAX_TOKENS = 2048
STEPS = 120
VERSIONS = {
    "python": sys.version.split()[0],
    "torch": torch.__version__,
    "transformers": transformers.__version__,
    "tokenizers": tokenizers.__version__,
    "numpy": np.__version__,
}


def corpus() -> dict[str, str]:
    lines = (ROOT / "corpus" / "data" / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    return {d["doc_id"]: d["text"] for d in map(json.loads, lines) if d}


def gold_names(doc_id: str) -> list[tuple[int, int, str]]:
    """Outermost `name` mentions of TYPES, nested ones left out (a tagger sees one per token)."""
    gold = json.loads((ROOT / "annotations" / "gold" / f"{doc_id}.json").read_text("utf-8"))
    found = sorted(
        (e["start"], -e["end"], e["type"])
        for e in gold["entities"]
        if e["mention"] == "name" and e["type"] in TYPES
    )
    kept: list[tuple[int, int, str]] = []
    for start, minus_end, kind in found:
        if not kept or start >= kept[-1][1]:
            kept.append((start, -minus_end, kind))
    return kept


def build_tokenizer(texts: list[str], folder: Path) -> BertTokenizerFast:
    raw = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    raw.normalizer = normalizers.BertNormalizer(lowercase=False)
    raw.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    raw.train_from_iterator(
        texts, trainers.WordPieceTrainer(vocab_size=1000, special_tokens=SPECIALS)
    )
    cls, sep = raw.token_to_id("[CLS]"), raw.token_to_id("[SEP]")
    raw.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", cls), ("[SEP]", sep)]
    )
    wrapped = BertTokenizerFast(
        tokenizer_object=raw, do_lower_case=False, model_max_length=MAX_TOKENS
    )
    wrapped.save_pretrained(folder)
    return BertTokenizerFast.from_pretrained(folder)  # train on what the pipeline will load


def token_labels(offsets: list[tuple[int, int]], words: list, names: list) -> list[int]:
    """B- on a name's first token, I- on its others; -100 (ignored) on special tokens."""
    labels = []
    for (start, end), word in zip(offsets, words, strict=True):
        if word is None:
            labels.append(-100)
            continue
        inside = next((n for n in names if n[0] <= start and end <= n[1]), None)
        if inside is None:
            labels.append(0)
        else:
            prefix = "B" if start == inside[0] else "I"
            labels.append(LABELS.index(f"{prefix}-{inside[2]}"))
    return labels


def train(texts: dict[str, str], tokenizer: BertTokenizerFast, folder: Path) -> None:
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=128,
        max_position_embeddings=MAX_TOKENS,
        id2label=dict(enumerate(LABELS)),
        label2id={label: i for i, label in enumerate(LABELS)},
    )
    model = BertForTokenClassification(config)
    batches = []
    for doc_id, text in texts.items():
        encoded = tokenizer(text, return_offsets_mapping=True)
        labels = token_labels(encoded["offset_mapping"], encoded.word_ids(), gold_names(doc_id))
        batches.append((torch.tensor([encoded["input_ids"]]), torch.tensor([labels])))
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    model.train()
    for step in range(STEPS):
        ids, labels = batches[step % len(batches)]
        loss = model(input_ids=ids, labels=labels).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    print(f"loss after {STEPS} steps: {loss.item():.3f}")
    model.eval()
    model.save_pretrained(folder)


def plain(value: object) -> object:
    """numpy numbers (the pipeline's scores, and offsets in some versions) as Python ones."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON")


def main() -> None:
    texts = corpus()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        tokenizer = build_tokenizer(list(texts.values()), folder)
        train(texts, tokenizer, folder)
        for strategy in ("simple", "none"):
            tagger = pipeline(
                "token-classification",
                model=str(folder),
                tokenizer=str(folder),
                aggregation_strategy=strategy,
                device="cpu",
            )
            output = {doc_id: tagger(text) for doc_id, text in texts.items()}
            path = OUT / f"hf_pipeline_{strategy}.json"
            path.write_text(json.dumps(output, indent=1, default=plain) + "\n", encoding="utf-8")
    (OUT / "hf_pipeline_versions.json").write_text(json.dumps(VERSIONS, indent=1) + "\n")
    print(VERSIONS)


if __name__ == "__main__":
    main()
