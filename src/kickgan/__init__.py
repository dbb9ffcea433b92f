"""kickgan: train GANs on kick-drum one-shots, generate new kicks, measure them honestly."""

__version__ = "0.1.0"
