"""The paper path of the studies that train their own models (15, 16, 17, 22, 23), as tests/test_paper_notebooks.py does
for the grid notebooks: CIFAR files in the real format, ResNet-18 at width 8, the reference recipe, one epoch."""
import pytest
from test_paper_notebooks import GRID_NOTEBOOKS, PAPER_NOTEBOOKS, check_paper_tiny

@pytest.mark.parametrize('name', [n for n in PAPER_NOTEBOOKS if n not in GRID_NOTEBOOKS])
def test_study_paper_path(name, tmp_path, monkeypatch):
    check_paper_tiny(name, tmp_path, monkeypatch)
