"""A NumPy multilayer perceptron whose forward and backward passes run on compiled kernels.

>>> from symact.nn import MLP
>>> MLP([2, 3, 2]).sizes
[2, 3, 2]
"""

from symact.nn.mlp import MLP, Layer, check_gradients, TrainingDiverged

__all__ = ["MLP", "Layer", "check_gradients", "TrainingDiverged"]
