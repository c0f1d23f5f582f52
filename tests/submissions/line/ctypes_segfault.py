"""Reads address 0 through ctypes (refused by the sandbox before it can crash)."""
import ctypes

ctypes.string_at(0)
