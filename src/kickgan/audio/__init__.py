"""Pure DSP on clips: mix-down, resampling, DC removal, onset alignment, fixed length, fade, normalisation."""

from kickgan.audio.preprocess import prepare_clip

__all__ = ["prepare_clip"]
