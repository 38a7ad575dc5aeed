"""A NumPy multilayer perceptron whose forward and backward passes run on compiled kernels.

>>> from symact.nn import MLP
>>> MLP([2, 3, 2]).sizes
[2, 3, 2]
"""

from symact.nn.gradients import check_gradients
from symact.nn.layers import Layer
from symact.nn.mlp import MLP, TrainingDiverged

__all__ = ["MLP", "Layer", "check_gradients", "TrainingDiverged"]
