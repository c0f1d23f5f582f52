"""The catalog is consistent: unique ids, every reference importable, targets evaluate."""

import pytest

from aml import catalog
from aml.errors import AmlError


def test_ids_are_unique_and_prefixed_by_lecture():
    ids = [entry.id for entry in catalog.entries()]
    assert len(ids) == len(set(ids))
    for entry in catalog.entries():
        assert entry.id.startswith(f"l{entry.lecture}.")


@pytest.mark.parametrize("entry", catalog.entries(), ids=lambda e: e.id)
def test_every_reference_resolves(entry):
    if entry.kind == "example":
        assert callable(catalog.resolve(entry.runner))
        config_cls = catalog.resolve(entry.config)
        assert type(config_cls.quick()) is config_cls
        if entry.search:
            assert callable(catalog.resolve(entry.search))
    else:
        assert callable(catalog.resolve(entry.checker))
    assert entry.targets


def test_target_semantics():
    target = catalog.Target("acc", ">=", 0.9, quick=0.5, when=(("dataset", "a"),))
    assert target.met(0.9) and not target.met(0.89) and not target.met(None)
    assert target.met(0.6, quick=True) and not target.met(0.6)
    assert target.applies({"dataset": "a"}) and not target.applies({"dataset": "b"})
    assert target.describe() == "acc >= 0.9 [dataset=a]"
    assert catalog.Target("err", "<=", 1e-3).met(1e-4)
    with pytest.raises(ValueError):
        catalog.Target("acc", "=>", 1.0)


def test_unknown_id_suggests_close_matches():
    with pytest.raises(AmlError, match="did you mean l1.iris"):
        catalog.get("l1.irs")


@pytest.mark.parametrize("exercise", catalog.exercises(), ids=lambda e: e.id)
def test_exercise_files_are_named_after_their_id(exercise):
    from pathlib import PurePosixPath

    name = exercise.id.split(".", 1)[1]
    assert PurePosixPath(exercise.template) == PurePosixPath(f"lecture{exercise.lecture}",
                                                            f"{name}.py")
    assert exercise.solution.endswith(f".solutions:{name}.py")
