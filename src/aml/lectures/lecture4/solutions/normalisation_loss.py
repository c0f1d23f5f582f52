"""Lecture 4, exercise 1: a physics-guided loss for |psi|^2 in an infinite well.

Write normalisation_loss(length, weight, tolerance). It returns a function
loss(y_true, y_pred) -> scalar tensor equal to

    mean((y_true - y_pred)^2) + weight * max(|mean(y_pred) * length - 1| - tolerance, 0)^2

y_pred holds predicted |psi|^2 at positions spread evenly over the well [0, length], so
mean(y_pred) * length estimates the integral of |psi|^2, which physics says is 1. Use
keras.ops (not NumPy) so gradients flow, on TensorFlow and on JAX.
The check trains the lecture's network on noisy samples with plain MSE and with your loss:
yours must cut the normalisation error (improvement above 1x) without a worse test MSE.
Check your work with: aml check l4.normalisation_loss
"""

from keras import ops


def normalisation_loss(length, weight=10.0, tolerance=0.01):
    """MSE plus a penalty when the predicted density is not normalised on [0, length]."""

    def loss(y_true, y_pred):
        # BEGIN SOLUTION: compute the MSE, the violation |mean(y_pred) * length - 1|, and add weight * relu(violation - tolerance)^2
        mse = ops.mean(ops.square(y_true - y_pred))
        violation = ops.abs(ops.mean(y_pred) * length - 1.0)
        return mse + weight * ops.square(ops.relu(violation - tolerance))
        # END SOLUTION

    return loss
