"""A test-only profile, 'paper_tiny': the `paper` profile's code path (CIFAR files in the real format, ResNet-18,
the reference recipe with crop and flip, the reference unlearning preset) shortened to one epoch on a few images, with
ResNet-18 at width 8 (every stage 1/8 as wide: the same shapes, shortcuts, batch norm and head lookup at 1/64 of the FLOPs).
Registered in a notebook's kernel through $SPARSE_MU_PROFILES='<this file>:register' (see tests/test_paper_notebooks.py)."""
from dataclasses import replace

def register():
    from sparse_mu.pipeline import PROFILES
    from sparse_mu.unlearn import PRESETS, IUConfig, ManiFConfig
    one = lambda name, cfg: (cfg if not hasattr(cfg, 'epochs') else replace(cfg, epochs=1, batch_size=8, max_steps=1)
                             if name == 'SCRUB' else replace(cfg, epochs=1, batch_size=8))
    preset = {name: one(name, cfg) for name, cfg in PRESETS['reference'].items()}
    preset.update(FF=replace(PRESETS['reference']['FF'], max_samples=2, batch_size=2),      # exact Fisher: 2 images x 10 classes
                  IU=IUConfig(samples=4, batch_size=2),
                  **{'ManiF-SMC': ManiFConfig(epochs=1, batch_size=8, curve_steps=1, pool=16)})
    PRESETS['paper_tiny'] = preset
    P = PROFILES['paper']
    PROFILES['paper_tiny'] = replace(P, name='paper_tiny', width=8, recipe=replace(P.recipe, epochs=1, batch_size=8),
                                     retrain_recipe=replace(P.retrain_recipe, epochs=1, batch_size=8), rewind_epoch=1,
                                     preset='paper_tiny', seeds=(0,), sweep_seeds=(0,), sparsities=(0.0, 0.5),
                                     table_sparsity=0.5, imp_rate=0.5, synflow_iterations=2)
